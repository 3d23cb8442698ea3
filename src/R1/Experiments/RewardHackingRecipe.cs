using R1.Models;
using R1.Rewards;
using R1.RL;
using R1.Tasks;

namespace R1.Experiments;

/// <summary>
/// Why R1 uses rule-based rewards (notebook 07). A learned "correctness" reward model — the base model's trunk with a
/// scalar head, trained with Bradley–Terry on a few hundred (correct, incorrect) pairs — is used as the RL reward, and
/// the same GRPO run is repeated with the rule-based verifier. Both runs log the reward model's score and the
/// verifier's accuracy every step (one of the two as a weight-0 tracker), so the hacking curve — score up, accuracy
/// down — sits beside the honest one.
/// </summary>
public static class RewardHackingRecipe
{
    /// <summary>The task both RL runs train and are evaluated on.</summary>
    public const string Task = "arithmetic";

    /// <summary>The reward model's name in the reward sets: its metric is <c>rewards/reward_model/mean</c>.</summary>
    public const string RewardModelName = "reward_model";

    /// <summary>Train-split examples the reward model's held-out pairs are built from; its training pairs come from before them.</summary>
    const int HeldOutStart = 1800;

    /// <summary>
    /// The reward model's training pairs (<see cref="ReasoningPairs"/>): chosen = correct worked steps; rejected = the
    /// same work with a wrong number in the answer ("wrong_answer") or a short wrong guess ("wrong_guess"). Few on
    /// purpose (<c>quick ? 256 : 400</c> examples of the train split): with this little data the model learns the
    /// cheap feature — worked steps beat a bare guess — and not the one that matters, whether the answer follows from
    /// the work.
    /// </summary>
    public static List<PreferencePair> RewardModelPairs(bool quick) =>
        ReasoningPairs.Build(Datasets.Load(Task, "train").Take(quick ? 256 : 400).ToList(), new Rng(1));

    /// <summary>Held-out pairs, built the same way from train examples the reward model never sees (from index 1800 on).</summary>
    public static List<PreferencePair> RewardModelTestPairs(bool quick) =>
        ReasoningPairs.Build(Datasets.Load(Task, "train").Skip(HeldOutStart).Take(quick ? 100 : 200).ToList(), new Rng(2));

    /// <summary>Bradley–Terry settings: the whole completion is read (a correctness judge must see the work); short runs.</summary>
    public static RewardModelConfig RewardModelConfig(bool quick, string? runDir = null) => new()
    {
        Steps = quick ? 60 : 150, BatchSize = 16, LearningRate = 3e-4, View = RewardView.Full,
        EvalInterval = quick ? 30 : 25, Seed = 0, RunDir = runDir,
    };

    /// <summary>
    /// Trains the correctness reward model from <paramref name="baseModel"/>'s trunk (<see cref="RewardModel.FromGPT"/>)
    /// on <see cref="RewardModelPairs"/>, evaluating on <see cref="RewardModelTestPairs"/>; with a run folder the model
    /// is saved in its <c>checkpoint</c> subfolder. Returns the model, its training history and its held-out evaluations
    /// (<c>eval/accuracy</c> and <c>eval/accuracy/&lt;kind&gt;</c>).
    /// </summary>
    public static (RewardModel Model, RunHistory History, RunHistory Evaluations) TrainRewardModel(GPT baseModel, Tokenizer tokenizer, bool quick,
        string? runDir = null, RewardModelConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        DropCheckpoint(runDir);
        var rm = RewardModel.FromGPT(baseModel);
        var (history, evaluations) = RewardModelTrainer.Train(rm, tokenizer, RewardModelPairs(quick), config ?? RewardModelConfig(quick, runDir),
            RewardModelTestPairs(quick));
        return (rm, history, evaluations);
    }

