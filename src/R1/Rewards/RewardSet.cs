using R1.Tasks;

namespace R1.Rewards;

/// <summary>
/// Several rewards combined by weight: total_i = Σ_k weight_k · reward_k(example_i, completion_i).
/// A reward that throws (or returns NaN/∞) stops the computation with a <see cref="RewardException"/> that
/// names the reward, the example and the completion.
/// </summary>
public sealed class RewardSet
{
    public IReadOnlyList<Reward> Rewards { get; }

    public RewardSet(params Reward[] rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.Length == 0) throw new ArgumentException("A reward set needs at least one reward.", nameof(rewards));
        var dup = rewards.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Reward name '{dup.Key}' is used twice; names key the metrics and must be unique.", nameof(rewards));
        Rewards = rewards.ToArray();
    }

    /// <summary>Score completion i against example i (for GRPO, each prompt's example repeated G times).</summary>
    public RewardBatch Compute(IReadOnlyList<Example> examples, IReadOnlyList<string> completions)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(completions);
        if (examples.Count != completions.Count)
            throw new ArgumentException($"Got {examples.Count} examples but {completions.Count} completions; pass one example per completion.");
        int n = completions.Count;
        var values = new double[Rewards.Count][];
        var total = new double[n];
        for (int k = 0; k < Rewards.Count; k++)
        {
            var reward = Rewards[k];
            values[k] = new double[n];
            for (int i = 0; i < n; i++)
            {
                var completion = completions[i] ?? throw new ArgumentException($"Completion {i} is null.", nameof(completions));
                double v = Score(reward, examples[i], completion);
                values[k][i] = v;
                total[i] += reward.Weight * v;
            }
        }
        return new RewardBatch(Rewards.Select(r => r.Name).ToArray(), Rewards.Select(r => r.Weight).ToArray(), values, total);
    }

    /// <summary>One reward on one completion, with the failure wrapped in a <see cref="RewardException"/>.</summary>
    public static double Score(Reward reward, Example example, string completion)
    {
        double v;
        try { v = reward.Func(example, completion); }
        catch (Exception e) { throw new RewardException(reward.Name, example, completion, e); }
        if (!double.IsFinite(v))
            throw new RewardException(reward.Name, example, completion, new InvalidOperationException($"the reward returned {v}; rewards must be finite"));
        return v;
    }
}

/// <summary>
/// Rewards for one batch. <see cref="Values"/>[k][i] is reward k on completion i (unweighted);
/// <see cref="Total"/>[i] the weighted sum.
/// </summary>
public sealed record RewardBatch(string[] Names, double[] Weights, double[][] Values, double[] Total)
{
    public int Count => Total.Length;

    /// <summary>The unweighted values of the reward called <paramref name="name"/>.</summary>
    public double[] this[string name]
    {
        get
        {
            int k = Array.IndexOf(Names, name);
            return k >= 0 ? Values[k] : throw new KeyNotFoundException($"No reward named '{name}'. Rewards: {string.Join(", ", Names)}.");
        }
    }

    /// <summary>
    /// "reward" (mean weighted total) and, per reward, "rewards/&lt;name&gt;/mean" and "rewards/&lt;name&gt;/std"
    /// (sample std, n − 1), named as TRL's GRPO trainer logs them. Group statistics (reward_std,
    /// frac_reward_zero_std) belong to the trainer, which knows the groups.
    /// </summary>
    public Dictionary<string, double> Metrics()
    {
        var m = new Dictionary<string, double> { ["reward"] = Mean(Total) };
        for (int k = 0; k < Names.Length; k++)
        {
            m[$"rewards/{Names[k]}/mean"] = Mean(Values[k]);
            m[$"rewards/{Names[k]}/std"] = Std(Values[k]);
        }
        return m;
    }

    static double Mean(double[] x) => x.Length == 0 ? 0 : x.Average();

    static double Std(double[] x)
    {
        if (x.Length < 2) return 0;
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }
}

/// <summary>A reward function failed; the message names the reward, the example id, the prompt and the completion (truncated).</summary>
public sealed class RewardException : Exception
{
    public const int MaxShownChars = 300;

    public string RewardName { get; }
    public string ExampleId { get; }
    public string Prompt { get; }
    public string Completion { get; }

    public RewardException(string rewardName, Example example, string completion, Exception inner)
        : base(Describe(rewardName, example, completion, inner), inner)
    {
        RewardName = rewardName;
        ExampleId = example?.Id ?? "(null example)";
        Prompt = example?.Prompt ?? "";
        Completion = completion ?? "";
    }

    static string Describe(string rewardName, Example? example, string? completion, Exception inner)
    {
        var c = completion ?? "";
        var shown = c.Length <= MaxShownChars ? c : c[..MaxShownChars] + $"… ({c.Length - MaxShownChars} more chars)";
        return $"Reward '{rewardName}' failed on example '{example?.Id ?? "(null example)"}' (task {example?.Task ?? "?"}): " +
               $"{inner.GetType().Name}: {inner.Message}\n" +
               $"  prompt:     {Escape(example?.Prompt ?? "")}\n" +
               $"  completion: {Escape(shown)}";
    }

    static string Escape(string s) => s.Replace("\n", "\\n");
}
