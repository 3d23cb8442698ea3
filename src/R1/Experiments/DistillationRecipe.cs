using System.Diagnostics;
using System.Text.Json;
using R1.Display;
using R1.Inference;
using R1.IO;
using R1.Models;
using R1.RL;
using R1.Tasks;
using R1.Training;

namespace R1.Experiments;

/// <summary>What distillation produced: the teacher's kept traces and their statistics, the SFT run, and the wall-clock of each part.</summary>
public sealed record DistillResult(List<Demonstration> Traces, RejectionStats Stats, TrainResult Sft, double TraceSeconds, double SftSeconds)
{
    /// <summary>The whole cost of distillation here: sampling the teacher's traces plus SFT (the RL student gets the same).</summary>
    public double Seconds => TraceSeconds + SftSeconds;
}

/// <summary>What the time-limited GRPO run of the student produced; Evaluations has a <c>train_seconds</c> column (RL time spent so far).</summary>
public sealed record RlStudentResult(GrpoResult Run, int Steps, double Seconds, double BudgetSeconds);

/// <summary>
/// Distillation at book scale (notebook 05). DeepSeek-R1 found that a small model fine-tuned on the big model's
/// verified reasoning traces beats the same small model trained by large-scale RL itself. Here:
/// <list type="number">
/// <item>the student is the base model cut to its first <see cref="StudentLayers"/> blocks (half the depth), its
/// context stretched to <see cref="StudentContext"/>, then "healed" by a short pretraining on the corpus so it is a
/// working base model again (stage <c>student-base</c>);</item>
/// <item>distillation = rejection sampling from the teacher (keep verified, well-formed, one-language traces) then SFT
/// of the student on them — plain SFT on text, as in the paper, not logit matching (<c>student-distilled</c>);</item>
/// <item>the baseline is the same student trained by GRPO with R1-Zero's rewards for the same wall-clock as the whole
/// distillation (trace sampling + SFT; <c>student-rl</c>);</item>
/// <item>journey learning: the same student SFT'd on clean shortcut traces or on traces that take a wrong path,
/// notice it and correct it (<see cref="Journey"/>; <c>student-clean</c>, <c>student-journey</c>).</item>
/// </list>
/// </summary>
public static class DistillationRecipe
{
    /// <summary>The task distilled and evaluated (the teacher's RL task).</summary>
    public const string Task = ZeroRecipe.Task;
    /// <summary>Transformer blocks of the student (the base model has 4).</summary>
    public const int StudentLayers = 2;
    /// <summary>The student's context: journey documents reach 239 tokens, past the base model's 192.</summary>
    public const int StudentContext = 256;
    /// <summary>The file beside a stage's checkpoint with its wall-clock and counts.</summary>
    public const string SummaryFile = "summary.json";

