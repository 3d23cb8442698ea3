using R1.Rewards;
using R1.Tasks;

namespace R1.Tests.R1Stages;

/// <summary>The committed cold-start, journey and general datasets hold what their datasheets promise.</summary>
public class StageDataTests
{
    static readonly List<Demonstration> ColdStartSet = ColdStart.Load();
    static readonly List<Demonstration> Clean = Journey.Load("clean"), JourneySet = Journey.Load("journey");

    static string ThinkBody(string completion) => TextStats.ThinkText(completion) ?? "";

    static void AssertCleanReasoning(Demonstration d)
    {
        Assert.True(TaskRegistry.Verify(d.Example, d.Completion).Correct, $"{d.Id}: not verified correct: {d.Completion}");
        Assert.Equal(1.0, RewardFunctions.Format(d.Example, d.Completion));
        Assert.Equal(1.0, TextStats.LanguageShare(ThinkBody(d.Completion), d.Example.Language));   // one language, no mixing at all
        Assert.EndsWith(ColdStart.Summary(d.Example) + "</think><answer>" + d.Example.Answer + "</answer>", d.Completion);
        // prompt + completion + <bos> + <eos> fits the default 256-token context
        Assert.True(TextStats.TokenLength(d.Example.Prompt + d.Completion) + 2 <= 256, $"{d.Id} is too long");
    }

    [Fact]
    public void ColdStartIsCorrectReadableAndFromTrainSplits()
    {
        Assert.Equal(3 * DatasetBuilder.ColdStartPerTask, ColdStartSet.Count);
        Assert.Equal(ColdStartSet.Count, ColdStartSet.Select(d => d.Id).Distinct().Count());
        foreach (var task in TaskRegistry.All)
        {
            var mine = ColdStartSet.Where(d => d.Example.Task == task.Name).ToList();
            Assert.Equal(DatasetBuilder.ColdStartPerTask, mine.Count);
            Assert.Equal(mine.Count, mine.Select(d => d.Example.Prompt).Distinct().Count());
            var train = Datasets.Load(task.Name, "train").ToDictionary(e => e.Id);
            Assert.All(mine, d => Assert.Equal(train[d.Example.Id].Prompt, d.Example.Prompt));   // drawn from train, never test
        }
        Assert.All(ColdStartSet, AssertCleanReasoning);
        Assert.Contains(ColdStartSet, d => d.Example.Language == "zh");
        // long on average: well beyond a bare answer, with checking in about half of them
        Assert.True(ColdStartSet.Average(d => TextStats.TokenLength(d.Completion)) > 70);
        Assert.InRange(ColdStartSet.Count(d => d.Style == "verification") / (double)ColdStartSet.Count, 0.4, 0.6);
    }

    [Fact]
    public void JourneyAddsADetourInFrontOfTheCleanTrace()
    {
        Assert.Equal(3 * DatasetBuilder.JourneyPerTask, Clean.Count);
        Assert.Equal(Clean.Count, JourneySet.Count);
        for (int i = 0; i < Clean.Count; i++)
        {
            var (c, j) = (Clean[i], JourneySet[i]);
            Assert.Equal((c.Example.Id, c.Example.Prompt, c.Example.Answer), (j.Example.Id, j.Example.Prompt, j.Example.Answer));
            AssertCleanReasoning(c);
            AssertCleanReasoning(j);
            // journey = <think> detour [space] clean-think…: the correct work follows the corrected wrong path
            var cleanTail = c.Completion["<think>".Length..];
            Assert.EndsWith(cleanTail, j.Completion);
            var detour = j.Completion["<think>".Length..^cleanTail.Length];
            Assert.True(TextStats.ReflectionCount(detour) >= 1, $"{j.Id}: no 'wait' in the detour: {detour}");
            Assert.Equal(0, TextStats.ReflectionCount(ThinkBody(c.Completion)));
        }
    }

    [Fact]
    public void GeneralPromptsAnswerDirectlyWithAnEmptyThought()
    {
        var train = GeneralPrompts.Load("train");
        var test = GeneralPrompts.Load("test");
        Assert.Equal(train.Count + test.Count, train.Concat(test).Select(d => d.Example.Prompt).Distinct().Count());   // distinct, disjoint
        foreach (var d in train.Concat(test))
        {
            Assert.Equal(GeneralPrompts.TaskName, d.Example.Task);
            Assert.StartsWith("<think></think><answer>", d.Completion);
            Assert.Equal(1.0, RewardFunctions.Format(d.Example, d.Completion));
            Assert.True(GeneralPrompts.Verify(d.Example, d.Completion).Correct, d.Id);
            Assert.True(d.Example.Question.Length <= 60, d.Example.Question);
        }
        foreach (var style in new[] { "greeting", "fact", "rewrite" }) Assert.Contains(train, d => d.Style == style);
        Assert.Contains(train, d => d.Example.Question == "hello" || test.Any(t => t.Example.Question == "hello"));
    }

