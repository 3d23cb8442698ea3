using System.Diagnostics;
using R1.Models;
using R1.Tasks;
using R1.Training;

namespace R1.Experiments;

/// <summary>
/// How the base model is made: a small character-level GPT pretrained on the corpus train split (documents wrapped
/// as &lt;bos&gt;text&lt;eos&gt;), AdamW with warmup and cosine decay. The defaults are the committed
/// <c>models/base</c>; the model card there records the time and the numbers this recipe reached.
/// </summary>
public sealed record BaseModelRecipe
{
    public int NLayer { get; init; } = 4;
    public int NHead { get; init; } = 4;
    public int NEmbd { get; init; } = 128;
    /// <summary>Context: the longest corpus document is 185 tokens + &lt;bos&gt;/&lt;eos&gt;, and RL prompts plus completions must fit too.</summary>
    public int BlockSize { get; init; } = 192;
    public TrainConfig Train { get; init; } = new()
    {
        Steps = 3000, BatchSize = 16, LearningRate = 2e-3, MinLearningRate = 2e-4, WarmupSteps = 50,
        EvalInterval = 300, EvalBatches = 4, Seed = 1337,
    };
    /// <summary>Seed of the initial weights.</summary>
    public long InitSeed { get; init; } = 1337;
}

/// <summary>
/// The pretrained base model every later stage starts from (R1-Zero's "DeepSeek-V3-Base"): load it from a checkpoint
/// folder, or pretrain it there first when the folder is empty.
/// </summary>
public static class BaseModel
{
    /// <summary>The committed base model: <c>models/base</c> beside the datasets folder (see <see cref="Datasets.Root"/>).</summary>
    public static string DefaultDirectory => Path.GetFullPath(Path.Combine(Datasets.Root, "..", "models", "base"));

    /// <summary>
    /// The tokenizer of every model in the book: printable ASCII plus each character of the corpus and of every task
    /// split, so any prompt of any dataset encodes.
    /// </summary>
    public static Tokenizer BuildTokenizer()
    {
        var texts = Datasets.LoadCorpus("train").Select(d => d.Text)
            .Concat(Datasets.LoadCorpus("test").Select(d => d.Text))
            .Concat(Datasets.TaskNames.SelectMany(t => Datasets.Splits.SelectMany(s => Datasets.Load(t, s)))
                .SelectMany(e => new[] { e.Prompt, e.Answer }));
        return Tokenizer.FromTexts(texts);
    }

    /// <summary>
    /// Loads the checkpoint in <paramref name="dir"/>; if there is none, pretrains one with <paramref name="recipe"/>
    /// (defaults: <see cref="BaseModelRecipe"/>) and saves it there (metrics.csv beside it). <c>Trained</c> says which
    /// happened and <c>Seconds</c> how long it took.
    /// </summary>
    public static (GPT Model, Tokenizer Tokenizer, bool Trained, double Seconds) LoadOrTrain(string dir, BaseModelRecipe? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var clock = Stopwatch.StartNew();
        if (Checkpoint.Exists(dir))
        {
            var (m, t) = Checkpoint.LoadModel(dir);
            return (m, t, false, clock.Elapsed.TotalSeconds);
        }
        var (model, tokenizer, _) = Train(dir, recipe ?? new BaseModelRecipe());
        return (model, tokenizer, true, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Pretrains a base model on the corpus and saves it (weights, config, tokenizer, metrics.csv) in <paramref name="dir"/>.</summary>
    public static (GPT Model, Tokenizer Tokenizer, TrainResult Result) Train(string dir, BaseModelRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var tokenizer = BuildTokenizer();
        var config = new GPTConfig(tokenizer.VocabSize, recipe.BlockSize, recipe.NLayer, recipe.NHead, recipe.NEmbd);
        var model = new GPT(config, recipe.InitSeed);
        var docs = Datasets.LoadCorpus("train").Select(d => tokenizer.Encode(d.Text, addBos: true, addEos: true));
        var evalDocs = Datasets.LoadCorpus("test").Select(d => tokenizer.Encode(d.Text, addBos: true, addEos: true));
        var result = Pretrain.Run(model, tokenizer, docs, recipe.Train with { RunDir = dir }, evalDocs);
        // The trainer's checkpoint carries the AdamW moments; the committed base model is weights only.
        var opt = Path.Combine(dir, Checkpoint.OptimizerFile);
        if (File.Exists(opt)) File.Delete(opt);
        return (model, tokenizer, result);
    }
}
