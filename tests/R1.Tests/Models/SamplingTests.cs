using R1.Models;

namespace R1.Tests.Models;

public class SamplingTests
{
    static readonly GPTWeights W = KVCacheTests.GoldenWeights();
    static int[] Ints(long[] a) => a.Select(x => (int)x).ToArray();
    static int[] GoldenPrompt => Ints(GoldenFile.Tiny["greedy.prompt"].AsLongs());
    static int[] GoldenGreedy => Ints(GoldenFile.Tiny["greedy.tokens"].AsLongs());
    static int UnusedStop => Enumerable.Range(0, 23).First(t => !GoldenGreedy.Contains(t));

    [Fact]
    public void GreedyMatchesPyTorchGreedy()
    {
        var r = Sampler.Generate(W, [GoldenPrompt], new SamplingOptions { Temperature = 0, MaxNewTokens = 100, StopToken = UnusedStop });
        Assert.Equal(GoldenGreedy, r.Tokens[0]);   // 11 tokens: stopped by the 16-token context, not by MaxNewTokens
        Assert.False(r.Finished[0]);
    }

    [Fact]
    public void TopKOneAndTinyTopPAreGreedy()
    {
        var o = new SamplingOptions { MaxNewTokens = 11, StopToken = UnusedStop, Seed = 5 };
        Assert.Equal(GoldenGreedy, Sampler.Generate(W, [GoldenPrompt], o with { TopK = 1 }).Tokens[0]);
        Assert.Equal(GoldenGreedy, Sampler.Generate(W, [GoldenPrompt], o with { TopP = 1e-4f }).Tokens[0]);
    }

    [Fact]
    public void StopsAtTheStopTokenAndIncludesIt()
    {
        int stop = GoldenGreedy[3];
        int first = Array.IndexOf(GoldenGreedy, stop);
        var r = Sampler.Generate(W, [GoldenPrompt, GoldenPrompt[..2]], new SamplingOptions { Temperature = 0, MaxNewTokens = 3, StopToken = stop });
        Assert.Equal(GoldenGreedy[..Math.Min(first + 1, 3)], r.Tokens[0]);
        Assert.Equal(first < 3, r.Finished[0]);
        Assert.True(r.Tokens[1].Length == 3 || r.Tokens[1][^1] == stop);
        var padded = r.Padded(padId: 0);
        Assert.Equal(2, padded.GetLength(0));
    }

    [Fact]
    public void SameSeedSameTokensDifferentSeedDifferentTokens()
    {
        var prompts = new[] { GoldenPrompt, GoldenPrompt, GoldenPrompt[..1] };
        var o = new SamplingOptions { MaxNewTokens = 10, Seed = 42, StopToken = UnusedStop, Temperature = 1.5f };
        var a = Sampler.Generate(W, prompts, o);
        var b = Sampler.Generate(W, prompts, o);
        var c = Sampler.Generate(W, prompts, o with { Seed = 43 });
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(a.LogProbs, b.LogProbs);
        Assert.NotEqual(a.Tokens, c.Tokens);
        Assert.NotEqual(a.Tokens[0], a.Tokens[1]);   // identical prompts get their own random streams
    }

    [Fact]
    public void ASequenceDoesNotDependOnItsBatchMates()
    {
        var o = new SamplingOptions { MaxNewTokens = 9, Seed = 7, StopToken = UnusedStop };
        var batch = Sampler.Generate(W, [GoldenPrompt[..2], GoldenPrompt, GoldenPrompt[..4]], o);
        var alone = Sampler.Generate(W, [GoldenPrompt[..2]], o);
        Assert.Equal(alone.Tokens[0], batch.Tokens[0]);
        Assert.Equal(alone.LogProbs[0], batch.LogProbs[0]);

        // 40 live sequences: rows are split into per-core groups; greedy results must equal each sequence alone.
        var many = Enumerable.Range(0, 40).Select(i => GoldenPrompt[..(1 + i % 5)]).ToList();
        var greedy = o with { Temperature = 0 };
        var big = Sampler.Generate(W, many, greedy);
        foreach (int i in new[] { 0, 17, 39 })
        {
            var one = Sampler.Generate(W, [many[i]], greedy);
            Assert.Equal(one.Tokens[0], big.Tokens[i]);
            for (int t = 0; t < one.LogProbs[0].Length; t++) Assert.Equal(one.LogProbs[0][t], big.LogProbs[i][t], 1e-5f);
        }
        Assert.Equal(Sampler.Generate(W, [many[0]], o).Tokens[0], Sampler.Generate(W, many, o).Tokens[0]);   // sampled: stream 0 both times
    }

