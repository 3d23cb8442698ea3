using R1.Inference;
using R1.Models;
using R1.Rewards;
using R1.RL;
using R1.Tables;
using R1.Tasks;
using R1.Training;

namespace R1.Experiments;

/// <summary>
/// Every setting of the multi-stage R1 pipeline after reasoning RL (notebook 04): the reward model for general
/// prompts, rejection sampling, the SFT of the base model, and RL for all scenarios. <see cref="MultiStageRecipe.Settings"/>
/// gives the book's values; tests pass tiny ones to the internal stage overloads.
/// </summary>
public sealed record MultiStageSettings
{
    /// <summary>Bradley–Terry training of the general-prompt reward model (its RunDir is set by the producer).</summary>
    public required RewardModelConfig RewardModel { get; init; }
    /// <summary>k samples per prompt and the filters.</summary>
    public required RejectionSamplingConfig Rejection { get; init; }
    /// <summary>Train-split prompts of each reasoning task that rejection sampling draws from.</summary>
    public required int RejectionPromptsPerTask { get; init; }
    /// <summary>SFT of the base model on the rejection-sampled + general data (RunDir must stay null: the producer saves).</summary>
    public required TrainConfig Sft { get; init; }
    /// <summary>GRPO for all scenarios (its RunDir is set by the producer).</summary>
    public required GrpoConfig Rl { get; init; }
}

/// <summary>
/// DeepSeek-R1's stages 3 and 4 at book scale (notebook 04). Rejection sampling: k completions per train prompt from
/// the reasoning-RL checkpoint, only verified-correct, readable ones kept (<see cref="RejectionSampling"/>); together
/// with non-reasoning "general" data (greetings, facts, rewriting — no chain of thought) they SFT the *base* model
/// again. Then RL for all scenarios: GRPO on a mix of reasoning prompts, scored by rules (accuracy, format, language
/// consistency), and general prompts, scored by a Bradley–Terry reward model trained on preference pairs
/// (<see cref="MixedPrompts"/>). The final comparison scores every stage on the same test sets (<see cref="Score"/>).
/// </summary>
public static class MultiStageRecipe
{
    /// <summary>The reasoning tasks of rejection sampling, RL and the final table (Countdown is notebook 07's).</summary>
    public static readonly string[] ReasoningTasks = ["arithmetic", "wordproblems"];

    /// <summary>Share of general prompts in the RL prompt mix (the paper's SFT data is ~600k reasoning + ~200k general: 1/4).</summary>
    public const double GeneralShare = 0.25;

    /// <summary>Name of the weight-0 reward that logs GeneralPrompts.Verify on general prompts (the ground truth the reward model never sees).</summary>
    public const string GeneralCorrect = "general_correct";

    /// <summary>Name of the reward-model reward on general prompts.</summary>
    public const string RewardModelReward = "reward_model";

    // ---- where rejection sampling samples from ----

    /// <summary>The checkpoint rejection sampling draws from: the paper's reasoning-RL model (notebook 03).</summary>
    public static (GPT Model, Tokenizer Tokenizer) RejectionSource(bool quick) => Stages.ReasoningRl(quick);

    /// <summary>How the notebook names <see cref="RejectionSource"/>.</summary>
    public const string RejectionSourceName = "reasoning RL";

    // ---- settings ----

