using R1.Models;
using R1.Tasks;

namespace R1.Experiments;

/// <summary>
/// The book's pipeline stages and their run folders. Every stage that trains a model writes it to
/// <c>runs/&lt;quick|full&gt;/&lt;stage&gt;/checkpoint</c> (beside its metrics.csv, eval.csv and samples.jsonl); a later
/// notebook loads that checkpoint when it exists and otherwise produces it with the same recipe, so any notebook can be
/// run on its own. Quick-mode and full-mode runs live apart so a CI run never replaces a full model. Delete a stage's
/// folder to retrain it.
/// </summary>
public static partial class Stages
{
    /// <summary>GRPO with accuracy + format rewards straight on the base model (notebook 02).</summary>
    public const string R1Zero = "r1-zero";

    /// <summary>
    /// The runs folder: <c>R1_RUNS</c> when set, else <c>runs/</c> at the repository root (beside <c>datasets/</c>).
    /// </summary>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("R1_RUNS");
            return string.IsNullOrEmpty(env) ? Path.GetFullPath(Path.Combine(Datasets.Root, "..", "runs")) : Path.GetFullPath(env);
        }
    }

    /// <summary>The run folder of <paramref name="stage"/> in quick or full mode.</summary>
    public static string Dir(string stage, bool quick)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        if (stage.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || stage.Contains(".."))
            throw new ArgumentException($"Stage name '{stage}' is not a plain folder name.", nameof(stage));
        return Path.Combine(Root, quick ? "quick" : "full", stage);
    }

    /// <summary>Where the stage's trained model is saved: <c>Dir(stage, quick)/checkpoint</c>.</summary>
    public static string CheckpointDir(string stage, bool quick) => Path.Combine(Dir(stage, quick), "checkpoint");

    /// <summary>Whether the stage's model has been produced (its checkpoint is complete).</summary>
    public static bool Exists(string stage, bool quick) => Checkpoint.Exists(CheckpointDir(stage, quick));

    /// <summary>The committed base model (<c>models/base</c>), pretrained there first if the folder is missing.</summary>
    public static (GPT Model, Tokenizer Tokenizer) Base()
    {
        var (model, tokenizer, _, _) = BaseModel.LoadOrTrain(BaseModel.DefaultDirectory);
        return (model, tokenizer);
    }

    /// <summary>
    /// Loads the stage's checkpoint, or, when there is none, calls <paramref name="produce"/> with the stage's run folder;
    /// the producer trains and must leave the model in <see cref="CheckpointDir"/> (GrpoTrainer with RunDir does).
    /// Returns the loaded checkpoint and whether it had to be produced.
    /// </summary>
    public static (GPT Model, Tokenizer Tokenizer, bool Produced) LoadOrProduce(string stage, bool quick, Action<string> produce)
    {
        bool produced = EnsureProduced(stage, quick, produce);
        var (model, tokenizer) = Checkpoint.LoadModel(CheckpointDir(stage, quick));
        return (model, tokenizer, produced);
    }

    /// <summary><see cref="LoadOrProduce"/> for a stage whose checkpoint is a <see cref="RewardModel"/>, not a policy.</summary>
    public static (RewardModel Model, Tokenizer Tokenizer) LoadOrProduceRewardModel(string stage, bool quick, Action<string> produce)
    {
        EnsureProduced(stage, quick, produce);
        return RewardModel.Load(CheckpointDir(stage, quick));
    }

    /// <summary>Calls <paramref name="produce"/> with the run folder when the stage has no checkpoint; true when it did.</summary>
    static bool EnsureProduced(string stage, bool quick, Action<string> produce)
    {
        ArgumentNullException.ThrowIfNull(produce);
        if (Exists(stage, quick)) return false;
        var dir = Dir(stage, quick);
        Directory.CreateDirectory(dir);
        produce(dir);
        if (!Exists(stage, quick))
            throw new InvalidOperationException(
                $"Producing stage '{stage}' finished without writing its checkpoint to '{CheckpointDir(stage, quick)}'.");
        return true;
    }

    /// <summary>The R1-Zero model of notebook 02 (<see cref="ZeroRecipe"/>), trained first if its run folder is empty.</summary>
    public static (GPT Model, Tokenizer Tokenizer) Zero(bool quick)
    {
        var (m, t, _) = LoadOrProduce(R1Zero, quick, dir =>
        {
            var (model, tokenizer) = Base();
            ZeroRecipe.Train(model, tokenizer, quick, dir);
        });
        return (m, t);
    }

    /// <summary>A stage's per-step training metrics (its metrics.csv), e.g. to chart it beside another stage.</summary>
    public static RL.RunHistory History(string stage, bool quick, string file = "metrics.csv")
    {
        var path = Path.Combine(Dir(stage, quick), file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Stage '{stage}' ({(quick ? "quick" : "full")} mode) has no {file} in '{Dir(stage, quick)}'; run its notebook first.", path);
        return RL.RunHistory.Load(path);
    }
}