    /// <summary>
    /// The GRPO settings both runs share: <see cref="ZeroRecipe.Config"/> (G = 8, μ = 2, dapo loss, β = 0.02, 128 new
    /// tokens) with fewer steps — the hacking shows within tens of steps. Full: 100 steps at Zero's lr 5e-5. Quick: 24
    /// steps at 1e-4, so a CI-sized run gets far enough for the held-out accuracy to fall (at 5e-5 and 16 steps it
    /// stayed within noise). Held-out evaluations every <c>quick ? 12 : 20</c> steps on <c>quick ? 48×3 : 100×4</c>
    /// samples; two sample groups per step are logged, to find late samples the reward model loves.
    /// </summary>
    public static GrpoConfig Config(bool quick, string? runDir = null) => ZeroRecipe.Config(quick, runDir) with
    {
        LearningRate = quick ? 1e-4 : 5e-5, Steps = quick ? 24 : 100, EvalInterval = quick ? 12 : 20, EvalSamples = quick ? 3 : 4, SampleGroupsPerStep = 2,
    };

    /// <summary>Held-out problems for the periodic evaluation: the test split from index 200 on (as <see cref="ZeroRecipe.CurveSet"/>).</summary>
    public static List<Example> CurveSet(bool quick) => Datasets.Load(Task, "test").Skip(200).Take(quick ? 48 : 100).ToList();

    /// <summary>
    /// Rewards of the hacked run: the reward model's score is the whole signal (weight 1); accuracy, format and
    /// <see cref="ZeroRecipe.Trackers"/> are logged with weight 0.
    /// </summary>
    public static RewardSet RewardModelRewards(RewardModel rm, Tokenizer tokenizer) =>
        new([rm.AsReward(tokenizer, RewardModelName, weight: 1.0), Reward.Accuracy(0), Reward.Format(0), .. ZeroRecipe.Trackers()]);

    /// <summary>
    /// Rewards of the rule-based run: R1-Zero's accuracy (1) and format (0.5) — <see cref="ZeroRecipe.Rewards"/> — with
    /// the reward model's score logged at weight 0, so both runs chart the same two numbers.
    /// </summary>
    public static RewardSet VerifierRewards(RewardModel rm, Tokenizer tokenizer) =>
        new([Reward.Accuracy(1.0), Reward.Format(0.5), rm.AsReward(tokenizer, RewardModelName, weight: 0), .. ZeroRecipe.Trackers()]);

    /// <summary>GRPO against the reward model: trains <paramref name="policy"/> in place; the checkpoint goes to the run folder.</summary>
    public static GrpoResult TrainAgainstRewardModel(GPT policy, Tokenizer tokenizer, RewardModel rm, bool quick, string? runDir = null, GrpoConfig? config = null) =>
        Train(policy, tokenizer, RewardModelRewards(rm, tokenizer), quick, runDir, config);

    /// <summary>The same GRPO run with the rule-based verifier as the reward.</summary>
    public static GrpoResult TrainAgainstVerifier(GPT policy, Tokenizer tokenizer, RewardModel rm, bool quick, string? runDir = null, GrpoConfig? config = null) =>
        Train(policy, tokenizer, VerifierRewards(rm, tokenizer), quick, runDir, config);

    static GrpoResult Train(GPT policy, Tokenizer tokenizer, RewardSet rewards, bool quick, string? runDir, GrpoConfig? config)
    {
        DropCheckpoint(runDir);
        var trainer = new GrpoTrainer(policy, tokenizer, rewards, config ?? Config(quick, runDir));
        return trainer.Train(Datasets.Load(Task, "train"), CurveSet(quick));
    }

