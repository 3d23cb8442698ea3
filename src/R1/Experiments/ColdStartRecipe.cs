using R1.Models;
using R1.Rewards;
using R1.RL;
using R1.Tables;
using R1.Tasks;
using R1.Training;

namespace R1.Experiments;

/// <summary>
/// DeepSeek-R1's first two stages at book scale (notebook 03). <b>Cold start</b>: SFT the base model on the few
/// hundred readable chains of thought of <c>datasets/coldstart</c>. <b>Reasoning-oriented RL</b>: GRPO from that
/// model with the R1-Zero rewards (accuracy, format) plus the language-consistency reward, on prompts where
/// language mixing can appear — arithmetic and word problems in English and Chinese. The same RL without the
/// language reward is the control that shows what the reward buys. Kept in the library so notebook 04 reproduces
/// exactly these models when their run folders are missing.
/// </summary>
public static class ColdStartRecipe
{
    /// <summary>The tasks reasoning RL trains on: R1-Zero's arithmetic, plus the bilingual word problems.</summary>
    public static readonly string[] Tasks = [ZeroRecipe.Task, "wordproblems"];

    /// <summary>
    /// Weight of the language-consistency reward (accuracy has 1, format 0.5). 2 rather than the paper's plain sum:
    /// at weight 1 the mixed share fell only to a quarter of the control run's (0.69% vs 2.66% of 3,200 thoughts).
    /// </summary>
    public const double LanguageWeight = 2.0;

    /// <summary>
    /// SFT settings for the cold start: about 8 epochs over the 600 demonstrations (4 in quick mode), so the model
    /// starts RL writing the format and the worked, checked steps of the demonstrations.
    /// </summary>
    public static TrainConfig SftConfig(bool quick) => new()
    {
        Steps = quick ? 150 : 300, BatchSize = 16, LearningRate = 1e-3, MinLearningRate = 1e-4, WarmupSteps = 20,
        WeightDecay = 0.1, EvalInterval = 0, Seed = 0,
    };

    /// <summary>
    /// GRPO settings: R1-Zero's (<see cref="ZeroRecipe.Config"/>: G = 8, μ = 2, dapo loss, β = 0.02, same eval set and
    /// sampling) for half its steps, with three changes. 16 prompts a step in full mode, about half of them word
    /// problems, so a step still holds about R1-Zero's 8 arithmetic prompts. lr 1e-4, twice R1-Zero's: 3e-4 collapsed
    /// R1-Zero into format-only guesses, but the cold-started model already writes worked, well-formed answers — at
    /// 5e-5 it gained too slowly (38% arithmetic pass@1 after 100 steps), at 2e-4 it fell back (24%). And 160 new
    /// tokens for the longer, checked answers the cold start teaches (the context caps the rest).
    /// </summary>
    public static GrpoConfig RlConfig(bool quick, string? runDir = null) => ZeroRecipe.Config(quick, runDir) with
    {
        Steps = quick ? 12 : 100, PromptsPerStep = quick ? 8 : 16, LearningRate = 1e-4, MaxCompletionLength = 160,
        EvalInterval = quick ? 6 : 10,
    };

    /// <summary>
    /// Accuracy (1) and format (0.5) as in R1-Zero, the language-consistency reward (<see cref="LanguageWeight"/>, or
    /// weight 0 — logged, not trained on — for the control run), plus R1-Zero's <see cref="ZeroRecipe.Trackers"/>.
    /// </summary>
    public static RewardSet Rewards(bool languageReward) =>
        new([Reward.Accuracy(1.0), Reward.Format(0.5), Reward.LanguageConsistency(languageReward ? LanguageWeight : 0), .. ZeroRecipe.Trackers()]);

    /// <summary>RL prompts: the train splits of <see cref="Tasks"/> (2,000 each; the trainer shuffles them together).</summary>
    public static List<Example> TrainSet() => Tasks.SelectMany(t => Datasets.Load(t, "train")).ToList();

