using static R1.torch;

namespace R1.RL;

/// <summary>
/// Sampled estimators of KL(π‖π_ref) from one token drawn from π, with log-ratio r = log π_ref(x) − log π(x)
/// (Schulman, "Approximating KL divergence"):
/// k1 = −r (unbiased, can be negative, high variance); k2 = r²/2 (biased, low variance, always ≥ 0);
/// k3 = (e^r − 1) − r (unbiased and always ≥ 0: the estimator GRPO uses).
/// </summary>
public enum KlEstimator { K1, K2, K3 }

/// <summary>KL estimators per token, on scalars, spans and (differentiably) tensors.</summary>
public static class Kl
{
    /// <summary>The estimate for one token with policy log-prob <paramref name="logp"/> and reference log-prob <paramref name="refLogp"/>.</summary>
    public static double Estimate(KlEstimator estimator, double logp, double refLogp)
    {
        double r = refLogp - logp;
        return estimator switch
        {
            KlEstimator.K1 => -r,
            KlEstimator.K2 => 0.5 * r * r,
            KlEstimator.K3 => Math.Exp(r) - r - 1.0,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "expected K1, K2 or K3."),
        };
    }

    /// <summary>Per-token estimates into <paramref name="destination"/>.</summary>
    public static void Estimate(KlEstimator estimator, ReadOnlySpan<double> logp, ReadOnlySpan<double> refLogp, Span<double> destination)
    {
        if (refLogp.Length != logp.Length || destination.Length != logp.Length)
            throw new ArgumentException($"lengths differ: logp {logp.Length}, refLogp {refLogp.Length}, destination {destination.Length}; expected equal.");
        for (int i = 0; i < logp.Length; i++) destination[i] = Estimate(estimator, logp[i], refLogp[i]);
    }

    /// <summary>Per-token estimates as a differentiable tensor of the shape of <paramref name="logp"/>.</summary>
    public static Tensor Estimate(KlEstimator estimator, Tensor logp, Tensor refLogp)
    {
        var r = refLogp - logp;
        return estimator switch
        {
            KlEstimator.K1 => -r,
            KlEstimator.K2 => 0.5f * r * r,
            KlEstimator.K3 => torch.exp(r) - r - 1f,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "expected K1, K2 or K3."),
        };
    }

    /// <summary>The exact KL(p‖q) = Σ p log(p/q) between two discrete distributions (terms with p = 0 contribute 0).</summary>
    public static double Exact(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.Length != q.Length) throw new ArgumentException($"p has {p.Length} entries, q has {q.Length}; expected equal.");
        double kl = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == 0) continue;
            kl += q[i] == 0 ? double.PositiveInfinity : p[i] * Math.Log(p[i] / q[i]);
        }
        return kl;
    }
}