    /// <summary>
    /// The book's settings. Reward model: 30 / 120 steps of 16 pairs, whole-response view (R1 judges harmlessness on
    /// the whole response and helpfulness on the summary; our one small model reads everything, so the pointless
    /// chain of thought of an "unneeded_cot" pair is visible to it). Rejection sampling: k = 4 / 8 at temperature 1,
    /// at most 2 kept per prompt (so easy prompts do not crowd the set), 128 tokens like the RL stages.
    /// SFT: from the base model, lr 5e-4 with cosine decay (a fine-tune, below pretraining's 2e-3). RL: R1-Zero's GRPO
    /// settings (lr 5e-5, μ = 2, β = 0.02 with k3, token-level loss) on the SFT model.
    /// </summary>
    public static MultiStageSettings Settings(bool quick) => new()
    {
        RewardModel = new RewardModelConfig
        {
            Steps = quick ? 30 : 120, BatchSize = 16, LearningRate = 3e-4, View = RewardView.Full,
            EvalInterval = quick ? 10 : 20, Seed = 0,
        },
        Rejection = new RejectionSamplingConfig { SamplesPerPrompt = quick ? 4 : 8, MaxKeptPerPrompt = 2, MaxCompletionTokens = 128 },
        RejectionPromptsPerTask = quick ? 48 : 500,
        Sft = new TrainConfig
        {
            Steps = quick ? 80 : 400, BatchSize = 16, LearningRate = 5e-4, MinLearningRate = 5e-5, WarmupSteps = quick ? 10 : 25,
            EvalInterval = quick ? 40 : 100, EvalBatches = 2, Seed = 0,
        },
        Rl = new GrpoConfig
        {
            Steps = quick ? 8 : 60, NumGenerations = 8, PromptsPerStep = 8, MaxCompletionLength = 128, Temperature = 1.0,
            LearningRate = 5e-5, NumIterations = 2, Beta = 0.02, LossType = LossType.Dapo,
            EvalInterval = quick ? 4 : 10, EvalSamples = 2, EvalTemperature = 1.0, SampleGroupsPerStep = 2, Seed = 0,
        },
    };

    // ---- data ----

    /// <summary>Rejection-sampling prompts: the first <paramref name="perTask"/> of each reasoning task's train split.</summary>
    public static List<Example> RejectionPrompts(int perTask)
    {
        if (perTask < 1) throw new ArgumentOutOfRangeException(nameof(perTask), perTask, "Need at least one prompt per task.");
        return ReasoningTasks.SelectMany(t => Datasets.Load(t, "train").Take(perTask)).ToList();
    }

    /// <summary>
    /// The SFT set: the kept rejection samples plus every general train demonstration (the non-reasoning data),
    /// in a fixed shuffled order.
    /// </summary>
    public static List<Demonstration> SftData(IEnumerable<Demonstration> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var all = kept.Concat(GeneralPrompts.Load("train")).ToList();
        new Rng(20250120).Shuffle(all);
        return all;
    }

    /// <summary>
    /// RL prompts: every train prompt of the reasoning tasks, and the general train prompts repeated in order until
    /// they are <see cref="GeneralShare"/> of the mix.
    /// </summary>
    public static List<Example> RlPrompts()
    {
        var reasoning = ReasoningTasks.SelectMany(t => Datasets.Load(t, "train")).ToList();
        var general = GeneralPrompts.Load("train").Select(d => d.Example).ToList();
        int nGeneral = (int)Math.Round(reasoning.Count * GeneralShare / (1 - GeneralShare));
        return reasoning.Concat(Enumerable.Range(0, nGeneral).Select(i => general[i % general.Count])).ToList();
    }

    /// <summary>
    /// The final table's test sets: the first 40 / 200 problems of each reasoning task's test split (arithmetic is
    /// <see cref="ZeroRecipe.TestSet"/>, so notebook 02's numbers compare) and the first 24 / 40 general test prompts.
    /// </summary>
    public static (List<Example> Arithmetic, List<Example> WordProblems, List<Example> General) TestSets(bool quick) =>
        (ZeroRecipe.TestSet(quick),
         Datasets.Load("wordproblems", "test").Take(quick ? 40 : 200).ToList(),
         GeneralPrompts.Load("test").Select(d => d.Example).Take(quick ? 24 : 40).ToList());

