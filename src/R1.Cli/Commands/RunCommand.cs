using R1.Cli.Notebooks;

namespace R1.Cli.Commands;

/// <summary><c>run NOTEBOOK... [-p name=value]... [--out PATH | --inplace]</c></summary>
static class RunCommand
{
    const string Name = "run";
    public const string DefaultFolder = "artifacts/run";

    public static async Task<int> ExecuteAsync(string[] args)
    {
        if (args is ["--help" or "-h"]) return Help.Print(Console.Out);
        var line = CommandLine.Parse(Name, args, ["--inplace"], ["-p", "--parameter", "--out"]);
        if (line.Positionals.Count == 0) throw new UsageException("run: give at least one notebook (.ipynb or .dib)");
        var parameters = ParseParameters(line.All("-p").Concat(line.All("--parameter")));
        var outPath = line.Single(Name, "--out");
        bool inplace = line.Flag("--inplace");
        if (inplace && outPath is not null) throw new UsageException("run: --out and --inplace exclude each other");

        int failed = 0;
        foreach (var notebook in line.Positionals)
        {
            if (inplace && !notebook.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"run: --inplace needs an .ipynb ({notebook} can't hold outputs)");
            var target = inplace ? notebook : OutputPath(notebook, outPath, line.Positionals.Count);
            if (!await RunOne(notebook, target, parameters)) failed++;
        }
        if (line.Positionals.Count > 1) Console.WriteLine($"{line.Positionals.Count - failed} of {line.Positionals.Count} notebooks ran");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Runs one notebook and prints one line about it; false when it failed.</summary>
    public static async Task<bool> RunOne(string notebook, string outputPath, IReadOnlyDictionary<string, string> parameters)
    {
        try
        {
            var options = new RunOptions { Parameters = parameters, OutputPath = outputPath, InNotebookFolder = true };
            var result = await TerminalProgress.Show(Path.GetFileName(notebook), observer =>
                NotebookRunner.RunFileAsync(notebook, options with { Observer = observer }));
            if (result.Succeeded)
            {
                Console.WriteLine($"ok      {notebook}  {result.Duration.TotalSeconds:0.0} s  -> {outputPath}");
                return true;
            }
            Console.Error.WriteLine($"FAILED  {notebook}  {result.Failure}  -> {outputPath}");
            return false;
        }
        catch (NotebookException e)
        {
            Console.Error.WriteLine($"FAILED  {e.Message}");
            return false;
        }
    }

    public static Dictionary<string, string> ParseParameters(IEnumerable<string> assignments)
    {
        var parameters = new Dictionary<string, string>();
        foreach (var text in assignments)
        {
            KeyValuePair<string, string> p;
            try { p = Parameters.ParseAssignment(text); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            if (!parameters.TryAdd(p.Key, p.Value)) throw new UsageException($"-p {p.Key} given more than once");
        }
        return parameters;
    }

    static string OutputPath(string notebook, string? outPath, int count)
    {
        var name = Path.ChangeExtension(Path.GetFileName(notebook), ".ipynb");
        if (outPath is null) return Path.Combine(DefaultFolder, name);
        if (outPath.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase))
            return count == 1 ? outPath : throw new UsageException("run: --out names one file but several notebooks were given; give a folder");
        return Path.Combine(outPath, name);
    }
}
