using R1.Cli.Book;

namespace R1.Cli.Commands;

/// <summary><c>book [--quick] [--out DIR] [--only PATTERN] [--notebooks DIR]</c></summary>
static class BookCommand
{
    const string Name = "book";

    public static async Task<int> ExecuteAsync(string[] args)
    {
        if (args is ["--help" or "-h"]) return Help.Print(Console.Out);
        var line = CommandLine.Parse(Name, args, ["--quick"], ["--out", "--only", "--notebooks"]);
        if (line.Positionals.Count > 0) throw new UsageException($"book: unexpected argument '{line.Positionals[0]}'");
        var root = RepositoryRoot();
        var options = new BookOptions
        {
            NotebooksFolder = Path.GetFullPath(line.Single(Name, "--notebooks") ?? Path.Combine(root, "notebooks")),
            OutFolder = Path.GetFullPath(line.Single(Name, "--out") ?? Path.Combine(root, "artifacts", "book")),
            WebFolder = Path.Combine(root, "tools", "web"),
            Quick = line.Flag("--quick"),
            Only = line.Single(Name, "--only"),
            Watch = TerminalProgress.Show,
            Finished = e => (e.Succeeded ? Console.Out : Console.Error).WriteLine(
                $"{(e.Succeeded ? "ok    " : "FAILED")}  {e.File,-36} {e.Duration.TotalSeconds,6:0.0} s{(e.Error is null ? "" : "  " + e.Error)}"),
        };
        if (!Directory.Exists(options.NotebooksFolder)) throw new UsageException($"book: notebooks folder not found: {options.NotebooksFolder}");

        var result = await BookBuilder.BuildAsync(options);
        if (result.PlotlyProblem is not null) Console.Error.WriteLine($"warning: charts will need internet: {result.PlotlyProblem}");
        if (result.Entries.Count == 0)
        {
            Console.Error.WriteLine($"error: no notebooks{(options.Only is null ? "" : $" matching '{options.Only}'")} in {options.NotebooksFolder}");
            return 1;
        }
        int failed = result.Entries.Count(e => !e.Succeeded);
        Console.WriteLine($"{result.Entries.Count - failed} of {result.Entries.Count} notebooks ran; book: {result.IndexPath}");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The folder holding R1Notebooks.sln, searched upward from the working directory.</summary>
    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "R1Notebooks.sln"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
