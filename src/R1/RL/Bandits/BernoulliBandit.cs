namespace R1.RL.Bandits;

/// <summary>
/// A K-armed bandit whose arm k pays 1 with probability μ_k and 0 otherwise: a one-step stand-in for a verifier's
/// right/wrong reward, and the smallest setting where the policy gradient is known exactly (notebook 01).
/// </summary>
public sealed class BernoulliBandit
{
    readonly double[] means;

    public BernoulliBandit(params double[] means)
    {
        ArgumentNullException.ThrowIfNull(means);
        if (means.Length < 2) throw new ArgumentException($"a bandit needs at least 2 arms; got {means.Length}.", nameof(means));
        for (int k = 0; k < means.Length; k++)
            if (means[k] is not (>= 0 and <= 1))
                throw new ArgumentOutOfRangeException(nameof(means), means[k], $"arm {k}: a Bernoulli mean must be in [0, 1].");
        this.means = (double[])means.Clone();
    }

    public int Arms => means.Length;
    public IReadOnlyList<double> Means => means;
    /// <summary>The best arm's mean: what an optimal policy earns per pull.</summary>
    public double Best => means.Max();

    /// <summary>One pull: 1 with probability μ_arm, else 0.</summary>
    public double Pull(int arm, Random rng) => rng.NextDouble() < means[arm] ? 1 : 0;

    /// <summary>J(π) = Σ_k π_k μ_k, the expected reward of a policy.</summary>
    public double ExpectedReward(ReadOnlySpan<double> probs)
    {
        if (probs.Length != means.Length) throw new ArgumentException($"probs has {probs.Length} entries; expected one per arm ({means.Length}).", nameof(probs));
        double j = 0;
        for (int k = 0; k < probs.Length; k++) j += probs[k] * means[k];
        return j;
    }
}

/// <summary>A softmax policy over a few actions (arms, tokens), π = softmax(θ), on plain arrays.</summary>
public static class SoftmaxPolicy
{
    /// <summary>softmax(<paramref name="logits"/>), computed stably (the max is subtracted first).</summary>
    public static double[] Probabilities(ReadOnlySpan<double> logits)
    {
        var p = new double[logits.Length];
        Probabilities(logits, p);
        return p;
    }

    /// <inheritdoc cref="Probabilities(ReadOnlySpan{double})"/>
    public static void Probabilities(ReadOnlySpan<double> logits, Span<double> destination)
    {
        if (logits.IsEmpty || destination.Length != logits.Length)
            throw new ArgumentException($"logits has {logits.Length} entries and destination {destination.Length}; expected the same positive length.");
        double max = double.NegativeInfinity;
        foreach (var z in logits) max = Math.Max(max, z);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += destination[i] = Math.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) destination[i] /= sum;
    }

    /// <summary>An index drawn with probabilities <paramref name="probs"/> (inverse CDF).</summary>
    public static int Sample(ReadOnlySpan<double> probs, Random rng)
    {
        double u = rng.NextDouble(), c = 0;
        for (int i = 0; i < probs.Length; i++) { c += probs[i]; if (u < c) return i; }
        return probs.Length - 1;   // rounding left the CDF just below 1
    }
}
