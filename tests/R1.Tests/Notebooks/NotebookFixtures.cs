using System.Diagnostics;
using System.Text.Json.Nodes;
using R1.Cli.Notebooks;
using R1.Display;

namespace R1.Tests.Notebooks;

/// <summary>
/// Notebook tests change the working directory (cells run in the notebook's folder, as in VS Code) and run
/// whole notebooks; xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    public const string Name = "notebooks";
}

/// <summary>Small notebooks written to a temp folder, and helpers to run and inspect them.</summary>
public sealed class TempNotebooks : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("r1-notebook-tests-").FullName;

    /// <summary>Writes a Polyglot C# notebook whose code cells are <paramref name="cells"/> ("#md " starts markdown).</summary>
    public string Write(string name, params string[] cells)
    {
        var path = Path.Combine(Folder, name);
        var notebook = Notebook.Create(path);
        foreach (var source in cells)
        {
            var id = notebook.NewCellId();
            notebook.Cells.Add(source.StartsWith("#md ", StringComparison.Ordinal)
                ? Cell.Markdown(id, source[4..])
                : source.StartsWith("#parameters\n", StringComparison.Ordinal)
                    ? Cell.Code(id, source["#parameters\n".Length..], Parameters.Tag)
                    : Cell.Code(id, source));
        }
        NotebookWriter.Write(notebook, path);
        return path;
    }

    public string WriteText(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

public static class NotebookAssert
{
    /// <summary>The outputs of the code cell at <paramref name="cellIndex"/>, as nbformat JSON objects.</summary>
    public static List<JsonObject> Outputs(RunResult result, int cellIndex) =>
        result.Notebook.Cells[cellIndex].Outputs.OfType<JsonObject>().ToList();

    public static string Text(JsonObject output, string mime = "text/plain") =>
        (string?)output["output_type"] == "stream" ? Nbjson.JoinText(output["text"]) : Nbjson.JoinText(output["data"]?[mime]);

    public static Task<RunResult> Run(string path, params (string Name, string Value)[] parameters) =>
        NotebookRunner.RunFileAsync(path, new RunOptions
        {
            Parameters = parameters.ToDictionary(p => p.Name, p => p.Value),
            InNotebookFolder = true,
        });
}

/// <summary>The repository's folders, found from the test assembly's location.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "R1Notebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException($"R1Notebooks.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>Jupyter's own validator (Debian's python3-nbformat), when installed; .ci/run installs it.</summary>
public static class Nbformat
{
    const string Python = "/usr/bin/python3";

    public static bool Available { get; } = File.Exists(Python) && Exec("-c \"import nbformat\"").ExitCode == 0;

    /// <summary>Null when the file validates, else the validator's message.</summary>
    public static string? Validate(string path)
    {
        var (code, output) = Exec($"-c \"import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))\" \"{path}\"");
        return code == 0 ? null : output;
    }

    static (int ExitCode, string Output) Exec(string args)
    {
        var start = new ProcessStartInfo(Python, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}

/// <summary>A fact that runs only where python3-nbformat is installed (skipped, with the reason, elsewhere).</summary>
public sealed class NbformatFactAttribute : FactAttribute
{
    public NbformatFactAttribute()
    {
        if (!Nbformat.Available) Skip = "python3-nbformat is not installed (apt-get install python3-nbformat; .ci/run does)";
    }
}

/// <summary>A fact that runs only where Debian's chromium is installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = "chromium is not installed (apt-get install chromium; .ci/run does)";
    }
}

/// <summary>A rich object for tests: an HTML and SVG bundle, as charts give.</summary>
public sealed record Swatch(string Color) : IDisplayable
{
    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        ["text/html"] = $"<div style=\"background:{Color}\">{Color}</div>",
        ["image/svg+xml"] = $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"{Color}\"/></svg>",
        ["application/json"] = $"{{\"color\":\"{Color}\"}}",
    };
}
