using R1.Models;
using R1.Rewards;
using R1.RL;
using R1.Tasks;

namespace R1.Experiments;

/// <summary>
/// R1-Zero at book scale (notebook 02): GRPO with the accuracy and format rewards only, straight on the base model,
/// on the arithmetic train split. Kept in the library so later notebooks reproduce exactly the model notebook 02
/// trains when its run folder is missing.
/// </summary>
public static class ZeroRecipe
{
    /// <summary>The task R1-Zero trains and is evaluated on.</summary>
    public const string Task = "arithmetic";

    /// <summary>
    /// Statistics followed through training as weight-0 rewards: the trainer logs their means per step
    /// (<c>rewards/&lt;name&gt;/mean</c>) without changing the training signal. 1 when a completion reflects
    /// ("wait", "let me check", …), when its thought is language-mixed, when its thought holds a computed step.
    /// </summary>
    public static Reward[] Trackers() =>
    [
        Reward.From("reflection", (_, c) => TextStats.ReflectionCount(c) > 0 ? 1 : 0, weight: 0),
        Reward.From("mixed", (e, c) => TextStats.ThinkText(c) is { } t && TextStats.IsLanguageMixed(t, e.Language) ? 1 : 0, weight: 0),
        Reward.From("worked", (_, c) => RewardFunctions.CountSteps(TextStats.ThinkText(c)) > 0 ? 1 : 0, weight: 0),
    ];

    /// <summary>Accuracy (weight 1) and format (weight 0.5), the R1-Zero rule-based rewards, plus the <see cref="Trackers"/>.</summary>
    public static RewardSet Rewards() => new([Reward.Accuracy(1.0), Reward.Format(0.5), .. Trackers()]);

    /// <summary>
    /// GRPO settings. lr 5e-5 (3e-4 collapsed to format-only answers within 24 steps); μ = 2 updates
    /// per batch so clipping acts; token-level (dapo) loss; small β with k3 so the drift from the base is measured and
    /// held; 128 new tokens, well above the longest worked answer in the corpus.
    /// </summary>
    public static GrpoConfig Config(bool quick, string? runDir = null) => new()
    {
        Steps = quick ? 24 : 200, NumGenerations = 8, PromptsPerStep = 8, MaxCompletionLength = 128, Temperature = 1.0,
        LearningRate = 5e-5, NumIterations = 2, Beta = 0.02, LossType = LossType.Dapo,
        EvalInterval = quick ? 8 : 20, EvalSamples = 2, EvalTemperature = 1.0, SampleGroupsPerStep = 1, Seed = 0,
        RunDir = runDir,
    };

    /// <summary>Test problems for the final evaluation: the first <c>quick ? 40 : 200</c> of the test split.</summary>
    public static List<Example> TestSet(bool quick) => Datasets.Load(Task, "test").Take(quick ? 40 : 200).ToList();

    /// <summary>Test problems for the periodic accuracy curve during training: disjoint from <see cref="TestSet"/>.</summary>
    public static List<Example> CurveSet(bool quick) => Datasets.Load(Task, "test").Skip(200).Take(quick ? 20 : 100).ToList();

    /// <summary>
    /// Trains <paramref name="model"/> in place with GRPO (<see cref="Config"/>, <see cref="Rewards"/>) on the train
    /// split, evaluating on <see cref="CurveSet"/>; with a run folder, the trained policy is saved in its
    /// <c>checkpoint</c> subfolder (see <see cref="Stages"/>).
    /// </summary>
    public static GrpoResult Train(GPT model, Tokenizer tokenizer, bool quick, string? runDir = null, GrpoConfig? config = null)
    {
        // A rerun replaces the stage: drop the old policy first so an interrupted run never leaves a stale checkpoint
        // beside fresh metrics.
        if (runDir is not null && Directory.Exists(Path.Combine(runDir, "checkpoint")))
            Directory.Delete(Path.Combine(runDir, "checkpoint"), recursive: true);
        var trainer = new GrpoTrainer(model, tokenizer, Rewards(), config ?? Config(quick, runDir));
        return trainer.Train(Datasets.Load(Task, "train"), CurveSet(quick));
    }
}
