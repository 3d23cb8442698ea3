namespace R1.Tasks;

/// <summary>
/// Regenerates every committed dataset from fixed seeds: <c>DatasetBuilder.WriteAll("datasets")</c>.
/// Each (dataset, split) draws from its own stream <c>Rng.ForStream(Seed, "name/split")</c>. Test splits are
/// drawn first; train splits and the corpus skip every test prompt, and no prompt repeats within a split.
/// The output is byte-identical on every platform (a test checks it against the committed files).
/// </summary>
public static class DatasetBuilder
{
    public const ulong Seed = 20250120; // the day DeepSeek-R1 was released
    public const int TaskTrainSize = 2000, TaskTestSize = 500;
    public const int CorpusTrainSize = 20000, CorpusTestSize = 1000;
    /// <summary>Cold-start and journey examples drawn from each task's train split.</summary>
    public const int ColdStartPerTask = 200, JourneyPerTask = 200;

    public static void WriteAll(string rootDir)
    {
        var allTestPrompts = new HashSet<string>(StringComparer.Ordinal);
        var trainByTask = new Dictionary<string, List<Example>>();
        foreach (var task in TaskRegistry.All)
        {
            var test = Generate(task, "test", TaskTestSize, exclude: new HashSet<string>());
            var train = Generate(task, "train", TaskTrainSize, exclude: test.Select(e => e.Prompt).ToHashSet(StringComparer.Ordinal));
            Jsonl.Write(Path.Combine(rootDir, task.Name, "test.jsonl"), test);
            Jsonl.Write(Path.Combine(rootDir, task.Name, "train.jsonl"), train);
            allTestPrompts.UnionWith(test.Select(e => e.Prompt));
            trainByTask[task.Name] = train;
        }
        foreach (var (split, size) in new[] { ("train", CorpusTrainSize), ("test", CorpusTestSize) })
        {
            var docs = Corpus.Build(Rng.ForStream(Seed, $"corpus/{split}"), size, $"corpus/{split}/", allTestPrompts);
            Jsonl.Write(Path.Combine(rootDir, "corpus", $"{split}.jsonl"), docs);
        }
        WriteStageData(rootDir, trainByTask);
    }

    /// <summary>The data of the later R1 stages: cold start, journey learning, general prompts and preference pairs.</summary>
    static void WriteStageData(string rootDir, Dictionary<string, List<Example>> trainByTask)
    {
        Jsonl.Write(Path.Combine(rootDir, "coldstart", "train.jsonl"), ColdStart.Build(Rng.ForStream(Seed, "coldstart/train"), trainByTask, ColdStartPerTask));
        var (clean, journey) = Journey.Build(Rng.ForStream(Seed, "journey/train"), trainByTask, JourneyPerTask);
        Jsonl.Write(Path.Combine(rootDir, "journey", "clean.jsonl"), clean);
        Jsonl.Write(Path.Combine(rootDir, "journey", "journey.jsonl"), journey);
        var (train, test, trainPairs, testPairs) = GeneralPrompts.Build(Rng.ForStream(Seed, "general"));
        Jsonl.Write(Path.Combine(rootDir, "general", "train.jsonl"), train);
        Jsonl.Write(Path.Combine(rootDir, "general", "test.jsonl"), test);
        Jsonl.Write(Path.Combine(rootDir, "general", "pairs_train.jsonl"), trainPairs);
        Jsonl.Write(Path.Combine(rootDir, "general", "pairs_test.jsonl"), testPairs);
    }

    /// <summary><paramref name="count"/> examples with distinct prompts, none in <paramref name="exclude"/>.</summary>
    public static List<Example> Generate(ITask task, string split, int count, IReadOnlySet<string> exclude)
    {
        var rng = Rng.ForStream(Seed, $"{task.Name}/{split}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<Example>(count);
        for (int draws = 0; list.Count < count; draws++)
        {
            if (draws > 50 * count) throw new InvalidOperationException($"{task.Name}/{split}: could not draw {count} distinct prompts.");
            var ex = task.Generate(rng, $"{task.Name}/{split}/{list.Count:D4}");
            if (!exclude.Contains(ex.Prompt) && seen.Add(ex.Prompt)) list.Add(ex);
        }
        return list;
    }
}