    /// <summary>
    /// Held-out prompts for the RL curves, disjoint from <see cref="TestSets"/>: problems 200+ of each reasoning test
    /// split and the general test prompts after the first 40.
    /// </summary>
    public static List<Example> CurveSet(bool quick)
    {
        int n = quick ? 8 : 32;
        return ReasoningTasks.SelectMany(t => Datasets.Load(t, "test").Skip(200).Take(n))
            .Concat(GeneralPrompts.Load("test").Select(d => d.Example).Skip(40).Take(quick ? 8 : 31)).ToList();
    }

    // ---- stage 1: the reward model ----

    /// <summary>
    /// A reward model whose trunk starts as the base model (the paper starts reward models from an SFT checkpoint;
    /// ours must exist before the SFT, and the base already reads the prompts), trained on the general preference pairs,
    /// evaluated on the held-out ones. With a RunDir in the config, metrics.csv, eval.csv and checkpoint/ go there.
    /// </summary>
    public static (RewardModel Model, Tokenizer Tokenizer, RunHistory History, RunHistory Evaluations) TrainRewardModel(RewardModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.RunDir is not null) DeleteCheckpoint(config.RunDir);
        var (trunk, tokenizer) = Stages.Base();
        var rm = RewardModel.FromGPT(trunk);
        trunk.Dispose();
        var (history, evaluations) = RewardModelTrainer.Train(rm, tokenizer, GeneralPrompts.LoadPairs("train"), config, GeneralPrompts.LoadPairs("test"));
        return (rm, tokenizer, history, evaluations);
    }

    // ---- stage 2: rejection sampling + SFT ----

    /// <summary>File of the rejection-sampling drop statistics in the r1-sft run folder.</summary>
    public const string RejectionFile = "rejection.csv";
    /// <summary>File of the SFT set (kept samples + general data) in the r1-sft run folder.</summary>
    public const string SftDataFile = "sft_data.jsonl";

    /// <summary>
    /// Rejection sampling from <paramref name="source"/> (temperature 1, seed 0); with a run folder, the statistics
    /// table goes to <see cref="RejectionFile"/>.
    /// </summary>
    public static RejectionResult SampleReasoning(GPT source, Tokenizer tokenizer, IReadOnlyList<Example> prompts, RejectionSamplingConfig config,
        string? runDir = null)
    {
        var result = RejectionSampling.Run(source, tokenizer, prompts, config, new SamplingOptions { Temperature = 1f, Seed = 0 });
        if (runDir is not null)
        {
            Directory.CreateDirectory(runDir);
            result.Stats.ToTable().SaveCsv(Path.Combine(runDir, RejectionFile));
        }
        return result;
    }

    /// <summary>
    /// SFT of <paramref name="model"/> (in place) on <paramref name="data"/>, with the general test demonstrations as
    /// the held-out loss. With a run folder: the data (<see cref="SftDataFile"/>), metrics.csv, and the model in checkpoint/.
    /// </summary>
    public static TrainResult TrainSft(GPT model, Tokenizer tokenizer, IReadOnlyList<Demonstration> data, TrainConfig config, string? runDir = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(config);
        if (config.RunDir is not null)
            throw new ArgumentException("TrainSft saves the model itself (to runDir/checkpoint); leave TrainConfig.RunDir null.", nameof(config));
        if (runDir is not null)
        {
            DeleteCheckpoint(runDir);
            Directory.CreateDirectory(runDir);
            Jsonl.Write(Path.Combine(runDir, SftDataFile), data);
        }
        var result = Sft.Run(model, tokenizer, data.ToSft(tokenizer), config, GeneralPrompts.Load("test").ToSft(tokenizer));
        if (runDir is not null)
        {
            using (var csv = new MetricsCsv(runDir))
                foreach (var m in result.Metrics) csv.Append(m);
            Checkpoint.Save(Path.Combine(runDir, "checkpoint"), model, tokenizer, metadata: new Dictionary<string, string> { ["stage"] = Stages.R1SftStage });
        }
        return result;
    }

    // ---- stage 3: RL for all scenarios ----

    /// <summary>
    /// Rewards of RL for all scenarios. Reasoning prompts: accuracy (1) and language consistency (0.2, as in reasoning
    /// RL). General prompts: the reward model's score of the whole response (1). Every prompt: format (0.5). Logged
    /// only (weight 0): <see cref="GeneralCorrect"/>, the rule-based check of general answers, which shows whether the
    /// reward model's score still means a right answer; "mixed", language-mixed reasoning thoughts.
    /// </summary>
    public static RewardSet RlRewards(RewardModel rewardModel, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return MixedPrompts.Rewards(
            reasoning:
            [
                Reward.Accuracy(1.0), Reward.LanguageConsistency(0.2),
                Reward.From("mixed", (e, c) => TextStats.ThinkText(c) is { } t && TextStats.IsLanguageMixed(t, e.Language) ? 1 : 0, weight: 0),
            ],
            general:
            [
                rewardModel.AsReward(tokenizer, RewardModelReward, RewardView.Full, 1.0),
                Reward.From(GeneralCorrect, (e, c) => GeneralPrompts.Verify(e, c).Correct ? 1 : 0, weight: 0),
            ],
            shared: [Reward.Format(0.5)]);
    }

    /// <summary>
    /// GRPO (in place) of <paramref name="policy"/> on <paramref name="prompts"/> (default <see cref="RlPrompts"/>)
    /// with <see cref="RlRewards"/>, evaluating on <paramref name="curve"/>; with config.RunDir, the policy goes to its checkpoint/.
    /// </summary>
    public static GrpoResult TrainR1(GPT policy, Tokenizer tokenizer, RewardModel rewardModel, Tokenizer rewardTokenizer, GrpoConfig config,
        IReadOnlyList<Example>? prompts = null, IReadOnlyList<Example>? curve = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (rewardTokenizer.VocabSize != tokenizer.VocabSize)
            throw new ArgumentException($"The reward model's tokenizer has {rewardTokenizer.VocabSize} tokens but the policy's has {tokenizer.VocabSize}; they must be the book's one tokenizer.");
        if (config.RunDir is not null) DeleteCheckpoint(config.RunDir);
        var trainer = new GrpoTrainer(policy, tokenizer, RlRewards(rewardModel, rewardTokenizer), config);
        return trainer.Train(prompts ?? RlPrompts(), curve);
    }

    /// <summary>
    /// A mixed-prompt metric over the prompts it applies to: MixedPrompts logs a routed reward's mean over the whole
    /// batch (zeros on the other kind included), so divide by the general share (general rewards) or by one minus it
    /// (reasoning rewards). NaN on steps without such prompts. <paramref name="prefix"/> is "" for training metrics,
    /// "eval/" for evaluations.
    /// </summary>
    public static double[] Conditional(RunHistory history, string reward, bool general, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(history);
        var values = history[$"{prefix}rewards/{reward}/mean"];
        var share = history[$"{prefix}rewards/{MixedPrompts.GeneralShare}/mean"];
        return values.Select((v, i) =>
        {
            double s = general ? share[i] : 1 - share[i];
            return s > 0 ? v / s : double.NaN;
        }).ToArray();
    }

    // ---- the final table ----

    /// <summary>
    /// Scores <paramref name="model"/> on <see cref="TestSets"/> with <paramref name="samples"/> samples per prompt at
    /// temperature 1 (seed 99, as notebook 02): pass@1 per task (word problems per language), format, language mixing
    /// and length of the reasoning answers, and on the general prompts the rule-based check, the reward model's mean
    /// score and the share answered without a chain of thought.
    /// </summary>
    public static StageEvaluation Score(string name, GPT model, Tokenizer tokenizer, RewardModel rewardModel, Tokenizer rewardTokenizer,
        bool quick, int samples, int maxNewTokens = 128)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(rewardModel);
        var (arith, words, general) = TestSets(quick);
        var a = Evaluation.Run(model, tokenizer, arith, samples, 1f, maxNewTokens, seed: 99);
        var w = Evaluation.Run(model, tokenizer, words, samples, 1f, maxNewTokens, seed: 99);
        var texts = Completions.Sample(model, tokenizer, general, samples,
            new SamplingOptions { MaxNewTokens = maxNewTokens, Temperature = 1f, Seed = 99, StopToken = tokenizer.EosId }, reportProgress: false);
        var g = general.SelectMany((e, i) => texts[i].Select(c => (Example: e, Completion: c))).ToList();
        var rm = rewardModel.Score(rewardTokenizer, g.Select(p => (p.Example.Prompt, p.Completion)).ToList(), RewardView.Full);
        return new StageEvaluation(name, a, w, g, rm);
    }

    /// <summary>
    /// The reward model's mean score of the reference answers (the preferred completions) of the general test prompts
    /// in <see cref="TestSets"/>: what a right, direct, polite answer scores, to compare a model's answers with.
    /// </summary>
    public static double ReferenceScore(RewardModel rewardModel, Tokenizer rewardTokenizer, bool quick)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        var ids = TestSets(quick).General.Select(e => e.Id).ToHashSet();
        var reference = GeneralPrompts.Load("test").Where(d => ids.Contains(d.Example.Id)).Select(d => (d.Example.Prompt, d.Completion)).ToList();
        return rewardModel.Score(rewardTokenizer, reference, RewardView.Full).Average(s => (double)s);
    }

    /// <summary>One row per stage, the columns of the final comparison.</summary>
    public static Table ScoreTable(IEnumerable<StageEvaluation> rows)
    {
        var r = rows.ToList();
        return new Table()
            .AddColumn("model", r.Select(x => x.Name))
            .AddColumn("arithmetic", r.Select(x => x.Arithmetic.PassAt1))
            .AddColumn("word en", r.Select(x => x.WordsPassAt1("en")))
            .AddColumn("word zh", r.Select(x => x.WordsPassAt1("zh")))
            .AddColumn("format", r.Select(x => x.Reasoning.FormatRate))
            .AddColumn("lang-mixed", r.Select(x => x.Reasoning.MixedRate))
            .AddColumn("length", r.Select(x => x.Reasoning.MeanLength))
            .AddColumn("general ok", r.Select(x => x.GeneralCorrect))
            .AddColumn("general RM", r.Select(x => x.GeneralRewardModel))
            .AddColumn("general no-CoT", r.Select(x => x.GeneralNoThought));
    }

    static void DeleteCheckpoint(string runDir)
    {
        // A rerun replaces the stage: drop the old model first so an interrupted run never leaves a stale checkpoint.
        var ck = Path.Combine(runDir, "checkpoint");
        if (Directory.Exists(ck)) Directory.Delete(ck, recursive: true);
    }
}