    [Fact]
    public void PreferencePairsRejectWhatTheirKindSays()
    {
        var pairs = GeneralPrompts.LoadPairs("train").Concat(GeneralPrompts.LoadPairs("test")).ToList();
        var demos = GeneralPrompts.Load("train").Concat(GeneralPrompts.Load("test")).ToDictionary(d => d.Example.Id);
        Assert.Equal(GeneralPrompts.PairsPerPrompt * demos.Count, pairs.Count);
        foreach (var kind in GeneralPrompts.PairKinds) Assert.Contains(pairs, p => p.Kind == kind);
        foreach (var p in pairs)
        {
            Assert.Equal(demos[p.Example.Id].Completion, p.Chosen);
            Assert.NotEqual(p.Chosen, p.Rejected);
            Assert.True(TextStats.TokenLength(p.Example.Prompt + p.Rejected) + 2 <= 256, $"{p.Id} is too long");
            Assert.Equal(1.0, RewardFunctions.Format(p.Example, p.Rejected));     // every rejection is well-formed: the flaw is elsewhere
            var chosenAnswer = AnswerParser.ExtractAnswer(p.Chosen)!;
            var rejectedAnswer = AnswerParser.ExtractAnswer(p.Rejected)!;
            switch (p.Kind)
            {
                case "wrong":
                    Assert.False(GeneralPrompts.Verify(p.Example, p.Rejected).Correct, $"{p.Id}: '{rejectedAnswer}' should be wrong");
                    Assert.Equal("", TextStats.ThinkText(p.Rejected));
                    break;
                case "rambling":
                    Assert.Contains(chosenAnswer.TrimEnd('.'), rejectedAnswer);
                    Assert.True(rejectedAnswer.Length >= 3 * chosenAnswer.Length, p.Id);
                    break;
                case "unneeded_cot":
                    Assert.Equal(chosenAnswer, rejectedAnswer);
                    Assert.True(TextStats.ThinkText(p.Rejected)!.Length > 40);
                    break;
                case "rude":
                    Assert.Equal("", TextStats.ThinkText(p.Rejected));
                    Assert.NotEqual(chosenAnswer, rejectedAnswer);
                    break;
                default:
                    Assert.Fail($"unknown pair kind {p.Kind}");
                    break;
            }
        }
    }

    [Fact]
    public void EveryCharacterIsEncodableByACorpusTokenizer()
    {
        // The base model's tokenizer is built from the corpus (plus printable ASCII); later-stage data must not need more.
        var known = new HashSet<char>(Datasets.LoadCorpus("train").SelectMany(d => d.Text));
        for (char c = ' '; c < '\x7f'; c++) known.Add(c);
        var texts = ColdStartSet.Concat(Clean).Concat(JourneySet).Concat(GeneralPrompts.Load("train")).Concat(GeneralPrompts.Load("test"))
            .Select(d => d.Example.Prompt + d.Completion)
            .Concat(GeneralPrompts.LoadPairs("train").Concat(GeneralPrompts.LoadPairs("test")).Select(p => p.Rejected));
        foreach (var t in texts)
            foreach (var ch in t.Replace("<think>", "").Replace("</think>", "").Replace("<answer>", "").Replace("</answer>", ""))
                Assert.True(known.Contains(ch), $"'{ch}' (U+{(int)ch:X4}) in \"{t}\" is not in the corpus or printable ASCII");
    }

    [Fact]
    public void FilesStaySmall()
    {
        foreach (var dir in new[] { "coldstart", "journey", "general" })
            foreach (var f in Directory.GetFiles(Path.Combine(Datasets.Root, dir), "*.jsonl"))
                Assert.True(new FileInfo(f).Length < 1_000_000, $"{f} is {new FileInfo(f).Length} bytes");
    }

    [Fact]
    public void LoadersExplainBadNames()
    {
        Assert.Contains("'clean' or 'journey'", Assert.Throws<ArgumentException>(() => Journey.Load("dirty")).Message);
        Assert.Contains("'train' or 'test'", Assert.Throws<ArgumentException>(() => GeneralPrompts.Load("dev")).Message);
    }
}

public class ReasoningPairsTests
{
    [Fact]
    public void ChosenIsRightRejectedIsWrong()
    {
        var examples = TaskRegistry.All.SelectMany(t => Datasets.Load(t.Name, "train").Take(40)).ToList();
        var pairs = ReasoningPairs.Build(examples, new Rng(1));
        Assert.Equal(examples.Count, pairs.Count);
        foreach (var kind in ReasoningPairs.Kinds) Assert.InRange(pairs.Count(p => p.Kind == kind), 30, 90);
        foreach (var p in pairs)
        {
            Assert.True(TaskRegistry.Verify(p.Example, p.Chosen).Correct, p.Chosen);
            Assert.False(TaskRegistry.Verify(p.Example, p.Rejected).Correct, p.Rejected);
            Assert.Equal(1.0, RewardFunctions.Format(p.Example, p.Rejected));
            if (p.Kind == "wrong_answer")   // identical up to the answer block
                Assert.Equal(p.Chosen[..p.Chosen.IndexOf("<answer>")], p.Rejected[..p.Rejected.IndexOf("<answer>")]);
            else if (p.Example.Task != "countdown")   // a guess is shorter than column work (Countdown work can be one equation)
                Assert.True(p.Rejected.Length < p.Chosen.Length);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ReasoningPairs.Build(examples, new Rng(1), guessShare: 2));
    }
}
