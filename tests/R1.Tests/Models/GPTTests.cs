using R1.Models;
using static R1.torch;

namespace R1.Tests.Models;

/// <summary>The GPT against PyTorch golden values (tools/golden/make_golden.py) and against its own KV-cache path.</summary>
public class GPTTests
{
    static readonly GPTConfig Tiny = KVCacheTests.TinyConfig;
    static SafeTensorFile G => GoldenFile.Tiny;

    internal static GPT GoldenModel()
    {
        var m = new GPT(Tiny);
        foreach (var (name, p) in m.named_parameters()) G[name].AsFloats().AsSpan().CopyTo(p.data<float>());
        m.eval();
        return m;
    }

    static Tensor Idx() => tensor(G["idx"].AsLongs(), 3, 16);
    static Tensor Targets() => tensor(G["targets"].AsLongs(), 3, 16);

    [Fact]
    public void ParameterNamesAndShapesAreNanoGPTs()
    {
        using var m = new GPT(Tiny);
        var mine = m.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))).OrderBy(x => x.name, StringComparer.Ordinal).ToList();
        var golden = G.Tensors.Values.Where(t => t.Name.StartsWith("transformer.", StringComparison.Ordinal))
            .Select(t => (t.Name, string.Join(",", t.Shape))).OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(golden, mine);
        Assert.Equal(26720, m.parameter_count());
    }

    [Fact]
    public void LogitsLossAndEveryGradientMatchPyTorch()
    {
        using var m = GoldenModel();
        using var scope = NewDisposeScope();
        var logits = m.forward(Idx());
        KVCacheTests.AssertClose(G["logits"].AsFloats(), logits.ToArray<float>(), 1e-4f, 1e-5f, "logits");
        var loss = m.Loss(Idx(), Targets());
        Assert.Equal(G["loss"].AsFloats()[0], loss.item<float>(), 1e-5f);
        loss.backward();
        foreach (var (name, p) in m.named_parameters())
        {
            var want = G["grad." + name].AsFloats();
            float scale = want.Max(MathF.Abs);
            KVCacheTests.AssertClose(want, p.grad!.ToArray<float>(), 1e-3f, 1e-4f * scale, "grad." + name);
        }
    }

    [Fact]
    public void ThreeAdamWStepsMatchPyTorch()
    {
        using var m = GoldenModel();
        m.train();
        using var opt = optim.AdamW(m.parameters(), lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            m.Loss(Idx(), Targets()).backward();
            opt.step();
        }
        foreach (var (name, p) in m.named_parameters())
        {
            var want = G["adamw." + name].AsFloats();
            var got = p.ToArray<float>();
            if (name.EndsWith("attn.c_attn.bias"))
            {
                // The key bias [C, 2C) has an exactly-zero gradient (q·b_k is the same for every key, and softmax
                // ignores a constant), so both sides step on rounding noise, which Adam divides by ~eps: only
                // require it stays where the noise can take it (|step| ≲ lr·|g|/eps ≈ 1e-4 per step).
                KVCacheTests.AssertClose(want.AsSpan(32, 32), got.AsSpan(32, 32), 0, 1e-3f, "adamw." + name + "[key]");
                want.AsSpan(32, 32).Clear();
                got.AsSpan(32, 32).Clear();
            }
            KVCacheTests.AssertClose(want, got, 1e-4f, 2e-5f, "adamw." + name);
        }
    }

    [Fact]
    public void LogProbsMatchPyTorchAndTheMaskZeroesNonCompletionEntries()
    {
        using var m = GoldenModel();
        using var scope = NewDisposeScope();
        var lp = m.LogProbs(Idx());
        Assert.Equal([3L, 15L], lp.shape);
        var want = G["logprobs"].AsFloats();
        KVCacheTests.AssertClose(want, lp.ToArray<float>(), 1e-4f, 1e-5f, "logprobs");

        // Completion = positions 6.. of each row: column t scores token t+1, so columns 5.. are kept.
        var mask = new long[3 * 16];
        for (int b = 0; b < 3; b++) for (int t = 6; t < 16; t++) mask[b * 16 + t] = 1;
        var masked = m.LogProbs(Idx(), tensor(mask, 3, 16)).ToArray<float>();
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 15; t++)
                Assert.Equal(t >= 5 ? want[b * 15 + t] : 0f, masked[b * 15 + t], 1e-4f);
    }

    [Fact]
    public void LogProbsGradientIsZeroForMaskedTokens()
    {
        using var m = GoldenModel();
        using var scope = NewDisposeScope();
        // Only the last token of row 0 is a completion token: the gradient must come from that single entry.
        var mask = new long[3 * 16];
        mask[15] = 1;
        m.LogProbs(Idx(), tensor(mask, 3, 16)).sum().backward();
        var g1 = m.transformer.wte.weight.grad!.ToArray<float>();
        m.zero_grad();
        var full = m.LogProbs(Idx());
        full.narrow(0, 0, 1).narrow(1, 14, 1).sum().backward();
        KVCacheTests.AssertClose(m.transformer.wte.weight.grad!.ToArray<float>(), g1, 1e-5f, 1e-7f, "wte.grad");
    }

    [Fact]
    public void GenerateGreedyMatchesPyTorch()
    {
        using var m = GoldenModel();
        var prompt = G["greedy.prompt"].AsLongs().Select(x => (int)x).ToArray();
        var want = G["greedy.tokens"].AsLongs().Select(x => (int)x).ToArray();
        int stop = Enumerable.Range(0, 23).First(t => !want.Contains(t));
        var r = m.Generate([prompt], new SamplingOptions { Temperature = 0, MaxNewTokens = 50, StopToken = stop });
        Assert.Equal(want, r.Tokens[0]);
    }

    [Fact]
    public void KVCacheLogitsEqualFullForwardLogits()
    {
        var c = new GPTConfig(VocabSize: 40, BlockSize: 24, NLayer: 3, NHead: 4, NEmbd: 48);
        using var m = new GPT(c, seed: 7);
        m.eval();
        var rnd = new Random(3);
        var seqs = new[] { 24, 9, 17 }.Select(n => Enumerable.Range(0, n).Select(_ => rnd.Next(c.VocabSize)).ToArray()).ToArray();
        var cache = new KVCache(m.RefreshWeights(null), seqs.Length, c.BlockSize);
        foreach (var (s, b) in seqs.Select((s, b) => (s, b)))
        {
            using var scope = NewDisposeScope();
            var want = m.forward(tensor(s.Select(x => (long)x).ToArray(), 1, s.Length)).ToArray<float>();
            // prefill the first third, then one token at a time
            int pre = s.Length / 3;
            var got = new float[s.Length * c.VocabSize];
            cache.Forward(Enumerable.Repeat(b, pre).ToArray(), s[..pre], Enumerable.Range(0, pre).ToArray(), got);
            for (int t = pre; t < s.Length; t++) cache.Forward([b], [s[t]], [0], got.AsSpan(t * c.VocabSize));
            KVCacheTests.AssertClose(want, got, 1e-4f, 1e-5f, $"sequence {b} logits");
        }
    }

    [Fact]
    public void GenerateSeesWeightUpdates()
    {
        using var m = GoldenModel();
        var o = new SamplingOptions { Temperature = 0, MaxNewTokens = 5, StopToken = 22 };
        var before = m.Generate([[1, 2, 3]], o).LogProbs[0];
        using (no_grad()) m.transformer.ln_f.weight!.mul_(3f);
        var after = m.Generate([[1, 2, 3]], o).LogProbs[0];
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void BadTokenIdsAndShapesAreClearErrors()
    {
        using var m = new GPT(Tiny);
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.forward(tensor(new long[] { 1, 2, 23, 4 }, 2, 2)));
        Assert.Contains("token id 23 at row 1, position 0 is out of range for vocabulary size 23", e.Message);
        Assert.Contains("exceeds the model's context", Assert.Throws<ArgumentException>(() => m.forward(zeros([1, 17], int64))).Message);
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => m.forward(zeros(1, 4))).Message);
        Assert.Contains("at least 2 tokens", Assert.Throws<ArgumentException>(() => m.LogProbs(zeros([2, 1], int64))).Message);
    }

    [Fact]
    public void ConfigValidationNamesTheField()
    {
        Assert.Contains("multiple of NHead", Assert.Throws<ArgumentException>(() => new GPTConfig(10, NEmbd: 30, NHead: 4).Validate()).Message);
        Assert.Contains("VocabSize", Assert.Throws<ArgumentException>(() => new GPTConfig(0).Validate()).Message);
        var c = new GPTConfig(10, BlockSize: 8);
        Assert.Equal(c, GPTConfig.FromJson(c.ToJson()));
    }
}
