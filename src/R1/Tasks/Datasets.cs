namespace R1.Tasks;

/// <summary>
/// Loads the committed datasets. The datasets folder is found from, in order: the <c>R1_DATASETS</c>
/// environment variable; a "datasets" folder (holding README.md) in the current directory or any parent; the
/// same search from <see cref="AppContext.BaseDirectory"/>. So notebooks, tests and the CLI all find it.
/// </summary>
public static class Datasets
{
    public static readonly string[] TaskNames = ["arithmetic", "wordproblems", "countdown"];
    public static readonly string[] Splits = ["train", "test"];

    /// <summary>The datasets folder.</summary>
    /// <exception cref="DirectoryNotFoundException">Nothing found; the message lists where it looked.</exception>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("R1_DATASETS");
            if (!string.IsNullOrEmpty(env))
                return Directory.Exists(env) ? Path.GetFullPath(env)
                    : throw new DirectoryNotFoundException($"R1_DATASETS is set to '{env}', which is not a directory.");
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "datasets");
                    if (File.Exists(Path.Combine(candidate, "README.md"))) return candidate;
                }
            throw new DirectoryNotFoundException(
                $"No 'datasets' folder (with README.md) in '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}' " +
                "or any of their parents. Run from inside the repository, or set R1_DATASETS to the folder.");
        }
    }

    /// <summary>A task split: <c>Load("arithmetic", "test")</c>.</summary>
    public static List<Example> Load(string name, string split) =>
        Jsonl.Read<Example>(PathOf(name, split, TaskNames));

    /// <summary>The pretraining corpus: <c>LoadCorpus("train")</c>.</summary>
    public static List<CorpusDocument> LoadCorpus(string split) =>
        Jsonl.Read<CorpusDocument>(PathOf("corpus", split, ["corpus"]));

    static string PathOf(string name, string split, string[] known)
    {
        if (!known.Contains(name))
            throw new ArgumentException($"Unknown dataset '{name}'. Known: {string.Join(", ", TaskNames.Append("corpus"))}.", nameof(name));
        if (!Splits.Contains(split))
            throw new ArgumentException($"Unknown split '{split}'. Expected 'train' or 'test'.", nameof(split));
        return Path.Combine(Root, name, $"{split}.jsonl");
    }
}
