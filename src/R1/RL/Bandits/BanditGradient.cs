namespace R1.RL.Bandits;

/// <summary>What REINFORCE subtracts from each sampled reward before it scales ∇log π(a).</summary>
public enum Baseline
{
    /// <summary>A = r: vanilla REINFORCE.</summary>
    None,
    /// <summary>A = r − b, b an exponential moving average of past batches' rewards (REINFORCE with baseline,
    /// as in Sutton and Barto). b is updated after the batch is scored, so it never depends on the samples it scores.</summary>
    RunningMean,
    /// <summary>A_i = r_i − mean of the other N−1 rewards of the batch (RLOO): unbiased, no state.</summary>
    LeaveOneOut,
    /// <summary>A_i = (r_i − batch mean) / (batch std + ε): GRPO's group baseline with the batch as the group.
    /// The 1/std rescales the gradient, so its mean is not ∇J itself but points the same way.</summary>
    Group,
}

/// <summary>How one batch's gradient estimate ĝ compares with the exact ∇J, measured over many batches at a fixed policy.</summary>
/// <param name="RelativeBias">‖E ĝ − ∇J‖ / ‖∇J‖ (Monte-Carlo noise of order √(Variance / batches) / ‖∇J‖ included).</param>
/// <param name="Variance">Σ_j Var(ĝ_j): the trace of the estimate's covariance.</param>
/// <param name="NoiseToSignal">Variance / ‖E ĝ‖²: scale-free, so an estimator that rescales (GRPO's 1/std) compares fairly.</param>
/// <param name="MeanCosine">Mean over batches of cos(ĝ, ∇J): how well one batch points uphill (a zero ĝ counts 0).</param>
public sealed record GradientStats(double RelativeBias, double Variance, double NoiseToSignal, double MeanCosine);

/// <summary>
/// The REINFORCE estimate of ∇_θ J for a softmax policy π = softmax(θ) on a <see cref="BernoulliBandit"/>:
/// draw N arms a_i ~ π, pull them, and average A_i · ∇_θ log π(a_i), where ∇_θ log π(a) = e_a − π.
/// Holds its buffers and the running-mean baseline's state, so estimating allocates nothing.
/// </summary>
public sealed class ReinforceEstimator
{
    readonly BernoulliBandit bandit;
    readonly double rate;
    readonly double[] probs, rewards, advantages;
    readonly int[] arms;

    /// <param name="runningMeanRate">EMA rate of <see cref="R1.RL.Bandits.Baseline.RunningMean"/>: b ← b + rate·(batch mean − b).</param>
    public ReinforceEstimator(BernoulliBandit bandit, Baseline baseline, int batchSize, double runningMeanRate = 0.1)
    {
        ArgumentNullException.ThrowIfNull(bandit);
        int min = baseline is Baseline.LeaveOneOut or Baseline.Group ? 2 : 1;
        if (batchSize < min) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{baseline} needs a batch of at least {min}.");
        if (runningMeanRate is not (> 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(runningMeanRate), runningMeanRate, "expected a rate in (0, 1].");
        (this.bandit, Baseline, BatchSize, rate) = (bandit, baseline, batchSize, runningMeanRate);
        probs = new double[bandit.Arms];
        rewards = new double[batchSize];
        advantages = new double[batchSize];
        arms = new int[batchSize];
    }

    public Baseline Baseline { get; }
    public int BatchSize { get; }
    /// <summary>The running-mean baseline's current value (starts at 0).</summary>
    public double RunningMean { get; private set; }

    /// <summary>Samples one batch at π = softmax(<paramref name="logits"/>) and writes its estimate of ∇J into <paramref name="gradient"/>.
    /// Returns the batch's mean reward.</summary>
    public double Estimate(ReadOnlySpan<double> logits, Random rng, Span<double> gradient)
    {
        if (logits.Length != bandit.Arms || gradient.Length != bandit.Arms)
            throw new ArgumentException($"logits has {logits.Length} entries and gradient {gradient.Length}; expected one per arm ({bandit.Arms}).");
        int n = BatchSize;
        SoftmaxPolicy.Probabilities(logits, probs);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            arms[i] = SoftmaxPolicy.Sample(probs, rng);
            sum += rewards[i] = bandit.Pull(arms[i], rng);
        }
        switch (Baseline)
        {
            case Baseline.None:
                rewards.CopyTo(advantages, 0);
                break;
            case Baseline.RunningMean:
                for (int i = 0; i < n; i++) advantages[i] = rewards[i] - RunningMean;
                RunningMean += rate * (sum / n - RunningMean);
                break;
            case Baseline.LeaveOneOut:
                for (int i = 0; i < n; i++) advantages[i] = rewards[i] - (sum - rewards[i]) / (n - 1);
                break;
            default:
                Advantages.Group(rewards, n, AdvantageScale.Group, advantages);
                break;
        }
        // ĝ_j = (1/N) Σ_i A_i ([a_i = j] − π_j)
        double total = 0;
        gradient.Clear();
        for (int i = 0; i < n; i++) { gradient[arms[i]] += advantages[i]; total += advantages[i]; }
        for (int j = 0; j < gradient.Length; j++) gradient[j] = (gradient[j] - probs[j] * total) / n;
        return sum / n;
    }
}

