using R1.RL;

namespace R1.Tests.RL;

public class AdvantagesTests
{
    [Fact]
    public void GroupScalingByHand()
    {
        // group {1, 0, 0.5}: mean 0.5, unbiased std sqrt((0.25 + 0.25 + 0) / 2) = 0.5
        var a = Advantages.Group([1.0, 0.0, 0.5], 3);
        Assert.Equal(0.5 / 0.5001, a[0], 12);
        Assert.Equal(-0.5 / 0.5001, a[1], 12);
        Assert.Equal(0.0, a[2], 12);
    }

    [Fact]
    public void BatchScalingAndNoneByHand()
    {
        // groups {0, 2} and {4, 4}: batch mean 2.5, unbiased batch std sqrt((6.25 + 0.25 + 2.25 + 2.25) / 3)
        double[] r = [0.0, 2.0, 4.0, 4.0];
        double std = Math.Sqrt(11.0 / 3);
        var batch = Advantages.Group(r, 2, AdvantageScale.Batch);
        Assert.Equal(-1 / (std + 1e-4), batch[0], 12);
        Assert.Equal(1 / (std + 1e-4), batch[1], 12);
        Assert.Equal(0.0, batch[2], 12);
        Assert.Equal([-1.0, 1.0, 0.0, 0.0], Advantages.Group(r, 2, AdvantageScale.None));
    }

    [Fact]
    public void MatchesPyTorchGolden()
    {
        var c = Golden.Root.GetProperty("advantage_cases");
        var r = Golden.Vector(c.GetProperty("rewards"));
        int g = c.GetProperty("group_size").GetInt32();
        Golden.Close(Golden.Vector(c.GetProperty("group")), Advantages.Group(r, g, AdvantageScale.Group), 1e-12, "group");
        Golden.Close(Golden.Vector(c.GetProperty("batch")), Advantages.Group(r, g, AdvantageScale.Batch), 1e-12, "batch");
        Golden.Close(Golden.Vector(c.GetProperty("none")), Advantages.Group(r, g, AdvantageScale.None), 1e-12, "none");
        Golden.Close(Golden.Vector(c.GetProperty("rloo")), Advantages.Rloo(r, g), 1e-12, "rloo");
        Assert.Equal(c.GetProperty("zero_std_groups").EnumerateArray().Select(x => x.GetBoolean()), Advantages.ZeroStdGroups(r, g));
    }

    [Fact]
    public void RlooLeavesOneOut()
    {
        // {3, 1, 2}: baselines (1+2)/2, (3+2)/2, (3+1)/2
        Assert.Equal([1.5, -1.5, 0.0], Advantages.Rloo([3.0, 1.0, 2.0], 3));
    }

    [Fact]
    public void ReinforceBaselineIsBatchMean()
    {
        Assert.Equal([-1.0, 1.0, 0.0], Advantages.Reinforce([1.0, 3.0, 2.0]));
        Assert.Equal([1.0, 3.0, 2.0], Advantages.Reinforce([1.0, 3.0, 2.0], subtractMean: false));
    }

    [Fact]
    public void ZeroStdGroupGetsZeroAdvantageNotNaN()
    {
        var a = Advantages.Group([1.0, 1.0, 1.0, 0.0, 1.0, 0.5], 3);
        Assert.Equal([0.0, 0.0, 0.0], a[..3]);
        Assert.All(a, x => Assert.False(double.IsNaN(x)));
        Assert.Equal([true, false], Advantages.ZeroStdGroups([1.0, 1.0, 1.0, 0.0, 1.0, 0.5], 3));
    }

    [Fact]
    public void BadShapesAreRejectedWithClearMessages()
    {
        var e = Assert.Throws<ArgumentException>(() => Advantages.Group([1.0, 2.0, 3.0], 2));
        Assert.Contains("multiple of groupSize 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Advantages.Group([1.0, 2.0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Advantages.Rloo([1.0, 2.0], 1));
    }

    [Fact]
    public void DynamicSamplingKeepsGroupsWithSpread()
    {
        Assert.Equal([2, 3], Dapo.KeptRows([1.0, 1.0, 0.0, 1.0, 0.5, 0.5], 2));
    }

    [Fact]
    public void OverlongFilteringZeroesTruncatedRows()
    {
        float[] mask = [1, 1, 0, 1, 1, 1, 1, 1, 1];
        Dapo.MaskTruncated(mask, 3, [false, true, false]);
        Assert.Equal([1f, 1, 0, 0, 0, 0, 1, 1, 1], mask);
    }
}

public class KlTests
{
    [Fact]
    public void EstimatorsByHand()
    {
        // logp = log 0.5, ref = log 0.25: r = ref − logp = −ln 2
        double lp = Math.Log(0.5), rf = Math.Log(0.25), r = -Math.Log(2);
        Assert.Equal(Math.Log(2), Kl.Estimate(KlEstimator.K1, lp, rf), 12);
        Assert.Equal(0.5 * r * r, Kl.Estimate(KlEstimator.K2, lp, rf), 12);
        Assert.Equal(0.5 - 1 + Math.Log(2), Kl.Estimate(KlEstimator.K3, lp, rf), 12);
        Assert.Equal(0.0, Kl.Estimate(KlEstimator.K3, lp, lp));
    }

