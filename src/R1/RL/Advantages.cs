namespace R1.RL;

/// <summary>How group-relative advantages are scaled after the group mean is subtracted.</summary>
public enum AdvantageScale
{
    /// <summary>Divide by the std of the prompt's own group (GRPO as published; TRL scale_rewards="group").</summary>
    Group,
    /// <summary>Divide by the std of the whole batch of rewards (TRL scale_rewards="batch").</summary>
    Batch,
    /// <summary>No scaling (Dr. GRPO: the group std reweights easy and hard prompts, so drop it).</summary>
    None,
}

/// <summary>
/// Advantages from scalar rewards. Rewards arrive grouped: the G completions of prompt p sit at
/// indices p·G … p·G+G−1 (the order rollouts produce them). Every token of completion i later gets A_i.
/// Standard deviations are unbiased (Bessel, n−1), as torch.std and therefore TRL compute them.
/// </summary>
public static class Advantages
{
    /// <summary>TRL's epsilon: A = (r − mean) / (std + 1e-4), so a zero-std group gives A = 0, not NaN.</summary>
    public const double DefaultEps = 1e-4;

    /// <summary>GRPO: A_i = (r_i − mean(group)) / (std + eps), std per <paramref name="scale"/>.</summary>
    public static double[] Group(ReadOnlySpan<double> rewards, int groupSize, AdvantageScale scale = AdvantageScale.Group,
        double eps = DefaultEps)
    {
        var result = new double[rewards.Length];
        Group(rewards, groupSize, scale, result, eps);
        return result;
    }

    /// <inheritdoc cref="Group(ReadOnlySpan{double}, int, AdvantageScale, double)"/>
    public static void Group(ReadOnlySpan<double> rewards, int groupSize, AdvantageScale scale, Span<double> destination,
        double eps = DefaultEps)
    {
        CheckGroups(rewards.Length, groupSize, destination.Length);
        double batchStd = scale == AdvantageScale.Batch ? Std(rewards, Mean(rewards)) : 0;
        for (int start = 0; start < rewards.Length; start += groupSize)
        {
            var g = rewards.Slice(start, groupSize);
            double mean = Mean(g);
            double denom = scale switch
            {
                AdvantageScale.Group => Std(g, mean) + eps,
                AdvantageScale.Batch => batchStd + eps,
                _ => 1.0,
            };
            for (int i = 0; i < groupSize; i++) destination[start + i] = (g[i] - mean) / denom;
        }
    }

    /// <summary>
    /// RLOO: A_i = r_i − mean of the other G−1 rewards of the group (leave-one-out baseline, unbiased because
    /// the baseline does not depend on sample i). Equals G/(G−1) · (r_i − group mean).
    /// </summary>
    public static double[] Rloo(ReadOnlySpan<double> rewards, int groupSize)
    {
        CheckGroups(rewards.Length, groupSize, rewards.Length);
        var result = new double[rewards.Length];
        for (int start = 0; start < rewards.Length; start += groupSize)
        {
            var g = rewards.Slice(start, groupSize);
            double sum = 0;
            foreach (var r in g) sum += r;
            for (int i = 0; i < groupSize; i++) result[start + i] = g[i] - (sum - g[i]) / (groupSize - 1);
        }
        return result;
    }

    /// <summary>REINFORCE: A_i = r_i − mean of the whole batch (<paramref name="subtractMean"/>), or the raw reward.</summary>
    public static double[] Reinforce(ReadOnlySpan<double> rewards, bool subtractMean = true)
    {
        if (rewards.IsEmpty) throw new ArgumentException("rewards is empty; expected at least one reward.", nameof(rewards));
        double baseline = subtractMean ? Mean(rewards) : 0;
        var result = new double[rewards.Length];
        for (int i = 0; i < rewards.Length; i++) result[i] = rewards[i] - baseline;
        return result;
    }

    /// <summary>
    /// One flag per group: true when all its rewards are equal (within <paramref name="tolerance"/>), so its
    /// advantages are all 0 and it contributes no policy gradient. DAPO's dynamic sampling drops such groups;
    /// their share is the metric frac_reward_zero_std.
    /// </summary>
    public static bool[] ZeroStdGroups(ReadOnlySpan<double> rewards, int groupSize, double tolerance = 1e-8)
    {
        if (groupSize < 1 || rewards.Length % groupSize != 0)
            throw new ArgumentException($"rewards has {rewards.Length} entries, not a multiple of groupSize {groupSize}.", nameof(rewards));
        var result = new bool[rewards.Length / groupSize];
        for (int p = 0; p < result.Length; p++)
        {
            var g = rewards.Slice(p * groupSize, groupSize);
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            foreach (var r in g) { lo = Math.Min(lo, r); hi = Math.Max(hi, r); }
            result[p] = hi - lo <= tolerance;
        }
        return result;
    }

    internal static double Mean(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += v;
        return s / x.Length;
    }

    /// <summary>Unbiased standard deviation (n−1), as torch.std.</summary>
    internal static double Std(ReadOnlySpan<double> x, double mean)
    {
        if (x.Length < 2) return 0;
        double s = 0;
        foreach (var v in x) s += (v - mean) * (v - mean);
        return Math.Sqrt(s / (x.Length - 1));
    }

    static void CheckGroups(int n, int groupSize, int destinationLength)
    {
        if (groupSize < 2)
            throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "groupSize (completions per prompt, G) must be at least 2 for a group baseline.");
        if (n == 0 || n % groupSize != 0)
            throw new ArgumentException($"rewards has {n} entries; expected a positive multiple of groupSize {groupSize} (G completions per prompt, grouped).", "rewards");
        if (destinationLength != n)
            throw new ArgumentException($"destination has {destinationLength} entries; expected {n}, one per reward.", "destination");
    }
}
