using R1.RL;
using R1.RL.Bandits;

namespace R1.Tests.Nb01;

public class BanditTests
{
    static readonly BernoulliBandit Easy = new(0.5, 0.6, 0.7, 0.8, 0.9);
    static readonly double[] Logits = [0.3, -0.2, 0.1, 0.0, -0.4];

    [Fact]
    public void ExactGradientMatchesFiniteDifferences()
    {
        var g = BanditGradient.Exact(Easy, Logits);
        const double h = 1e-6;
        for (int j = 0; j < Logits.Length; j++)
        {
            var plus = (double[])Logits.Clone();
            var minus = (double[])Logits.Clone();
            plus[j] += h;
            minus[j] -= h;
            double fd = (Easy.ExpectedReward(SoftmaxPolicy.Probabilities(plus)) - Easy.ExpectedReward(SoftmaxPolicy.Probabilities(minus))) / (2 * h);
            Assert.Equal(fd, g[j], 1e-8);
        }
    }

    [Fact]
    public void TwoArmVarianceByHand()
    {
        // π = (½, ½), arms pay 0 and 1 for sure: J = ½, ∇J = (−¼, ¼), ‖e_a − π‖² = ½ for both arms, so
        // one sample has E‖ĝ‖² = ¼(b² + (1 − b)²) and variance E‖ĝ‖² − ⅛: ⅛ at b = 0 and 0 at b = ½.
        var sure = new BernoulliBandit(0, 1);
        double[] uniform = [0, 0];
        Assert.Equal([-0.25, 0.25], BanditGradient.Exact(sure, uniform));
        Assert.Equal(0.125, BanditGradient.Variance(sure, uniform, baseline: 0), 12);
        Assert.Equal(0.0, BanditGradient.Variance(sure, uniform, baseline: 0.5), 12);
        Assert.Equal(0.125 / 4, BanditGradient.Variance(sure, uniform, baseline: 0, batchSize: 4), 12);
        Assert.Equal(0.5, BanditGradient.OptimalBaseline(sure, uniform), 12);
    }

    [Fact]
    public void SampledVarianceMatchesTheExactFormula()
    {
        var s = BanditGradient.Measure(Easy, Logits, Baseline.None, batchSize: 4, batches: 20000, seed: 1);
        double exact = BanditGradient.Variance(Easy, Logits, baseline: 0, batchSize: 4);
        Assert.InRange(s.Variance / exact, 0.95, 1.05);
        Assert.True(s.RelativeBias < 0.05, $"relative bias {s.RelativeBias}");
    }

    [Fact]
    public void OptimalBaselineMinimisesVariance()
    {
        double b = BanditGradient.OptimalBaseline(Easy, Logits);
        double v = BanditGradient.Variance(Easy, Logits, b);
        Assert.True(v < BanditGradient.Variance(Easy, Logits, b + 0.01));
        Assert.True(v < BanditGradient.Variance(Easy, Logits, b - 0.01));
        // a weighted mean of the arms' payoffs, so between the worst and the best
        Assert.InRange(b, 0.5, 0.9);
    }

    [Theory]
    [InlineData(Baseline.None)]
    [InlineData(Baseline.RunningMean)]
    [InlineData(Baseline.LeaveOneOut)]
    public void UnbiasedEstimatorsAverageToTheExactGradient(Baseline baseline)
    {
        var s = BanditGradient.Measure(Easy, Logits, baseline, batchSize: 8, batches: 20000, seed: 2);
        Assert.True(s.RelativeBias < 0.05, $"{baseline}: relative bias {s.RelativeBias}");
        Assert.InRange(s.MeanCosine, 0, 1);
    }

    [Fact]
    public void BaselinesCutVarianceWhenRewardsSitFarFromZero()
    {
        var none = BanditGradient.Measure(Easy, Logits, Baseline.None, batchSize: 8, batches: 5000, seed: 3);
        var loo = BanditGradient.Measure(Easy, Logits, Baseline.LeaveOneOut, batchSize: 8, batches: 5000, seed: 3);
        var running = BanditGradient.Measure(Easy, Logits, Baseline.RunningMean, batchSize: 8, batches: 5000, seed: 3);
        var group = BanditGradient.Measure(Easy, Logits, Baseline.Group, batchSize: 8, batches: 5000, seed: 3);
        Assert.True(loo.Variance < 0.5 * none.Variance, $"LOO {loo.Variance} vs none {none.Variance}");
        Assert.True(running.Variance < 0.5 * none.Variance, $"running mean {running.Variance} vs none {none.Variance}");
        Assert.True(group.NoiseToSignal < 0.5 * none.NoiseToSignal, $"group {group.NoiseToSignal} vs none {none.NoiseToSignal}");
        Assert.True(loo.MeanCosine > none.MeanCosine);
        // the group estimate is rescaled by 1/std, so its mean is not ∇J, though it points the same way
        Assert.True(group.RelativeBias > 0.2, $"group relative bias {group.RelativeBias}");
    }

    [Fact]
    public void TrainingClimbsTowardTheBestArm()
    {
        var curve = BanditGradient.Train(Easy, Baseline.LeaveOneOut, steps: 300, batchSize: 8, learningRate: 2, seed: 4);
        Assert.Equal(301, curve.Length);
        Assert.Equal(0.7, curve[0], 12);   // uniform policy: the mean of the payoffs
        Assert.True(curve[^1] > 0.85, $"J after training {curve[^1]}");
    }