    [Fact]
    public void MatchesPyTorchGolden()
    {
        var lp = Golden.Matrix(Golden.Root.GetProperty("logp"));
        var rf = Golden.Matrix(Golden.Root.GetProperty("ref_logp"));
        var kl = Golden.Root.GetProperty("kl");
        var dst = new double[lp.Length];
        foreach (var (est, name) in new[] { (KlEstimator.K1, "k1"), (KlEstimator.K2, "k2"), (KlEstimator.K3, "k3") })
        {
            Kl.Estimate(est, lp, rf, dst);
            Golden.Close(Golden.Matrix(kl.GetProperty(name)), dst, 1e-12, name);
        }
    }

    [Fact]
    public void K1AndK3AreUnbiasedK2IsNot()
    {
        // p = (0.7, 0.2, 0.1), q = (0.4, 0.4, 0.2): the expectation of each estimator under p, computed exactly.
        double[] p = [0.7, 0.2, 0.1], q = [0.4, 0.4, 0.2];
        double exact = Kl.Exact(p, q);
        double Expect(KlEstimator k) => p.Select((pi, i) => pi * Kl.Estimate(k, Math.Log(pi), Math.Log(q[i]))).Sum();
        Assert.Equal(exact, Expect(KlEstimator.K1), 12);
        Assert.Equal(exact, Expect(KlEstimator.K3), 12);
        Assert.NotEqual(exact, Expect(KlEstimator.K2), 3);
        Assert.Equal(0.7 * Math.Log(0.7 / 0.4) + 0.2 * Math.Log(0.5) + 0.1 * Math.Log(0.5), exact, 12);
    }
}

public class GaeTests
{
    [Fact]
    public void ByHand()
    {
        // γ = 0.9, λ = 0.8, episode ends after step 2:
        // δ2 = 2 − 0.2 = 1.8;  δ1 = 0 + 0.9·0.2 − 1 = −0.82;  δ0 = 1 + 0.9·1 − 0.5 = 1.4
        // A2 = 1.8;  A1 = −0.82 + 0.72·1.8 = 0.476;  A0 = 1.4 + 0.72·0.476 = 1.74272
        var (a, r) = Gae.Compute([1.0, 0.0, 2.0], [0.5, 1.0, 0.2], [false, false, true], 0.9, 0.8);
        Assert.Equal(1.74272, a[0], 12); Assert.Equal(0.476, a[1], 12); Assert.Equal(1.8, a[2], 12);
        Assert.Equal(2.24272, r[0], 12); Assert.Equal(1.476, r[1], 12); Assert.Equal(2.0, r[2], 12);
    }

    [Fact]
    public void LambdaLimits()
    {
        double[] rew = [1.0, 0.0, 2.0], val = [0.5, 1.0, 0.2];
        bool[] done = [false, false, true];
        // λ = 1, γ = 1: Monte-Carlo return minus value
        Assert.Equal([2.5, 1.0, 1.8], Gae.Compute(rew, val, done, 1.0, 1.0).Advantages.Select(x => Math.Round(x, 12)));
        // λ = 0: the one-step TD errors
        Assert.Equal([1.4, -0.82, 1.8], Gae.Compute(rew, val, done, 0.9, 0.0).Advantages.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void DoneStopsBootstrapAndLastValueBootstraps()
    {
        // two episodes [1] and [0, 1] in one buffer, buffer ends mid-episode with V(next) = 10; γ = 0.5, λ = 1
        // t2: 1 + 0.5·10 − 0 = 6;  t1: 0 + 0.5·0 − 0 + 0.5·6 = 3;  t0 (done): 1 − 0 = 1
        var (a, _) = Gae.Compute([1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [true, false, false], 0.5, 1.0, lastValue: 10);
        Assert.Equal([1.0, 3.0, 6.0], a);
    }
}

public class KlTensorTests
{
    [Fact]
    public void TensorFormMatchesPyTorchGolden()
    {
        int B = Golden.Root.GetProperty("B").GetInt32(), T = Golden.Root.GetProperty("T").GetInt32();
        var lp = R1.torch.tensor(Golden.Matrix(Golden.Root.GetProperty("logp")).Select(x => (float)x).ToArray(), B, T);
        var rf = R1.torch.tensor(Golden.Matrix(Golden.Root.GetProperty("ref_logp")).Select(x => (float)x).ToArray(), B, T);
        foreach (var (est, name) in new[] { (KlEstimator.K1, "k1"), (KlEstimator.K2, "k2"), (KlEstimator.K3, "k3") })
        {
            var got = Kl.Estimate(est, lp, rf).ToFloatArray().Select(x => (double)x).ToArray();
            Golden.Close(Golden.Matrix(Golden.Root.GetProperty("kl").GetProperty(name)), got, 1e-6, name);
        }
    }
}