/// <summary>A stage's model on the final test sets (<see cref="MultiStageRecipe.Score"/>).</summary>
/// <param name="General">Every sampled completion of every general test prompt.</param>
/// <param name="GeneralScores">The reward model's score of each <paramref name="General"/> completion (whole response).</param>
public sealed record StageEvaluation(string Name, EvalReport Arithmetic, EvalReport WordProblems,
    IReadOnlyList<(Example Example, string Completion)> General, float[] GeneralScores)
{
    /// <summary>pass@1 on the word problems of one language ("en" or "zh"); NaN when the test set has none.</summary>
    public double WordsPassAt1(string language)
    {
        var items = WordProblems.Items.Where(i => i.Example.Language == language).ToList();
        return items.Count == 0 ? double.NaN : Evaluation.PassAt1(items.Select(i => i.Correct));
    }

    /// <summary>Completion statistics over every arithmetic and word-problem completion.</summary>
    public CompletionStats Reasoning => CompletionStats.Of(Arithmetic.Pairs.Concat(WordProblems.Pairs));

    /// <summary>Share of general completions whose answer GeneralPrompts.Verify accepts.</summary>
    public double GeneralCorrect => General.Count == 0 ? double.NaN : General.Average(p => GeneralPrompts.Verify(p.Example, p.Completion).Correct ? 1.0 : 0.0);

    /// <summary>Mean reward-model score of the general completions.</summary>
    public double GeneralRewardModel => GeneralScores.Length == 0 ? double.NaN : GeneralScores.Average(s => (double)s);

    /// <summary>Share of general completions in the format with an empty (whitespace-only) thought: answered directly.</summary>
    public double GeneralNoThought => General.Count == 0 ? double.NaN : General.Average(p =>
        RewardFunctions.Format(p.Example, p.Completion) > 0 && string.IsNullOrWhiteSpace(TextStats.ThinkText(p.Completion)) ? 1.0 : 0.0);
}