/// <summary>
/// The policy gradient of a softmax policy on a Bernoulli bandit, exactly and by sampling: J(θ) = Σ_k π_k μ_k.
/// The exact forms let the notebook show what a baseline does: it leaves the mean of the estimate alone and
/// changes only its variance.
/// </summary>
public static class BanditGradient
{
    /// <summary>∇_θ J with ∂J/∂θ_j = π_j (μ_j − J).</summary>
    public static double[] Exact(BernoulliBandit bandit, ReadOnlySpan<double> logits)
    {
        var p = Policy(bandit, logits);
        double j = bandit.ExpectedReward(p);
        var g = new double[p.Length];
        for (int k = 0; k < p.Length; k++) g[k] = p[k] * (bandit.Means[k] - j);
        return g;
    }

    /// <summary>
    /// Total variance Σ_j Var(ĝ_j) of the REINFORCE estimate with a constant baseline b, exactly:
    /// E‖ĝ‖² − ‖∇J‖² for one sample, where E‖ĝ‖² = Σ_a π_a ‖e_a − π‖² (μ_a(1 − μ_a) + (μ_a − b)²);
    /// a batch of N independent samples divides it by N. The mean, ∇J, does not depend on b.
    /// </summary>
    public static double Variance(BernoulliBandit bandit, ReadOnlySpan<double> logits, double baseline, int batchSize = 1)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "expected at least one sample per batch.");
        var p = Policy(bandit, logits);
        double sq = SquaredNorm(p), second = 0;
        for (int a = 0; a < p.Length; a++)
        {
            double mu = bandit.Means[a];
            second += p[a] * (1 - 2 * p[a] + sq) * (mu * (1 - mu) + (mu - baseline) * (mu - baseline));
        }
        return (second - SquaredNorm(Exact(bandit, logits))) / batchSize;
    }

    /// <summary>The constant baseline with the least variance: b* = Σ_a w_a μ_a / Σ_a w_a with w_a = π_a ‖e_a − π‖²
    /// (set the derivative of <see cref="Variance"/> in b to zero) — a weighted mean reward, close to J.</summary>
    public static double OptimalBaseline(BernoulliBandit bandit, ReadOnlySpan<double> logits)
    {
        var p = Policy(bandit, logits);
        double sq = SquaredNorm(p), num = 0, den = 0;
        for (int a = 0; a < p.Length; a++)
        {
            double w = p[a] * (1 - 2 * p[a] + sq);
            num += w * bandit.Means[a];
            den += w;
        }
        return num / den;
    }

    /// <summary>
    /// Measures one batch's estimate over <paramref name="batches"/> independent batches at the fixed policy
    /// softmax(<paramref name="logits"/>), after <paramref name="warmup"/> discarded batches (they let the running mean settle).
    /// </summary>
    public static GradientStats Measure(BernoulliBandit bandit, ReadOnlySpan<double> logits, Baseline baseline, int batchSize,
        int batches = 2000, int seed = 0, int warmup = 100)
    {
        if (batches < 2) throw new ArgumentOutOfRangeException(nameof(batches), batches, "need at least 2 batches to measure a variance.");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "expected warmup ≥ 0.");
        var exact = Exact(bandit, logits);
        double exactNorm = Math.Sqrt(SquaredNorm(exact));
        if (exactNorm == 0) throw new ArgumentException("∇J is 0 at this policy (all arms pay the same, or π is one-hot): nothing to compare with.", nameof(logits));
        var estimator = new ReinforceEstimator(bandit, baseline, batchSize);
        var rng = new Random(seed);
        int k = bandit.Arms;
        var g = new double[k];
        var sum = new double[k];
        var sumSq = new double[k];
        double cosines = 0;
        for (int w = 0; w < warmup; w++) estimator.Estimate(logits, rng, g);
        for (int b = 0; b < batches; b++)
        {
            estimator.Estimate(logits, rng, g);
            double dot = 0, norm = 0;
            for (int j = 0; j < k; j++)
            {
                sum[j] += g[j];
                sumSq[j] += g[j] * g[j];
                dot += g[j] * exact[j];
                norm += g[j] * g[j];
            }
            if (norm > 0) cosines += dot / (Math.Sqrt(norm) * exactNorm);
        }
        double variance = 0, meanSq = 0, biasSq = 0;
        for (int j = 0; j < k; j++)
        {
            double m = sum[j] / batches;
            variance += (sumSq[j] - batches * m * m) / (batches - 1);
            meanSq += m * m;
            biasSq += (m - exact[j]) * (m - exact[j]);
        }
        return new GradientStats(Math.Sqrt(biasSq) / exactNorm, variance, variance / meanSq, cosines / batches);
    }

    /// <summary>
    /// Stochastic gradient ascent θ ← θ + lr · ĝ from the uniform policy. Returns J(θ) exactly (no evaluation noise)
    /// before the first step and after each of the <paramref name="steps"/> steps: steps + 1 values.
    /// </summary>
    public static double[] Train(BernoulliBandit bandit, Baseline baseline, int steps, int batchSize, double learningRate, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(bandit);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "expected at least one step.");
        if (learningRate is not > 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "expected a positive learning rate.");
        var estimator = new ReinforceEstimator(bandit, baseline, batchSize);
        var rng = new Random(seed);
        var theta = new double[bandit.Arms];
        var g = new double[bandit.Arms];
        var p = new double[bandit.Arms];
        var curve = new double[steps + 1];
        curve[0] = bandit.ExpectedReward(SoftmaxPolicy.Probabilities(theta));
        for (int t = 1; t <= steps; t++)
        {
            estimator.Estimate(theta, rng, g);
            for (int j = 0; j < theta.Length; j++) theta[j] += learningRate * g[j];
            SoftmaxPolicy.Probabilities(theta, p);
            curve[t] = bandit.ExpectedReward(p);
        }
        return curve;
    }

    static double[] Policy(BernoulliBandit bandit, ReadOnlySpan<double> logits)
    {
        ArgumentNullException.ThrowIfNull(bandit);
        if (logits.Length != bandit.Arms) throw new ArgumentException($"logits has {logits.Length} entries; expected one per arm ({bandit.Arms}).", nameof(logits));
        return SoftmaxPolicy.Probabilities(logits);
    }

    static double SquaredNorm(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += v * v;
        return s;
    }
}