    /// <summary>
    /// A smaller model from <paramref name="source"/>: its embeddings, first <paramref name="layers"/> blocks and
    /// final LayerNorm. Position rows beyond the source's context copy its last row (a neutral start that SFT on
    /// longer documents then trains).
    /// </summary>
    public static GPT CutStudent(GPT source, int layers = StudentLayers, int context = StudentContext)
    {
        ArgumentNullException.ThrowIfNull(source);
        var c = source.Config;
        if (layers < 1 || layers > c.NLayer) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"The student keeps 1 … {c.NLayer} of the source's blocks.");
        if (context < 1) throw new ArgumentOutOfRangeException(nameof(context), context, "The student's context must be positive.");
        var student = new GPT(c with { NLayer = layers, BlockSize = context });
        var from = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in student.named_parameters())
        {
            var src = from[name].data<float>();
            var dst = p.data<float>();
            if (name == "transformer.wpe.weight")
            {
                int C = c.NEmbd, keep = Math.Min(c.BlockSize, context);
                src[..(keep * C)].CopyTo(dst);
                for (int t = keep; t < context; t++) src.Slice((keep - 1) * C, C).CopyTo(dst.Slice(t * C, C));
            }
            else src.CopyTo(dst);
        }
        return student;
    }

    /// <summary>Healing: a short pretraining of the cut model on the corpus, at a third of the base model's peak rate.</summary>
    public static TrainConfig HealConfig(bool quick) => new()
    {
        Steps = quick ? 30 : 400, BatchSize = 16, ContextLength = 192, LearningRate = 6e-4, MinLearningRate = 6e-5, WarmupSteps = 10,
        EvalInterval = 0, Seed = 5,
    };

    /// <summary>Heals the cut student in place (<see cref="HealConfig"/>); with a run folder, saves metrics.csv and the checkpoint.</summary>
    public static TrainResult Heal(GPT student, Tokenizer tokenizer, bool quick, string? runDir = null)
    {
        var docs = Datasets.LoadCorpus("train").Select(d => tokenizer.Encode(d.Text, addBos: true, addEos: true));
        var result = Pretrain.Run(student, tokenizer, docs, HealConfig(quick));
        Save(runDir, student, tokenizer, result, new Dictionary<string, double> { ["seconds"] = result.Metrics.Sum(m => m.StepTime) });
        return result;
    }

    /// <summary>Train prompts the teacher answers (the first 150 / 1000 of the arithmetic train split).</summary>
    public static List<Example> TracePrompts(bool quick) => Datasets.Load(Task, "train").Take(quick ? 150 : 1000).ToList();

    /// <summary>
    /// Rejection sampling of the teacher: 8 samples per prompt, at most 2 kept (more prompts covered rather than many
    /// copies of the easy ones), the default filters (overlong, malformed, wrong, mixed-language, duplicate).
    /// </summary>
    public static RejectionSamplingConfig TraceConfig(bool quick) => new() { SamplesPerPrompt = 8, MaxKeptPerPrompt = 2, MaxCompletionTokens = 128 };

    /// <summary>SFT of the student (distilled traces and journey data alike): batch 32, lr 1e-3 → 1e-4.</summary>
    public static TrainConfig SftConfig(bool quick) => new()
    {
        Steps = quick ? 50 : 400, BatchSize = 32, LearningRate = 1e-3, MinLearningRate = 1e-4, WarmupSteps = 20, EvalInterval = 0, Seed = 11,
    };

    /// <summary>
    /// Distillation: samples the teacher on <see cref="TracePrompts"/>, keeps the verified traces
    /// (<see cref="TraceConfig"/>), and SFTs <paramref name="student"/> on them in place (<see cref="SftConfig"/>).
    /// With a run folder: traces.jsonl, metrics.csv, summary.json and the checkpoint. <paramref name="prompts"/>,
    /// <paramref name="traces"/> and <paramref name="sft"/> replace the recipe's settings (tests, ablations).
    /// </summary>
    public static DistillResult Distill(GPT student, Tokenizer tokenizer, GPT teacher, bool quick, string? runDir = null, ulong seed = 0,
        IReadOnlyList<Example>? prompts = null, RejectionSamplingConfig? traces = null, TrainConfig? sft = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var clock = Stopwatch.StartNew();
        var kept = RejectionSampling.Run(teacher, tokenizer, prompts ?? TracePrompts(quick), traces ?? TraceConfig(quick),
            new SamplingOptions { Temperature = 1f, Seed = seed });
        double traceSeconds = clock.Elapsed.TotalSeconds;
        if (kept.Kept.Count == 0)
            throw new InvalidOperationException($"The teacher produced no verified trace on {kept.Stats.Prompts} prompts ({kept.Stats}); distillation needs a teacher that is sometimes right.");
        var run = Sft.Run(student, tokenizer, kept.Kept.ToSft(tokenizer), sft ?? SftConfig(quick));
        double sftSeconds = run.Metrics.Sum(m => m.StepTime);
        if (runDir is not null) Jsonl.Write(Path.Combine(runDir, "traces.jsonl"), kept.Kept);
        Save(runDir, student, tokenizer, run, new Dictionary<string, double>
        {
            ["seconds"] = traceSeconds + sftSeconds, ["trace_seconds"] = traceSeconds, ["sft_seconds"] = sftSeconds,
            ["prompts"] = kept.Stats.Prompts, ["generated"] = kept.Stats.Generated, ["kept"] = kept.Stats.Kept,
        });
        return new DistillResult(kept.Kept, kept.Stats, run, traceSeconds, sftSeconds);
    }

    /// <summary>
    /// GRPO for the student: R1-Zero's settings (<see cref="ZeroRecipe.Config"/>) with a step cap far above what the
    /// time budget allows, and an evaluation every 20 steps (5 in quick mode) on <see cref="ZeroRecipe.CurveSet"/>.
    /// </summary>
    public static GrpoConfig RlConfig(bool quick, string? runDir = null) => ZeroRecipe.Config(quick, runDir) with
    {
        Steps = 10_000, EvalInterval = quick ? 5 : 20, Seed = 3,
    };

    /// <summary>
    /// GRPO on the student in place, with R1-Zero's rewards, until <paramref name="seconds"/> of training (rollouts +
    /// updates; evaluations are not counted) are spent — the step running when the budget ends finishes. With a run
    /// folder: metrics.csv, eval.csv, samples.jsonl, summary.json and the checkpoint.
    /// </summary>
    public static RlStudentResult TrainRl(GPT student, Tokenizer tokenizer, double seconds, bool quick, string? runDir = null, GrpoConfig? config = null)
    {
        if (!(seconds > 0)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "The RL time budget must be positive.");
        config ??= RlConfig(quick, runDir);
        var trainer = new GrpoTrainer(student, tokenizer, ZeroRecipe.Rewards(), config);
        var train = Datasets.Load(Task, "train");
        var curve = ZeroRecipe.CurveSet(quick);
        var clock = new Stopwatch();
        void Evaluate(int step)
        {
            var m = trainer.Evaluate(curve);
            m["train_seconds"] = clock.Elapsed.TotalSeconds;
            trainer.Evaluations.Add(step, m);
        }
        Evaluate(0);
        var rng = new Random(config.Seed);
        var order = new List<int>();
        int next = 0, step = 0;
        using (var progress = Progress.Start($"GRPO for {seconds:F0} s", (long)Math.Ceiling(seconds)))
            while (clock.Elapsed.TotalSeconds < seconds && step < config.Steps)
            {
                var prompts = new List<Example>(config.PromptsPerStep);
                while (prompts.Count < config.PromptsPerStep)
                {
                    if (next == order.Count) { order = Enumerable.Range(0, train.Count).OrderBy(_ => rng.Next()).ToList(); next = 0; }
                    prompts.Add(train[order[next++]]);
                }
                clock.Start();
                var m = trainer.Step(prompts, ++step);
                clock.Stop();
                if (step % config.EvalInterval == 0) Evaluate(step);
                progress.Report((long)Math.Min(seconds, clock.Elapsed.TotalSeconds), $"step {step}  reward {m["reward"]:F3}");
            }
        if (trainer.Evaluations.Steps[^1] != step) Evaluate(step);
        double spent = clock.Elapsed.TotalSeconds;
        if (config.RunDir is not null)
        {
            Checkpoint.Save(Path.Combine(config.RunDir, "checkpoint"), student, tokenizer);
            WriteSummary(config.RunDir, new Dictionary<string, double> { ["seconds"] = spent, ["budget_seconds"] = seconds, ["steps"] = step });
        }
        return new RlStudentResult(new GrpoResult(trainer.History, trainer.Evaluations, trainer.Samples, config.RunDir), step, spent, seconds);
    }

    /// <summary>SFT on the journey-learning data: <see cref="SftConfig"/> with 300 steps (16 epochs of the 600 examples), 30 in quick mode.</summary>
    public static TrainConfig JourneyConfig(bool quick) => SftConfig(quick) with { Steps = quick ? 30 : 300 };

    /// <summary>
    /// Journey learning: SFT of the student in place on the committed clean or journey traces (<see cref="Journey.Load"/>,
    /// the same 600 problems), with <see cref="JourneyConfig"/>.
    /// </summary>
    public static TrainResult TrainOnJourney(GPT student, Tokenizer tokenizer, string variant, bool quick, string? runDir = null)
    {
        var data = Journey.Load(variant);
        var result = Sft.Run(student, tokenizer, data.ToSft(tokenizer), JourneyConfig(quick));
        Save(runDir, student, tokenizer, result, new Dictionary<string, double> { ["seconds"] = result.Metrics.Sum(m => m.StepTime), ["examples"] = data.Count });
        return result;
    }

    /// <summary>Final test set of the distillation comparison: notebook 02's (first 40 / 200 of the arithmetic test split).</summary>
    public static List<Example> TestSet(bool quick) => ZeroRecipe.TestSet(quick);

    /// <summary>Test set of the journey comparison: the first 15 / 70 test problems of each task the journey data covers.</summary>
    public static List<Example> JourneyTestSet(bool quick) =>
        Datasets.TaskNames.SelectMany(t => Datasets.Load(t, "test").Take(quick ? 15 : 70)).ToList();

    /// <summary>A stage's summary.json (wall-clock seconds and counts), written when the stage was produced.</summary>
    public static IReadOnlyDictionary<string, double> Summary(string stage, bool quick)
    {
        var path = Path.Combine(Stages.Dir(stage, quick), SummaryFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Stage '{stage}' ({(quick ? "quick" : "full")} mode) has no {SummaryFile} in '{Stages.Dir(stage, quick)}'; delete the folder to produce the stage again.", path);
        return JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(path))
            ?? throw new FormatException($"{path} is not a JSON object of numbers.");
    }

    /// <summary>The per-step metrics.csv of a pretraining/SFT stage (student-base, -distilled, -clean, -journey); for the RL stage use <see cref="Stages.History"/>.</summary>
    public static List<StepMetrics> TrainMetrics(string stage, bool quick)
    {
        var path = Path.Combine(Stages.Dir(stage, quick), MetricsCsv.FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Stage '{stage}' ({(quick ? "quick" : "full")} mode) has no {MetricsCsv.FileName} in '{Stages.Dir(stage, quick)}'; run notebook 05 first.", path);
        return MetricsCsv.Read(path);
    }

    /// <summary>With a run folder: metrics.csv of an SFT/pretraining run, the checkpoint in its checkpoint/ subfolder, and summary.json.</summary>
    static void Save(string? runDir, GPT model, Tokenizer tokenizer, TrainResult result, Dictionary<string, double> summary)
    {
        if (runDir is null) return;
        using (var csv = new MetricsCsv(runDir))
            foreach (var m in result.Metrics) csv.Append(m);
        Checkpoint.Save(Path.Combine(runDir, "checkpoint"), model, tokenizer);
        WriteSummary(runDir, summary);
    }

    static void WriteSummary(string runDir, Dictionary<string, double> summary) =>
        AtomicFile.WriteAllText(Path.Combine(runDir, SummaryFile), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
}

public static partial class Stages
{
    /// <summary>The student before any task training: the base model cut to 2 blocks and healed (notebook 05).</summary>
    public const string StudentBase = "student-base";
    /// <summary>The student SFT'd on the teacher's verified traces.</summary>
    public const string StudentDistilled = "student-distilled";
    /// <summary>The student trained by GRPO for the wall-clock distillation took.</summary>
    public const string StudentRl = "student-rl";
    /// <summary>The student SFT'd on clean shortcut traces (journey-learning control).</summary>
    public const string StudentClean = "student-clean";
    /// <summary>The student SFT'd on journey traces (wrong path, check, correction).</summary>
    public const string StudentJourney = "student-journey";

    /// <summary>The teacher whose traces the student is distilled from.</summary>
    public static (GPT Model, Tokenizer Tokenizer) Teacher(bool quick) =>
        FinalR1(quick);

    /// <summary>The healed 2-block student (<see cref="DistillationRecipe.CutStudent"/> of the base model), produced if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) Student(bool quick) => StudentStage(StudentBase, quick, dir =>
    {
        var (model, tokenizer) = Base();
        DistillationRecipe.Heal(DistillationRecipe.CutStudent(model), tokenizer, quick, dir);
    });

    /// <summary>The student distilled from <see cref="Teacher"/>, produced if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) DistilledStudent(bool quick) => StudentStage(StudentDistilled, quick, dir =>
    {
        var (teacher, _) = Teacher(quick);
        var (student, tokenizer) = Student(quick);
        DistillationRecipe.Distill(student, tokenizer, teacher, quick, dir);
    });

    /// <summary>
    /// The student trained by GRPO for as long as distillation took (its summary.json; the distilled student is
    /// produced first if missing).
    /// </summary>
    public static (GPT Model, Tokenizer Tokenizer) RlStudent(bool quick) => StudentStage(StudentRl, quick, dir =>
    {
        DistilledStudent(quick);
        double budget = DistillationRecipe.Summary(StudentDistilled, quick)["seconds"];
        var (student, tokenizer) = Student(quick);
        DistillationRecipe.TrainRl(student, tokenizer, budget, quick, dir);
    });

    /// <summary>The student SFT'd on the clean journey-learning traces, produced if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) CleanStudent(bool quick) => StudentStage(StudentClean, quick, dir =>
    {
        var (student, tokenizer) = Student(quick);
        DistillationRecipe.TrainOnJourney(student, tokenizer, "clean", quick, dir);
    });

    /// <summary>The student SFT'd on the journey traces, produced if missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) JourneyStudent(bool quick) => StudentStage(StudentJourney, quick, dir =>
    {
        var (student, tokenizer) = Student(quick);
        DistillationRecipe.TrainOnJourney(student, tokenizer, "journey", quick, dir);
    });

    static (GPT Model, Tokenizer Tokenizer) StudentStage(string stage, bool quick, Action<string> produce)
    {
        var (m, t, _) = LoadOrProduce(stage, quick, produce);
        return (m, t);
    }
}