    /// <summary>
    /// Word problems for measuring language mixing: the first <c>quick ? 40 : 200</c> of the test split (about half
    /// English, half Chinese).
    /// </summary>
    public static List<Example> MixingSet(bool quick) => Datasets.Load("wordproblems", "test").Take(quick ? 40 : 200).ToList();

    /// <summary>
    /// Evaluates a model the way the notebook compares them: pass@1 over <c>quick ? 4 : 8</c> samples on R1-Zero's
    /// <see cref="ZeroRecipe.TestSet"/>, and <c>quick ? 4 : 16</c> samples on <see cref="MixingSet"/> — many, because
    /// a mixing rate of a few percent needs thousands of thoughts to be measured to a fraction of itself.
    /// </summary>
    public static ReasoningEval Evaluate(GPT model, Tokenizer tokenizer, bool quick, ulong seed = 99)
    {
        int max = RlConfig(quick).MaxCompletionLength;
        return new ReasoningEval(
            Evaluation.Run(model, tokenizer, ZeroRecipe.TestSet(quick), samples: quick ? 4 : 8, temperature: 1f, maxNewTokens: max, seed: seed),
            Evaluation.Run(model, tokenizer, MixingSet(quick), samples: quick ? 4 : 16, temperature: 1f, maxNewTokens: max, seed: seed));
    }

    /// <summary>One row per model: accuracy on both sets, readability (format) and language mixing on the word problems.</summary>
    public static Table Compare(params (string Model, ReasoningEval Eval)[] rows) => new Table()
        .AddColumn("model", rows.Select(r => r.Model))
        .AddColumn("arithmetic pass@1", rows.Select(r => r.Eval.Arithmetic.PassAt1))
        .AddColumn("word-problem pass@1", rows.Select(r => r.Eval.WordProblems.PassAt1))
        .AddColumn("format", rows.Select(r => r.Eval.FormatRate))
        .AddColumn("mixed (word problems)", rows.Select(r => r.Eval.MixedRate))
        .AddColumn("mixed (en)", rows.Select(r => r.Eval.WordStats("en").MixedRate))
        .AddColumn("mixed (zh)", rows.Select(r => r.Eval.WordStats("zh").MixedRate))
        .AddColumn("mean length", rows.Select(r => r.Eval.MeanLength));

    /// <summary>
    /// The cold-start demonstrations as SFT rows, less those longer than the model's context (<paramref name="blockSize"/>
    /// + 1 tokens with &lt;bos&gt; and &lt;eos&gt;): the set allows 201, the base model reads 193 — 10 of the 600
    /// (long checked word problems and Countdown searches) are dropped rather than cut mid-thought.
    /// </summary>
    public static List<SftExample> SftSet(Tokenizer tokenizer, int blockSize) =>
        ColdStart.Load().ToSft(tokenizer).Where(e => e.Prompt.Length + e.Completion.Length <= blockSize + 1).ToList();

    /// <summary>
    /// SFT of <paramref name="model"/> in place on <see cref="SftSet"/>; with a run folder, writes its
    /// metrics.csv there and the model to its <c>checkpoint</c> subfolder.
    /// </summary>
    public static TrainResult TrainSft(GPT model, Tokenizer tokenizer, bool quick, string? runDir = null, TrainConfig? config = null)
    {
        var checkpoint = runDir is null ? null : Path.Combine(runDir, "checkpoint");
        if (checkpoint is not null && Directory.Exists(checkpoint)) Directory.Delete(checkpoint, recursive: true);
        var result = Sft.Run(model, tokenizer, SftSet(tokenizer, model.Config.BlockSize), config ?? SftConfig(quick));
        if (runDir is not null)
        {
            // As a RunHistory, so Stages.History(ColdStartSftStage, quick) reads the loss curve back.
            var history = new RunHistory(Path.Combine(runDir, "metrics.csv"));
            foreach (var m in result.Metrics)
                history.Add(m.Step + 1, new Dictionary<string, double> { ["loss"] = m.Loss, ["lr"] = m.Lr, ["grad_norm"] = m.GradNorm, ["tokens_per_s"] = m.TokensPerSecond });
            Checkpoint.Save(checkpoint!, model, tokenizer);
        }
        return result;
    }

