using R1.Experiments;
using R1.Models;
using R1.Tasks;

namespace R1.Tests.Experiments;

public class InferenceScalingTests
{
    static readonly Example Add = new("a/0", "arithmetic", "en", PromptTemplate.Format("347+85=?"), "432", "add", [347, 85]);
    static readonly Example Sub = new("a/1", "arithmetic", "en", PromptTemplate.Format("9-4=?"), "5", "sub", [9, 4]);

    static string A(string answer) => $"<think>work</think><answer>{answer}</answer>";

    [Fact]
    public void KsArePowersOfTwoUpToN()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 64], InferenceScaling.Ks(64));
        Assert.Equal([1, 2, 4, 8, 16], InferenceScaling.Ks(20));
        Assert.Equal([1], InferenceScaling.Ks(1));
        Assert.Equal(64, InferenceScaling.Samples(quick: false));
    }

    [Fact]
    public void MetricsOfHandMadeSamples()
    {
        // Problem 1: 432 ✓, 431 ✗, 432 ✓, 430 ✗ with log-probs favouring the wrong ones. Problem 2: 5 ✓, 6 ✗, 6 ✗, no answer.
        var s = new ScalingSamples("m", true, [Add, Sub],
            [[A("432"), A("431"), A("432"), A("430")], [A("5"), A("6"), A("6"), "<think>hmm</think>"]],
            [[true, false, true, false], [true, false, false, false]],
            [[10, 20, 30, 40], [5, 5, 5, 5]],
            [[-1.0, -0.1, -2.0, -0.5], [-0.3, -0.2, -0.9, -0.1]]);
        Assert.Equal(4, s.N);
        Assert.Equal(15.0, s.MeanTokens, 12);                       // (100 + 20) / 8
        Assert.Equal((0.5 + 0.25) / 2, s.PassAt(1), 12);
        // pass@2: problem 1: 1 − C(2,2)/C(4,2) = 5/6; problem 2: 1 − C(3,2)/C(4,2) = 1/2.
        Assert.Equal((5.0 / 6 + 0.5) / 2, s.PassAt(2), 12);
        // maj@4: problem 1: 432 has 2 of 4 votes vs 1 + 1 → right; problem 2: 6 has 2 votes vs 1 → wrong.
        Assert.Equal(0.5, s.MajAt(4), 12);
        // best-of-4 by log-prob picks 431 (−0.1) in problem 1 ✗ and "no answer" (−0.1) in problem 2 ✗.
        Assert.Equal(0.0, s.BestOfAt(4), 12);
        // best-of-1 is pass@1.
        Assert.Equal(s.PassAt(1), s.BestOfAt(1), 12);
        var table = InferenceScaling.Curves([s]);
        Assert.Equal(3, table.Rows);                                 // k = 1, 2, 4
        Assert.Equal([1L, 2L, 4L], table.Column<long>("k").ToArray());
        Assert.Equal([15.0, 30.0, 60.0], table.Column<double>("tokens").ToArray());
    }

    [Fact]
    public void SamplingWithoutChainOfThoughtStartsTheAnswerForTheModel()
    {
        var tok = Tokenizer.FromTexts([Add.Prompt, Sub.Prompt, "0123456789"]);
        var model = new GPT(new GPTConfig(tok.VocabSize, 48, 1, 2, 8), seed: 4);
        var off = InferenceScaling.Sample("tiny", model, tok, [Add, Sub], n: 3, chainOfThought: false, seed: 1, maxNewTokens: 6);
        Assert.False(off.ChainOfThought);
        Assert.All(off.Completions.SelectMany(c => c), c => Assert.StartsWith(InferenceScaling.NoThinkPrefill, c));
        Assert.All(off.GeneratedTokens.SelectMany(t => t), t => Assert.InRange(t, 1, 6));
        Assert.All(off.MeanLogProb.SelectMany(t => t), lp => Assert.True(lp <= 0));
        Assert.Equal(2, off.Completions.Length);
        Assert.All(off.Completions, c => Assert.Equal(3, c.Length));
        var on = InferenceScaling.Sample("tiny", model, tok, [Add, Sub], n: 3, chainOfThought: true, seed: 1, maxNewTokens: 6);
        Assert.DoesNotContain(on.Completions.SelectMany(c => c), c => c.StartsWith(InferenceScaling.NoThinkPrefill));
        var again = InferenceScaling.Sample("tiny", model, tok, [Add, Sub], n: 3, chainOfThought: true, seed: 1, maxNewTokens: 6);
        Assert.Equal(on.Completions.SelectMany(c => c), again.Completions.SelectMany(c => c));   // reproducible
    }
}