    /// <summary>
    /// Completions the reward model scores highest although the verifier rejects them, from the last
    /// <paramref name="lastShare"/> of the run's steps (highest score first).
    /// </summary>
    public static List<SampleRecord> LovedButWrong(IReadOnlyList<SampleRecord> samples, int count = 8, double lastShare = 0.25)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return [];
        if (samples.Any(s => !s.Rewards.ContainsKey(RewardModelName) || !s.Rewards.ContainsKey("accuracy")))
            throw new ArgumentException($"Samples must carry the '{RewardModelName}' and 'accuracy' rewards (a run of this recipe).", nameof(samples));
        int last = samples.Max(s => s.Step);
        int from = last - (int)Math.Ceiling(last * lastShare) + 1;
        return samples.Where(s => s.Step >= from && s.Rewards["accuracy"] == 0)
            .OrderByDescending(s => s.Rewards[RewardModelName]).Take(count).ToList();
    }

    /// <summary>
    /// How often the reward model ranks a right completion above a wrong one of the same problem: over every
    /// (right, wrong) pair of samples within each problem, the share with score(right) &gt; score(wrong), ties counting
    /// one half (the ranking AUC). NaN when no problem has both a right and a wrong sample.
    /// </summary>
    public static double RightAboveWrong(IReadOnlyList<(string ExampleId, double Score, bool Correct)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double wins = 0;
        long pairs = 0;
        foreach (var g in samples.GroupBy(s => s.ExampleId))
        {
            var right = g.Where(s => s.Correct).Select(s => s.Score).ToList();
            var wrong = g.Where(s => !s.Correct).Select(s => s.Score).ToList();
            foreach (var r in right)
                foreach (var w in wrong) { wins += r > w ? 1 : r == w ? 0.5 : 0; pairs++; }
        }
        return pairs == 0 ? double.NaN : wins / pairs;
    }

    // A rerun replaces the stage: drop the old model first so an interrupted run never leaves a stale checkpoint beside fresh metrics.
    static void DropCheckpoint(string? runDir)
    {
        if (runDir is not null && Directory.Exists(Path.Combine(runDir, "checkpoint")))
            Directory.Delete(Path.Combine(runDir, "checkpoint"), recursive: true);
    }
}

public static partial class Stages
{
    /// <summary>The learned correctness reward model of notebook 07 (<see cref="RewardHackingRecipe"/>).</summary>
    public const string CorrectnessRmStage = "correctness-rm";

    /// <summary>GRPO from the base model with the correctness reward model as the reward (notebook 07).</summary>
    public const string RlVsRmStage = "rl-vs-rm";

    /// <summary>The same GRPO run with the rule-based verifier as the reward (notebook 07).</summary>
    public const string RlVsVerifierStage = "rl-vs-verifier";

    /// <summary>The correctness reward model, loaded from its run folder or trained there first from the base model.</summary>
    public static (RewardModel Model, Tokenizer Tokenizer) CorrectnessRm(bool quick) =>
        LoadOrProduceRewardModel(CorrectnessRmStage, quick, dir =>
        {
            var (model, tokenizer) = Base();
            RewardHackingRecipe.TrainRewardModel(model, tokenizer, quick, dir);
        });

    /// <summary>The policy trained against the correctness reward model, trained first if its run folder is empty.</summary>
    public static (GPT Model, Tokenizer Tokenizer) RlVsRm(bool quick)
    {
        var (m, t, _) = LoadOrProduce(RlVsRmStage, quick, dir =>
        {
            var (rm, _) = CorrectnessRm(quick);
            var (model, tokenizer) = Base();
            RewardHackingRecipe.TrainAgainstRewardModel(model, tokenizer, rm, quick, dir);
        });
        return (m, t);
    }

    /// <summary>
    /// The policy trained against the rule-based verifier with the same settings, trained first if its run folder is
    /// empty (producing it needs the reward model too: its score is logged at weight 0).
    /// </summary>
    public static (GPT Model, Tokenizer Tokenizer) RlVsVerifier(bool quick)
    {
        var (m, t, _) = LoadOrProduce(RlVsVerifierStage, quick, dir =>
        {
            var (rm, _) = CorrectnessRm(quick);
            var (model, tokenizer) = Base();
            RewardHackingRecipe.TrainAgainstVerifier(model, tokenizer, rm, quick, dir);
        });
        return (m, t);
    }
}