    /// <summary>
    /// Reasoning RL: trains <paramref name="model"/> (the cold-started one) in place with GRPO on <see cref="TrainSet"/>,
    /// evaluating on R1-Zero's curve set so the two accuracy curves compare directly; with a run folder, saves the
    /// policy in its <c>checkpoint</c> subfolder.
    /// </summary>
    public static GrpoResult TrainRl(GPT model, Tokenizer tokenizer, bool quick, bool languageReward, string? runDir = null, GrpoConfig? config = null)
    {
        if (runDir is not null && Directory.Exists(Path.Combine(runDir, "checkpoint")))
            Directory.Delete(Path.Combine(runDir, "checkpoint"), recursive: true);
        var trainer = new GrpoTrainer(model, tokenizer, Rewards(languageReward), config ?? RlConfig(quick, runDir));
        return trainer.Train(TrainSet(), ZeroRecipe.CurveSet(quick));
    }
}

/// <summary>A model's completions on R1-Zero's arithmetic test set and on the bilingual word problems (<see cref="ColdStartRecipe.Evaluate"/>).</summary>
public sealed record ReasoningEval(EvalReport Arithmetic, EvalReport WordProblems)
{
    /// <summary>Stats of the word-problem completions, all of them or those of one prompt language ("en", "zh").</summary>
    public CompletionStats WordStats(string? language = null) =>
        CompletionStats.Of(WordProblems.Pairs.Where(p => language is null || p.Example.Language == language));

    /// <summary>Share of language-mixed thoughts on the word problems (both languages): the mixing rate.</summary>
    public double MixedRate => WordStats().MixedRate;

    /// <summary>pass@1 over both sets, each set weighted by its share of the samples.</summary>
    public double PassAt1 => All.Accuracy;

    /// <summary>Share of completions, both sets, in the exact think-then-answer format (readability).</summary>
    public double FormatRate => All.FormatRate;

    public double MeanLength => All.MeanLength;

    CompletionStats All => CompletionStats.Of(Arithmetic.Pairs.Concat(WordProblems.Pairs));
}

public static partial class Stages
{
    /// <summary>The base model SFT'd on the cold-start set (notebook 03).</summary>
    public const string ColdStartSftStage = "cold-start-sft";
    /// <summary>Reasoning RL from the cold start, with the language-consistency reward (notebook 03; notebook 04 samples from it).</summary>
    public const string ReasoningRlStage = "reasoning-rl";
    /// <summary>The same RL without the language-consistency reward (notebook 03's control).</summary>
    public const string ReasoningRlNoLangStage = "reasoning-rl-nolang";

    /// <summary>The cold-started model (<see cref="ColdStartRecipe.TrainSft"/> on the base), trained first if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) ColdStartSft(bool quick)
    {
        var (m, t, _) = LoadOrProduce(ColdStartSftStage, quick, dir =>
        {
            var (model, tokenizer) = Base();
            ColdStartRecipe.TrainSft(model, tokenizer, quick, dir);
        });
        return (m, t);
    }

    /// <summary>Reasoning RL with the language-consistency reward, from <see cref="ColdStartSft"/>; trained first if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) ReasoningRl(bool quick) => ReasoningRlRun(ReasoningRlStage, quick, languageReward: true);

    /// <summary>Reasoning RL without the language-consistency reward, from <see cref="ColdStartSft"/>; trained first if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) ReasoningRlNoLang(bool quick) => ReasoningRlRun(ReasoningRlNoLangStage, quick, languageReward: false);

    static (GPT Model, Tokenizer Tokenizer) ReasoningRlRun(string stage, bool quick, bool languageReward)
    {
        var (m, t, _) = LoadOrProduce(stage, quick, dir =>
        {
            var (model, tokenizer) = ColdStartSft(quick);
            ColdStartRecipe.TrainRl(model, tokenizer, quick, languageReward, dir);
        });
        return (m, t);
    }
}