    [Fact]
    public void RunningMeanTracksTheRewards()
    {
        var e = new ReinforceEstimator(Easy, Baseline.RunningMean, batchSize: 16);
        var g = new double[Easy.Arms];
        var rng = new Random(5);
        double[] uniform = new double[Easy.Arms];
        for (int i = 0; i < 300; i++) e.Estimate(uniform, rng, g);
        Assert.InRange(e.RunningMean, 0.6, 0.8);   // J = 0.7 at the uniform policy
    }

    [Fact]
    public void GroupEstimateIsZeroWhenAllRewardsAgree()
    {
        var same = new BernoulliBandit(1, 1, 1);
        var e = new ReinforceEstimator(same, Baseline.Group, batchSize: 4);
        var g = new double[3];
        Assert.Equal(1.0, e.Estimate([0.5, 0, -0.5], new Random(6), g));
        Assert.All(g, x => Assert.Equal(0.0, x, 12));
    }

    [Fact]
    public void BadInputsSayWhatWasExpected()
    {
        Assert.Contains("at least 2 arms", Assert.Throws<ArgumentException>(() => new BernoulliBandit(0.5)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new BernoulliBandit(0.5, 1.5)).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentOutOfRangeException>(() => new ReinforceEstimator(Easy, Baseline.LeaveOneOut, 1)).Message);
        Assert.Contains("one per arm", Assert.Throws<ArgumentException>(() => BanditGradient.Exact(Easy, [0, 0])).Message);
        Assert.Contains("∇J is 0", Assert.Throws<ArgumentException>(() =>
            BanditGradient.Measure(new BernoulliBandit(0.5, 0.5), [0, 0], Baseline.None, 4)).Message);
    }
}

public class KlEstimatesTests
{
    // p = (½, ½), q = (¼, ¾): KL = ½ ln 2 + ½ ln ⅔ = ½ ln(4/3)
    static readonly double[] P = [0.5, 0.5];
    static readonly double[] Q = [0.25, 0.75];
    static readonly double KlExact = 0.5 * Math.Log(4.0 / 3.0);

    [Fact]
    public void K1ByHand()
    {
        // k1 = log p − log q: ln 2 on x = 0, ln ⅔ < 0 on x = 1
        var s = KlEstimates.Stats(KlEstimator.K1, P, Q);
        Assert.Equal(KlExact, s.Mean, 12);
        Assert.Equal(0.0, s.Bias, 12);
        Assert.Equal(0.5 * (Math.Log(2) - Math.Log(2.0 / 3.0)), s.Std, 12);
        Assert.Equal(0.5, s.NegativeShare, 12);
    }

    [Fact]
    public void K2ByHand()
    {
        double a = 0.5 * Math.Log(2) * Math.Log(2), b = 0.5 * Math.Log(2.0 / 3.0) * Math.Log(2.0 / 3.0);
        var s = KlEstimates.Stats(KlEstimator.K2, P, Q);
        Assert.Equal(0.5 * (a + b), s.Mean, 12);
        Assert.Equal(0.5 * (a + b) - KlExact, s.Bias, 12);
        Assert.True(s.Bias > 0);
        Assert.Equal(0.5 * (a - b), s.Std, 12);
        Assert.Equal(0.0, s.NegativeShare);
    }

    [Fact]
    public void K3ByHand()
    {
        // k3 = (q/p − 1) − ln(q/p): ½ − 1 + ln 2 on x = 0, 3/2 − 1 − ln(3/2) on x = 1
        double a = -0.5 + Math.Log(2), b = 0.5 - Math.Log(1.5);
        var s = KlEstimates.Stats(KlEstimator.K3, P, Q);
        Assert.Equal(KlExact, s.Mean, 12);
        Assert.Equal(0.0, s.Bias, 12);
        Assert.Equal(0.5 * (a - b), s.Std, 12);
        Assert.Equal(0.0, s.NegativeShare);
    }

    [Theory]
    [InlineData(KlEstimator.K1)]
    [InlineData(KlEstimator.K2)]
    [InlineData(KlEstimator.K3)]
    public void SamplesAverageToTheExactMean(KlEstimator estimator)
    {
        double[] p = SoftmaxPolicy.Probabilities([0.5, -1, 0.2, 1.3]);
        double[] q = SoftmaxPolicy.Probabilities([0.1, 0.4, -0.6, 1.0]);
        var s = KlEstimates.Stats(estimator, p, q);
        var x = KlEstimates.Sample(estimator, p, q, 40000, new Random(7));
        double mean = x.Average();
        Assert.True(Math.Abs(mean - s.Mean) < 4 * s.Std / Math.Sqrt(x.Length), $"{estimator}: sampled {mean}, exact {s.Mean}");
        if (estimator != KlEstimator.K1) Assert.All(x, v => Assert.True(v >= 0));
    }

    [Fact]
    public void BadDistributionsAreRejected()
    {
        Assert.Contains("infinite", Assert.Throws<ArgumentException>(() => KlEstimates.Stats(KlEstimator.K3, P, [1.0, 0.0])).Message);
        Assert.Contains("summing to 1", Assert.Throws<ArgumentException>(() => KlEstimates.Stats(KlEstimator.K3, P, [0.5, 0.6])).Message);
        Assert.Contains("same positive length", Assert.Throws<ArgumentException>(() => KlEstimates.Stats(KlEstimator.K3, P, [1.0])).Message);
    }
}
