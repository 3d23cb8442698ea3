using R1.Tasks;

namespace R1.Rewards;

/// <summary>A reward: a pure function of an example and the completion the model wrote for it.</summary>
public delegate double RewardFunc(Example example, string completion);

/// <summary>
/// A named, weighted reward. The name appears in metrics as "rewards/&lt;name&gt;/mean". Prototype one in a notebook
/// cell with <see cref="From"/>:
/// <code>var brevity = Reward.From("brevity", (ex, c) => c.Length &lt; 80 ? 1 : 0, weight: 0.2);</code>
/// </summary>
public sealed record Reward(string Name, RewardFunc Func, double Weight = 1.0)
{
    public string Name { get; init; } = ValidName(Name);
    public RewardFunc Func { get; init; } = Func ?? throw new ArgumentNullException(nameof(Func));
    public double Weight { get; init; } = double.IsFinite(Weight) ? Weight : throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "Weight must be finite.");

    /// <summary>Any user function as a reward.</summary>
    public static Reward From(string name, RewardFunc func, double weight = 1.0) => new(name, func, weight);

    public static Reward Accuracy(double weight = 1.0) => new("accuracy", RewardFunctions.Accuracy, weight);
    public static Reward Format(double weight = 1.0) => new("format", RewardFunctions.Format, weight);
    public static Reward TagCount(double weight = 1.0) => new("tag_count", RewardFunctions.TagCount, weight);
    public static Reward ReasoningSteps(int expected = 3, double weight = 1.0) => new("reasoning_steps", RewardFunctions.ReasoningSteps(expected), weight);
    public static Reward LanguageConsistency(double weight = 1.0) => new("language_consistency", RewardFunctions.LanguageConsistency, weight);
    public static Reward CosineLength(int maxLength = 200, double weight = 1.0) => new("cosine", RewardFunctions.CosineLength(maxLength), weight);
    public static Reward Repetition(int ngramSize = 3, double maxPenalty = -1.0, double weight = 1.0) => new("repetition_penalty", RewardFunctions.Repetition(ngramSize, maxPenalty), weight);
    public static Reward SoftOverlong(int maxLength, int cache, double weight = 1.0) => new("soft_overlong", RewardFunctions.SoftOverlong(maxLength, cache), weight);
    public static Reward Countdown(double weight = 1.0) => new("countdown", RewardFunctions.Countdown, weight);

    static string ValidName(string name) =>
        string.IsNullOrWhiteSpace(name) || name.Contains('/') || name.Any(char.IsWhiteSpace)
            ? throw new ArgumentException($"Reward name '{name}' must be non-empty, without spaces or '/' (it becomes the metric name rewards/<name>/mean).", nameof(name))
            : name;
}