public static partial class Stages
{
    /// <summary>The base model SFT'd on rejection-sampled reasoning + general data (notebook 04).</summary>
    public const string R1SftStage = "r1-sft";
    /// <summary>The Bradley–Terry reward model for general prompts (notebook 04).</summary>
    public const string RewardModelStage = "reward-model";
    /// <summary>The final R1 model: RL for all scenarios on top of <see cref="R1SftStage"/> (notebook 04).</summary>
    public const string R1Stage = "r1";

    /// <summary>The rejection-sampling SFT model of notebook 04, produced first (from <see cref="MultiStageRecipe.RejectionSource"/>) if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) R1Sft(bool quick) => R1Sft(quick, MultiStageRecipe.Settings(quick));

    internal static (GPT Model, Tokenizer Tokenizer) R1Sft(bool quick, MultiStageSettings settings)
    {
        var (m, t, _) = LoadOrProduce(R1SftStage, quick, dir =>
        {
            var (source, sourceTokenizer) = MultiStageRecipe.RejectionSource(quick);
            var rs = MultiStageRecipe.SampleReasoning(source, sourceTokenizer, MultiStageRecipe.RejectionPrompts(settings.RejectionPromptsPerTask),
                settings.Rejection, dir);
            source.Dispose();
            var (model, tokenizer) = Base();
            MultiStageRecipe.TrainSft(model, tokenizer, MultiStageRecipe.SftData(rs.Kept), settings.Sft, dir);
        });
        return (m, t);
    }

