using R1.Experiments;
using R1.Models;
using R1.Tasks;

namespace R1.Tests.Experiments;

public class EvaluationTests
{
    static readonly Example Add = new("t-add", "arithmetic", "en", "Q: 347+85=?\nA: ", "432", "add", [347, 85]);
    static readonly Example Cd = new("t-cd", "countdown", "en", "Q: make 46 from 3 7 25\nA: ", "25+3*7", "n3", [3, 7, 25], 46);

    static string A(string answer) => $"<think>x</think><answer>{answer}</answer>";

    [Fact]
    public void PassAt1AveragesSamplesThenExamples()
    {
        // Example 1: 1 of 4 right (0.25); example 2: 2 of 2 (1.0); example 3: 0 of 3 (0). Mean = 1.25 / 3.
        bool[][] c = [[true, false, false, false], [true, true], [false, false, false]];
        Assert.Equal(1.25 / 3, Evaluation.PassAt1(c), 12);
        Assert.Equal(0, Evaluation.PassAt1([]));
        Assert.Throws<ArgumentException>(() => Evaluation.PassAt1([[true], []]));
    }

    [Fact]
    public void MajorityCountsAndBreaksTiesByFirstSeen()
    {
        Assert.Equal(("b", 3), Evaluation.Majority(["a", "b", "b", null, "a", "b"]));
        Assert.Equal(("a", 2), Evaluation.Majority(["a", "b", "b", "a"]));      // 2-2 tie: "a" came first
        Assert.Equal(("b", 2), Evaluation.Majority([null, "b", "a", "a", "b"])); // nulls do not vote; "b" first
        Assert.Equal(("c", 1), Evaluation.Majority(["c", "d", "e"]));
        Assert.Equal(((string?)null, 0), Evaluation.Majority([null, null]));
        Assert.Equal(((string?)null, 0), Evaluation.Majority([]));
    }

    [Fact]
    public void VoteKeyNormalisesNumbersAndEquations()
    {
        Assert.Equal(Evaluation.VoteKey(Add, A("1,234")), Evaluation.VoteKey(Add, A("1234")));
        Assert.Equal(Evaluation.VoteKey(Add, A("432")), Evaluation.VoteKey(Add, A("４３２")));   // full-width digits
        Assert.Equal("432", Evaluation.VoteKey(Add, A("432 apples")));
        Assert.Null(Evaluation.VoteKey(Add, A("12 or 13")));   // two numbers: no usable answer
        Assert.Null(Evaluation.VoteKey(Add, "<think>x</think>"));
        Assert.Null(Evaluation.VoteKey(Add, A("")));
        Assert.Equal("25+3*7", Evaluation.VoteKey(Cd, A(" 25 + 3*7 ")));
    }

    [Fact]
    public void MajorityVoteJudgesTheWinner()
    {
        Assert.True(Evaluation.MajorityVote(Add, [A("431"), A("432"), A("432.0"), A("5")]));    // 432 twice
        Assert.False(Evaluation.MajorityVote(Add, [A("431"), A("432"), A("431"), A("432")]));   // tie → 431 first, wrong
        Assert.True(Evaluation.MajorityVote(Add, ["no answer", "<answer>", A("432")]));        // only one voter
        Assert.False(Evaluation.MajorityVote(Add, ["no answer", "", "<think>432</think>"]));   // nobody votes
        Assert.True(Evaluation.MajorityVote(Cd, [A("3*7+25"), A("7*3+25"), A("3*7+25")]));
    }

    [Fact]
    public void ReportComputesPassAt1AndMajAtK()
    {
        var right = A("432");
        var wrong = A("431");
        var items = new List<SampledExample>
        {
            // pass 2/4; maj@1 wrong (431); maj@4: 431 ×2, 432 ×2 → tie to 431, wrong; maj@3: 431 ×2 → wrong
            new(Add, [wrong, right, wrong, right], [false, true, false, true]),
            // pass 3/4; maj@1 right; maj@4 right
            new(Add, [right, wrong, right, right], [true, false, true, true]),
        };
        var report = new EvalReport(items, 4, 1f);
        Assert.Equal((0.5 + 0.75) / 2, report.PassAt1, 12);
        Assert.Equal(0.5, report.MajAt(1));
        Assert.Equal(0.5, report.MajAt(4));
        Assert.Equal(8, report.Pairs.Count());
        Assert.Equal(0.5, items[0].PassRate);
    }

    [Fact]
    public void RunSamplesEveryExampleAndVerifiesEachCompletion()
    {
        var tok = Tokenizer.FromTexts(["Q: 347+85=?\nA: <think></think><answer>432</answer>"]);
        var model = new GPT(new GPTConfig(tok.VocabSize, 64, 1, 2, 16), seed: 3);
        var examples = new[] { Add, Add with { Id = "t2", Prompt = "Q: 34+85=?\nA: ", Answer = "119" } };
        var a = Evaluation.Run(model, tok, examples, samples: 3, temperature: 1f, maxNewTokens: 12, seed: 5, batchSize: 4);
        var b = Evaluation.Run(model, tok, examples, samples: 3, temperature: 1f, maxNewTokens: 12, seed: 5, batchSize: 4);
        Assert.Equal(2, a.Items.Count);
        Assert.All(a.Items, i => Assert.Equal(3, i.Completions.Length));
        Assert.Equal(a.Items.SelectMany(i => i.Completions), b.Items.SelectMany(i => i.Completions));   // seeded
        foreach (var item in a.Items)
            for (int s = 0; s < 3; s++)
            {
                Assert.Equal(TaskRegistry.Verify(item.Example, item.Completions[s]).Correct, item.Correct[s]);
                Assert.DoesNotContain("<eos>", item.Completions[s]);
                Assert.True(R1.Rewards.TextStats.TokenLength(item.Completions[s]) <= 12);
            }
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.Run(model, tok, examples, samples: 0));
    }
}
