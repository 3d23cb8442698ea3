namespace R1.RL.Bandits;

/// <summary>One KL estimator's behaviour for a pair of distributions, computed exactly over the support.</summary>
/// <param name="Mean">E_{x~p}[k(x)]: what averaging many samples converges to.</param>
/// <param name="Bias">Mean − KL(p‖q); 0 for the unbiased k1 and k3.</param>
/// <param name="Std">Standard deviation of one sample's estimate.</param>
/// <param name="NegativeShare">P_{x~p}(k(x) &lt; 0): how often a single sample says the divergence is negative.</param>
public sealed record KlEstimateStats(double Mean, double Bias, double Std, double NegativeShare);

/// <summary>
/// The sampled estimators of KL(p‖q) from <see cref="Kl"/> (k1, k2, k3; x ~ p, log-ratio r = log q(x) − log p(x)) for two
/// discrete distributions over the same arms or tokens — p the policy being trained, q the frozen reference, as in GRPO.
/// Small supports allow the exact mean and spread of each estimator, beside plain sampling.
/// </summary>
public static class KlEstimates
{
    /// <summary>Mean, bias, spread and negative share of <paramref name="estimator"/>, exactly (sums over the support).</summary>
    public static KlEstimateStats Stats(KlEstimator estimator, ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        Validate(p, q);
        double mean = 0, second = 0, negative = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == 0) continue;
            double k = Kl.Estimate(estimator, Math.Log(p[i]), Math.Log(q[i]));
            mean += p[i] * k;
            second += p[i] * k * k;
            if (k < 0) negative += p[i];
        }
        return new KlEstimateStats(mean, mean - Kl.Exact(p, q), Math.Sqrt(Math.Max(0, second - mean * mean)), negative);
    }

    /// <summary><paramref name="n"/> single-sample estimates, each at its own x ~ p.</summary>
    public static double[] Sample(KlEstimator estimator, ReadOnlySpan<double> p, ReadOnlySpan<double> q, int n, Random rng)
    {
        Validate(p, q);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "expected at least one sample.");
        ArgumentNullException.ThrowIfNull(rng);
        var values = new double[n];
        for (int s = 0; s < n; s++)
        {
            int x = SoftmaxPolicy.Sample(p, rng);
            values[s] = Kl.Estimate(estimator, Math.Log(p[x]), Math.Log(q[x]));
        }
        return values;
    }

    static void Validate(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.IsEmpty || p.Length != q.Length) throw new ArgumentException($"p has {p.Length} entries, q has {q.Length}; expected the same positive length.");
        double sp = 0, sq = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] is not >= 0 || q[i] is not >= 0) throw new ArgumentException($"entry {i}: p = {p[i]}, q = {q[i]}; probabilities must be ≥ 0.");
            if (p[i] > 0 && q[i] == 0) throw new ArgumentException($"entry {i}: q = 0 where p = {p[i]} > 0, so KL(p‖q) is infinite; expected q > 0 wherever p > 0.");
            sp += p[i];
            sq += q[i];
        }
        if (Math.Abs(sp - 1) > 1e-6 || Math.Abs(sq - 1) > 1e-6) throw new ArgumentException($"p sums to {sp}, q to {sq}; expected probability distributions summing to 1.");
    }
}
