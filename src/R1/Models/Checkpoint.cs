using R1.IO;
using R1.Modules;
using static R1.torch;

namespace R1.Models;

/// <summary>
/// A checkpoint folder: <c>model.safetensors</c> (weights, nanoGPT names), <c>config.json</c> (<see cref="GPTConfig"/>),
/// <c>tokenizer.json</c>, and optionally <c>optimizer.safetensors</c> (AdamW moments). Stages of the recipe talk
/// only through these folders. Every file is written atomically; loading checks that each file exists and parses,
/// and <see cref="CheckShapes"/> that the weights match the model they are loaded into.
/// </summary>
public sealed class Checkpoint
{
    public const string ModelFile = "model.safetensors", ConfigFile = "config.json", TokenizerFile = "tokenizer.json", OptimizerFile = "optimizer.safetensors";

    public string Directory { get; }
    public GPTConfig Config { get; }
    public Tokenizer Tokenizer { get; }
    public SafeTensorFile Weights { get; }
    public SafeTensorFile? Optimizer { get; }

    Checkpoint(string dir, GPTConfig config, Tokenizer tokenizer, SafeTensorFile weights, SafeTensorFile? optimizer)
    {
        Directory = dir; Config = config; Tokenizer = tokenizer; Weights = weights; Optimizer = optimizer;
    }

    /// <summary>Writes the folder. The weights go last so that a crash mid-save leaves the previous weights whole.</summary>
    public static void Save(string dir, GPTConfig config, Tokenizer tokenizer, IEnumerable<SafeTensor> weights,
        IEnumerable<SafeTensor>? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        config.Validate();
        if (config.VocabSize != tokenizer.VocabSize)
            throw new ArgumentException($"Config VocabSize {config.VocabSize} differs from the tokenizer's {tokenizer.VocabSize} tokens.");
        System.IO.Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, ConfigFile), config.ToJson());
        tokenizer.Save(Path.Combine(dir, TokenizerFile));
        if (optimizer is not null) SafeTensors.Save(Path.Combine(dir, OptimizerFile), optimizer, metadata);
        SafeTensors.Save(Path.Combine(dir, ModelFile), weights, metadata);
    }

    public static bool Exists(string dir) => File.Exists(Path.Combine(dir, ModelFile));

    public static Checkpoint Load(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        if (!System.IO.Directory.Exists(dir)) throw new DirectoryNotFoundException($"Checkpoint folder not found: {dir}");
        string Need(string file)
        {
            var p = Path.Combine(dir, file);
            return File.Exists(p) ? p : throw new FileNotFoundException($"Checkpoint {dir} is missing {file}.", p);
        }
        var configPath = Need(ConfigFile);
        GPTConfig config;
        try { config = GPTConfig.FromJson(File.ReadAllText(configPath)); }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw new FormatException($"{configPath}: {e.Message}", e); }
        var tokenizer = Tokenizer.Load(Need(TokenizerFile));
        if (config.VocabSize != tokenizer.VocabSize)
            throw new FormatException($"Checkpoint {dir}: {ConfigFile} says VocabSize {config.VocabSize} but {TokenizerFile} has {tokenizer.VocabSize} tokens.");
        var weights = SafeTensors.Load(Need(ModelFile));
        var optPath = Path.Combine(dir, OptimizerFile);
        var optimizer = File.Exists(optPath) ? SafeTensors.Load(optPath) : null;
        return new Checkpoint(dir, config, tokenizer, weights, optimizer);
    }


    /// <summary>
    /// Saves a model (its parameters under nanoGPT names), its tokenizer and config, and optionally the AdamW state
    /// (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c> and <c>step.NAME</c> per parameter).
    /// </summary>
    public static void Save(string dir, GPT model, Tokenizer tokenizer, AdamW? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var named = model.named_parameters().ToList();
        var weights = named.Select(p => SafeTensor.From(p.name, p.parameter));
        List<SafeTensor>? state = null;
        if (optimizer is not null)
        {
            state = [];
            foreach (var (name, p) in named)
                if (optimizer.State(p) is { } st)
                {
                    state.Add(SafeTensor.From("exp_avg." + name, st.exp_avg));
                    state.Add(SafeTensor.From("exp_avg_sq." + name, st.exp_avg_sq));
                    state.Add(SafeTensor.I64("step." + name, [1], [st.step]));
                }
        }
        Save(dir, model.Config, tokenizer, weights, state, metadata);
    }

    /// <summary>Builds the model the folder describes and loads its weights; returns it with the tokenizer.</summary>
    public static (GPT Model, Tokenizer Tokenizer) LoadModel(string dir)
    {
        var ck = Load(dir);
        var model = new GPT(ck.Config);
        ck.LoadInto(model);
        model.eval();
        return (model, ck.Tokenizer);
    }

    /// <summary>Copies the weights into <paramref name="model"/> after checking every name and shape.</summary>
    public void LoadInto(GPT model)
    {
        var named = model.named_parameters().ToList();
        CheckShapes(Weights, named.Select(p => (p.name, p.parameter.shape)));
        foreach (var (name, p) in named) Weights[name].Floats.AsSpan().CopyTo(p.data<float>());
    }

    /// <summary>Restores the AdamW moments saved by <see cref="Save(string, GPT, Tokenizer, AdamW?, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public void LoadOptimizer(GPT model, AdamW optimizer)
    {
        if (Optimizer is null) throw new FileNotFoundException($"Checkpoint {Directory} has no {OptimizerFile}.", Path.Combine(Directory, OptimizerFile));
        foreach (var (name, p) in model.named_parameters())
        {
            if (!Optimizer.Contains("step." + name)) continue;   // never stepped
            CheckShapes(Optimizer, [("exp_avg." + name, p.shape), ("exp_avg_sq." + name, p.shape)], checkExtra: false);
            using var m = tensor(Optimizer["exp_avg." + name].AsFloats(), p.shape);
            using var v = tensor(Optimizer["exp_avg_sq." + name].AsFloats(), p.shape);
            optimizer.load_state(p, Optimizer["step." + name].AsLongs()[0], m, v);
        }
    }

    /// <summary>
    /// Checks that <paramref name="file"/> holds exactly the expected float tensors: a missing tensor, a shape
    /// mismatch or an unexpected extra tensor is an error naming it (and both shapes).
    /// </summary>
    public static void CheckShapes(SafeTensorFile file, IEnumerable<(string Name, long[] Shape)> expected, bool checkExtra = true)
    {
        var names = new HashSet<string>();
        foreach (var (name, shape) in expected)
        {
            var key = name;
            names.Add(key);
            if (!file.Tensors.TryGetValue(key, out var t))
                throw new InvalidDataException($"{file.Path}: missing tensor '{key}' (expected shape [{string.Join(", ", shape)}]).");
            if (!t.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{file.Path}: tensor '{key}' has shape [{string.Join(", ", t.Shape)}], expected [{string.Join(", ", shape)}].");
            if (t.Floats is null) throw new InvalidDataException($"{file.Path}: tensor '{key}' has dtype {t.DType}, expected a floating dtype.");
        }
        var extra = file.Tensors.Keys.Where(k => !names.Contains(k)).ToList();
        if (checkExtra && extra.Count > 0) throw new InvalidDataException($"{file.Path}: unexpected tensor(s) {SafeTensors.Preview(extra)} — the model has no such parameter.");
    }
}