    [Fact]
    public void LogProbsAreTheModelsTemperatureOneLogSoftmax()
    {
        var prompt = GoldenPrompt;
        var r = Sampler.Generate(W, [prompt], new SamplingOptions { MaxNewTokens = 8, Seed = 3, Temperature = 0.7f, TopK = 5, StopToken = UnusedStop });
        var seq = prompt.Concat(r.Tokens[0]).ToArray();
        var cache = new KVCache(W, 1, seq.Length);
        var logits = new float[seq.Length * 23];
        cache.Forward(new int[seq.Length], seq, Enumerable.Range(0, seq.Length).ToArray(), logits);
        for (int i = 0; i < r.Tokens[0].Length; i++)
        {
            var row = logits.AsSpan((prompt.Length - 1 + i) * 23, 23);
            double max = row.ToArray().Max(), z = 0;
            foreach (var v in row) z += Math.Exp(v - max);
            double expected = row[r.Tokens[0][i]] - max - Math.Log(z);
            Assert.Equal(expected, r.LogProbs[0][i], 4);
        }
    }

    [Fact]
    public void TemperatureTopKAndTopPGiveTheRightDistributions()
    {
        float[] logits = [0, MathF.Log(2), MathF.Log(3), -30]; // p ≈ 1/6, 2/6, 3/6, 0
        double[] Freq(SamplingOptions o)
        {
            var counts = new double[4];
            ulong rng = 99;
            float[] p = new float[4], k = new float[4];
            int[] idx = new int[4];
            const int n = 60000;
            for (int i = 0; i < n; i++) counts[Sampler.SampleToken(logits, o, ref rng, p, k, idx, out _)]++;
            return counts.Select(c => c / n).ToArray();
        }
        void Near(double[] expected, double[] got)
        {
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) < 0.01, $"p[{i}]: expected {expected[i]:F4}, got {got[i]:F4}");
        }
        Near([1 / 6.0, 2 / 6.0, 3 / 6.0, 0], Freq(new SamplingOptions()));
        double s = 1 + Math.Sqrt(2) + Math.Sqrt(3);
        Near([1 / s, Math.Sqrt(2) / s, Math.Sqrt(3) / s, 0], Freq(new SamplingOptions { Temperature = 2 }));
        Near([0, 0.4, 0.6, 0], Freq(new SamplingOptions { TopK = 2 }));
        Near([0, 0.4, 0.6, 0], Freq(new SamplingOptions { TopP = 0.6f }));    // {2} holds 0.5 < 0.6, so {2, 1}
        Near([0, 0, 1, 0], Freq(new SamplingOptions { TopP = 0.5f }));        // {2} alone reaches 0.5
        Near([0, 0, 1, 0], Freq(new SamplingOptions { Temperature = 0 }));
    }

    [Fact]
    public void BadPromptsAndOptionsAreClearErrors()
    {
        Assert.Contains("Prompt 1 token 0 is id 23, out of range for vocabulary size 23",
            Assert.Throws<ArgumentOutOfRangeException>(() => Sampler.Generate(W, [[1], [23]], new SamplingOptions())).Message);
        Assert.Contains("leaving no room", Assert.Throws<ArgumentException>(() => Sampler.Generate(W, [new int[16]], new SamplingOptions())).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Sampler.Generate(W, [[]], new SamplingOptions())).Message);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => Sampler.Generate(W, [[1]], new SamplingOptions { TopP = 0 })).Message);
    }
}
