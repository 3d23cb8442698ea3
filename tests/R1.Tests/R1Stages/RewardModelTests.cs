using R1.Models;
using R1.RL;
using R1.Tasks;
using static R1.torch;

namespace R1.Tests.R1Stages;

public class RewardModelTests
{
    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void BradleyTerryLossAndGradientByHand()
    {
        using var scope = NewDisposeScope();
        var chosen = tensor([1.0f, -0.5f, 0.0f], [3], requires_grad: true);
        var rejected = tensor([0.5f, 0.5f, 0.0f], [3], requires_grad: true);
        var loss = RewardModel.BradleyTerryLoss(chosen, rejected);
        double[] d = [0.5, -1.0, 0.0];                                         // r_c − r_r
        double expected = d.Average(x => -Math.Log(Sigmoid(x)));             // (0.474077 + 1.313262 + 0.693147) / 3
        Assert.Equal(0.826829, expected, 5);
        Assert.Equal(expected, loss.item<float>(), 5);
        loss.backward();
        // ∂/∂r_c = −σ(−d)/B and ∂/∂r_r = +σ(−d)/B; at d = 0 exactly ∓1/(2B): a zero-initialised head still learns
        var gc = chosen.grad!.ToArray<float>();
        var gr = rejected.grad!.ToArray<float>();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(-Sigmoid(-d[i]) / 3, gc[i], 6);
            Assert.Equal(Sigmoid(-d[i]) / 3, gr[i], 6);
        }
        Assert.Equal(-0.5 / 3, gc[2], 6);
        Assert.Throws<ArgumentException>(() => RewardModel.BradleyTerryLoss(chosen, tensor([1f, 2f], 2)));
    }

    static readonly GPTConfig Tiny = new(VocabSize: 12, BlockSize: 16, NLayer: 2, NHead: 2, NEmbd: 16);

    [Fact]
    public void ScoreIsTheHeadOnTheTrunksLastRealToken()
    {
        using var gpt = new GPT(Tiny, seed: 7);
        using var rm = RewardModel.FromGPT(gpt);
        using var scope = NewDisposeScope();
        // With the head = wte row 5 and bias 0.25, the score must equal the GPT's logit for token 5 at the last real
        // position, plus 0.25 — the trunk's hidden state is what the tied lm_head reads.
        gpt.transformer.wte.weight.narrow(0, 5, 1).ToArray<float>().CopyTo(rm.score.weight.data<float>());
        rm.score.bias!.data<float>()[0] = 0.25f;
        rm.eval(); gpt.eval();
        long[] row0 = [1, 7, 8, 9, 3, 2], row1 = [1, 7, 8, 0, 0, 0];
        var scores = rm.forward(tensor(row0.Concat(row1).ToArray(), 2, 6)).ToArray<float>();
        using (no_grad())
        {
            var l0 = gpt.forward(tensor(row0, 1, 6));                       // (1, 6, V)
            var l1 = gpt.forward(tensor(row1[..3], 1, 3));                  // (1, 3, V): the padded row alone, unpadded
            Assert.Equal(l0.ToArray<float>()[5 * 12 + 5] + 0.25f, scores[0], 4);
            Assert.Equal(l1.ToArray<float>()[2 * 12 + 5] + 0.25f, scores[1], 4);
        }
        Assert.Contains("all padding", Assert.Throws<ArgumentException>(() => rm.forward(tensor(new long[] { 0, 0 }, 1, 2))).Message);
    }

    // ---- a toy preference: more 'a's is better ----

    static readonly Tokenizer Tok = Tokenizer.FromTexts(["Q: x\nA: ab"], includeAsciiPrintable: false);
    static readonly Example X = new("toy/0", "toy", "en", "Q: x\nA: ", "", "toy", []);

    static List<PreferencePair> ToyPairs(int n, int seed)
    {
        var rng = new Random(seed);
        string Word(int a) => new(Enumerable.Range(0, 6).Select(i => i < a ? 'a' : 'b').OrderBy(_ => rng.Next()).ToArray());
        return Enumerable.Range(0, n).Select(i =>
        {
            int lo = rng.Next(0, 4), hi = rng.Next(lo + 2, 7);
            return new PreferencePair($"toy/{i}", "count", X, Word(hi), Word(lo));
        }).ToList();
    }

    [Fact]
    public void ATinyRewardModelLearnsToRankAToyPreference()
    {
        var config = new GPTConfig(Tok.VocabSize, BlockSize: 16, NLayer: 1, NHead: 2, NEmbd: 16);
        using var rm = new RewardModel(config, seed: 1);
        var test = ToyPairs(64, seed: 2);
        var before = RewardModelTrainer.Evaluate(rm, Tok, test);
        Assert.Equal(Math.Log(2), before.Loss, 5);                           // zero head: every pair at even odds
        var (history, evals) = RewardModelTrainer.Train(rm, Tok, ToyPairs(256, seed: 1),
            new RewardModelConfig { Steps = 30, BatchSize = 16, LearningRate = 1e-2, EvalInterval = 15 }, test);
        var after = RewardModelTrainer.Evaluate(rm, Tok, test);
        Assert.True(after.Accuracy >= 0.9, $"held-out accuracy {after.Accuracy:F2}, loss {after.Loss:F3}; train loss {string.Join(" ", history["loss"].Select(x => x.ToString("F2")))}");
        Assert.True(after.Loss < 0.4, $"held-out loss {after.Loss:F3}");
        Assert.Equal([15, 30], evals.Steps);
        Assert.Equal(after.Accuracy, evals.Last("eval/accuracy"), 6);
        Assert.Equal(after.Accuracy, evals.Last("eval/accuracy/count"), 6);
        Assert.True(history["loss"].TakeLast(5).Average() < history["loss"].Take(5).Average());
    }

    [Fact]
    public void RewardFunctionViewsAndCheckpointRoundTrip()
    {
        var config = new GPTConfig(Tok.VocabSize, BlockSize: 24, NLayer: 1, NHead: 2, NEmbd: 16);
        using var rm = new RewardModel(config, seed: 4);
        var g = new Generator(9);
        using (no_grad()) nn.init.normal_(rm.score.weight, 0, 1, g);          // a non-zero head so scores differ
        string c1 = "<think>aaa</think><answer>ab</answer>", c2 = "<think>bbb</think><answer>ab</answer>";
        var func = rm.AsRewardFunc(Tok);
        Assert.Equal(rm.Score(Tok, X.Prompt, c1), func(X, c1), 6);
        Assert.NotEqual(func(X, c1), func(X, c2), 6);
        var answerOnly = rm.AsReward(Tok, "helpfulness", RewardView.Answer);
        Assert.Equal(answerOnly.Func(X, c1), answerOnly.Func(X, c2), 6);    // the summary is all it reads
        Assert.Equal("<answer>ab</answer>", RewardModel.View(c1 + "<eos>", RewardView.Answer));
        Assert.Equal("<answer></answer>", RewardModel.View("<think>aaa", RewardView.Answer));
        // longer than the context: the end is kept, no exception
        Assert.Equal(24, rm.Encode(Tok, X.Prompt, "<think>" + new string('a', 40) + "</think>").Length);

        var dir = Directory.CreateTempSubdirectory("r1-rm-");
        try
        {
            rm.Save(dir.FullName, Tok);
            var (loaded, tok) = RewardModel.Load(dir.FullName);
            Assert.Equal(rm.Score(Tok, X.Prompt, c1), loaded.Score(tok, X.Prompt, c1), 6);
        }
        finally { dir.Delete(true); }

        // pairs that look the same under the view teach nothing and are refused
        var same = new PreferencePair("p", "unneeded_cot", X, "<think></think><answer>ab</answer>", c1);
        var e = Assert.Throws<ArgumentException>(() => RewardModelTrainer.Train(rm, Tok, [same], new RewardModelConfig { View = RewardView.Answer }));
        Assert.Contains("nothing to learn", e.Message);
    }
}
