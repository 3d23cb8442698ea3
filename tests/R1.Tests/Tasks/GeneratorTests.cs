using System.Text;
using R1.Rewards;
using R1.Tasks;

namespace R1.Tests.Tasks;

public class GeneratorTests
{
    static List<Example> Draw(ITask task, ulong seed, int n)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(i => task.Generate(rng, $"{task.Name}/{i}")).ToList();
    }

    [Fact]
    public void SameSeedSameExamples()
    {
        foreach (var task in TaskRegistry.All)
            Assert.Equal(Draw(task, 5, 50).Select(Jsonl.Serialize), Draw(task, 5, 50).Select(Jsonl.Serialize));
    }

    [Fact]
    public void EveryExampleVerifiesAgainstItsOwnAnswer()
    {
        foreach (var task in TaskRegistry.All)
            foreach (var ex in Draw(task, 17, 500))
            {
                Assert.True(task.Verify(ex, $"<think>…</think><answer>{ex.Answer}</answer>").Correct, ex.Prompt);
                Assert.InRange(ex.Prompt.Length, 10, 60);
                Assert.StartsWith(PromptTemplate.Prefix, ex.Prompt);
                Assert.EndsWith(PromptTemplate.Suffix, ex.Prompt);
                Assert.Equal(task.Name, ex.Task);
            }
    }

    [Fact]
    public void NumericAnswersFollowFromTheOperands()
    {
        foreach (var ex in Draw(TaskRegistry.Arithmetic, 3, 500).Concat(Draw(TaskRegistry.WordProblems, 3, 500)))
        {
            var (a, b) = (ex.Numbers[0], ex.Numbers[1]);
            int expected = ex.Kind switch
            {
                "add" or "total" => a + b,
                "sub" or "money" or "agediff" => a - b,
                _ => a * b,
            };
            Assert.Equal(expected.ToString(), ex.Answer);
            Assert.True(expected > 0);
            Assert.Contains(a.ToString(), ex.Prompt);
            Assert.Contains(b.ToString(), ex.Prompt);
            Assert.Equal(TextStats.CountLetters(ex.Question).Chinese > 0 ? "zh" : "en", ex.Language);
        }
    }

    [Fact]
    public void CountdownAnswersReachTheTargetUsingEachNumberOnce()
    {
        foreach (var ex in Draw(TaskRegistry.Countdown, 23, 500))
        {
            var eval = CountdownExpression.Evaluate(ex.Answer);
            Assert.True(eval.Ok, eval.Error);
            Assert.Equal((ex.Target!.Value, 1L), (eval.Numerator, eval.Denominator));
            Assert.Equal(ex.Numbers.Order(), eval.NumbersUsed.Order());
            Assert.InRange(ex.Numbers.Length, 3, 4);
            Assert.All(ex.Numbers, n => Assert.InRange(n, 1, 25));
            Assert.InRange(ex.Target.Value, CountdownTask.MinTarget, CountdownTask.MaxTarget);
        }
    }

    [Fact]
    public void StepTracesAreCorrectWellFormedAndShort()
    {
        var rng = new Rng(31);
        TraceStyle[] worked = [TraceStyle.Steps, TraceStyle.SelfCorrection, TraceStyle.Verification, TraceStyle.MixedLanguage];
        foreach (var task in TaskRegistry.All)
            foreach (var ex in Draw(task, 41, 300))
                foreach (var style in worked)
                {
                    var c = Traces.Write(ex, style, rng);
                    Assert.True(task.Verify(ex, c).Correct, $"{style}: {ex.Prompt}{c}");
                    Assert.Equal(1.0, RewardFunctions.Format(ex, c));
                    Assert.InRange(TextStats.TokenLength(ex.Prompt + c), 1, 200);
                }
    }

    [Fact]
    public void CorpusFollowsTheMixture()
    {
        var docs = Corpus.Build(new Rng(8), 4000, "c/", new HashSet<string>());
        double Share(Func<CorpusDocument, bool> f) => docs.Count(f) / (double)docs.Count;
        // Binomial std for p ≈ 0.45, n = 4000 is ≈ 0.008; tolerance 0.03 is over 3.5 sigma.
        Assert.Equal(Corpus.DirectShare, Share(d => d.Style.StartsWith("answer") || d.Style.StartsWith("short_thought")), 0.03);
        Assert.Equal(Corpus.StepsShare, Share(d => d.Style == "steps"), 0.03);
        Assert.Equal(Corpus.ReflectionShare, Share(d => d.Style is "self_correction" or "verification"), 0.03);
        Assert.Equal(Corpus.MixedLanguageShare, Share(d => d.Style == "mixed_language"), 0.03);
        Assert.Equal(Corpus.PlainShare, Share(d => d.Style.StartsWith("plain")), 0.03);
        Assert.Equal(Corpus.ArithmeticShare, Share(d => d.Task == "arithmetic"), 0.03);
        Assert.Equal(Corpus.CountdownShare, Share(d => d.Task == "countdown"), 0.03);
        var guesses = docs.Where(d => d.Style.StartsWith("answer") || d.Style.StartsWith("short_thought") || d.Style.StartsWith("plain_answer")).ToList();
        Assert.Equal(Corpus.GuessCorrectRate, guesses.Count(d => !d.Style.EndsWith("_wrong")) / (double)guesses.Count, 0.04);
        // Reflection phrases live only in the reflection styles.
        Assert.All(docs.Where(d => TextStats.ReflectionCount(d.Text) > 0), d => Assert.Contains(d.Style, new[] { "self_correction", "verification" }));
        Assert.All(docs.Where(d => d.Style.StartsWith("plain")), d => Assert.DoesNotContain("<", d.Text));
    }

    [Fact]
    public void ChineseUsesASmallCharacterSet()
    {
        var zh = new HashSet<char>();
        var docs = Corpus.Build(new Rng(2), 3000, "c/", new HashSet<string>());
        foreach (var d in docs) foreach (char c in d.Text) if (c >= '\u4E00' && c <= '\u9FFF') zh.Add(c);
        Assert.InRange(zh.Count, 40, 150);
    }
}
