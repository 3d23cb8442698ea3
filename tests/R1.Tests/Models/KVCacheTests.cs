using R1.Models;

namespace R1.Tests.Models;

public class KVCacheTests
{
    internal static readonly GPTConfig TinyConfig = new(VocabSize: 23, BlockSize: 16, NLayer: 2, NHead: 2, NEmbd: 32);

    internal static GPTWeights GoldenWeights() => GPTWeights.From(TinyConfig, n => GoldenFile.Tiny[n].AsFloats());

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float rtol, float atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(MathF.Abs(expected[i] - actual[i]) <= atol + rtol * MathF.Abs(expected[i])))
                Assert.Fail($"{what}[{i}]: expected {expected[i]}, got {actual[i]} (|diff| {MathF.Abs(expected[i] - actual[i])})");
    }

    [Fact]
    public void PrefillLogitsMatchPyTorch()
    {
        var idx = GoldenFile.Tiny["idx"].AsLongs();
        int B = 3, T = 16, V = 23;
        var cache = new KVCache(GoldenWeights(), B, T);
        var slots = Enumerable.Range(0, B * T).Select(r => r / T).ToArray();
        var logits = new float[B * T * V];
        cache.Forward(slots, idx.Select(t => (int)t).ToArray(), Enumerable.Range(0, B * T).ToArray(), logits);
        AssertClose(GoldenFile.Tiny["logits"].AsFloats(), logits, 1e-4f, 1e-5f, "logits");
    }

    [Fact]
    public void TokenByTokenDecodingMatchesPyTorchFullForward()
    {
        var idx = GoldenFile.Tiny["idx"].AsLongs();
        var golden = GoldenFile.Tiny["logits"].AsFloats();
        int B = 3, T = 16, V = 23;
        var cache = new KVCache(GoldenWeights(), B, T);
        // Slot 0 prefilled with 5 tokens, slot 1 with 1, slot 2 with 9 (ragged), then one token per slot per step.
        int[] pre = [5, 1, 9];
        var step = new float[B * V];
        var got = new float[B * T * V];
        for (int b = 0; b < B; b++)
        {
            var toks = Enumerable.Range(0, pre[b]).Select(t => (int)idx[b * T + t]).ToArray();
            var rows = Enumerable.Range(0, pre[b]).ToArray();
            var buf = new float[pre[b] * V];
            cache.Forward(Enumerable.Repeat(b, pre[b]).ToArray(), toks, rows, buf);
            buf.CopyTo(got, b * T * V);
        }
        for (int t = 0; t < T; t++)
        {
            var live = Enumerable.Range(0, B).Where(b => cache.Length[b] < T).ToArray();
            if (live.Length == 0) break;
            var toks = live.Select(b => (int)idx[b * T + cache.Length[b]]).ToArray();
            var pos = live.Select(b => cache.Length[b]).ToArray();
            cache.Forward(live, toks, Enumerable.Range(0, live.Length).ToArray(), step);
            for (int i = 0; i < live.Length; i++) step.AsSpan(i * V, V).CopyTo(got.AsSpan((live[i] * T + pos[i]) * V, V));
        }
        AssertClose(golden, got, 1e-4f, 1e-5f, "logits");
    }

    [Fact]
    public void FullCacheAndBadTokenAreErrors()
    {
        var cache = new KVCache(GoldenWeights(), 1, 2);
        var l = new float[23];
        Assert.Contains("out of range", Assert.Throws<ArgumentOutOfRangeException>(() => cache.Forward([0], [23], [0], l)).Message);
        Assert.Equal(0, cache.Length[0]);
        cache.Forward([0, 0], [1, 2], [1], l);
        Assert.Contains("full", Assert.Throws<InvalidOperationException>(() => cache.Forward([0], [1], [0], l)).Message);
        Assert.Equal(2, cache.Length[0]);
    }
}

public class AttendRowTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(7, 32)]
    [InlineData(130, 64)]
    [InlineData(33, 40)]
    [InlineData(64, 32)]
    public void SimdAttentionMatchesPlainTwin(int n, int D)
    {
        var rnd = new Random(n * 100 + D);
        float[] R(int len) => Enumerable.Range(0, len).Select(_ => (float)(rnd.NextDouble() * 4 - 2)).ToArray();
        int n8 = (n + 7) / 8 * 8;
        var (q, Kb, V) = (R(D), R(n8 * D), R(n * D));      // keys in blocks of 8 positions: (n8/8, D, 8)
        var (y1, y2) = (new float[D], new float[D]);
        KVCache.AttendRow(q, Kb, V, n, D, 0.3f, new float[n8], y1);
        KVCache.AttendRowPlain(q, Kb, V, n, D, 0.3f, new float[n8], y2);
        KVCacheTests.AssertClose(y2, y1, 1e-5f, 1e-6f, "y");
        // and the plain twin against the definition, in doubles
        double Key(int j, int d) => Kb[((j / 8) * D + d) * 8 + j % 8];
        var s = Enumerable.Range(0, n).Select(j => 0.3 * Enumerable.Range(0, D).Sum(d => q[d] * Key(j, d))).ToArray();
        var p = s.Select(x => Math.Exp(x - s.Max())).ToArray();
        var want = Enumerable.Range(0, D).Select(d => (float)(Enumerable.Range(0, n).Sum(j => p[j] * V[j * D + d]) / p.Sum())).ToArray();
        KVCacheTests.AssertClose(want, y2, 1e-5f, 1e-6f, "y (definition)");
    }
}