    /// <summary>The general-prompt reward model of notebook 04, trained first if its run folder has no checkpoint.</summary>
    public static (RewardModel Model, Tokenizer Tokenizer) GeneralRewardModel(bool quick) => GeneralRewardModel(quick, MultiStageRecipe.Settings(quick));

    internal static (RewardModel Model, Tokenizer Tokenizer) GeneralRewardModel(bool quick, MultiStageSettings settings) =>
        LoadOrProduceRewardModel(RewardModelStage, quick,
            dir => MultiStageRecipe.TrainRewardModel(settings.RewardModel with { RunDir = dir }).Model.Dispose());

    /// <summary>
    /// The final R1 model of notebook 04 (RL for all scenarios on <see cref="R1Sft"/> with <see cref="GeneralRewardModel"/>),
    /// produced first — with the stages it needs — if missing. Notebooks 05 and 06 use it as the teacher / "R1".
    /// </summary>
    public static (GPT Model, Tokenizer Tokenizer) FinalR1(bool quick) => FinalR1(quick, MultiStageRecipe.Settings(quick));

    internal static (GPT Model, Tokenizer Tokenizer) FinalR1(bool quick, MultiStageSettings settings)
    {
        var (m, t, _) = LoadOrProduce(R1Stage, quick, dir =>
        {
            var (policy, tokenizer) = R1Sft(quick, settings);
            var (rm, rmTokenizer) = GeneralRewardModel(quick, settings);
            MultiStageRecipe.TrainR1(policy, tokenizer, rm, rmTokenizer, settings.Rl with { RunDir = dir }, curve: MultiStageRecipe.CurveSet(quick));
            policy.Dispose();
            rm.Dispose();
        });
        return (m, t);
    }
}
