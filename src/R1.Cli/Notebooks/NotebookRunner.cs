using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using R1.Display;

namespace R1.Cli.Notebooks;

/// <summary>How to run a notebook.</summary>
public sealed record RunOptions
{
    /// <summary>The <c>-p name=value</c> overrides of the parameters cell.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Where to write the executed notebook (atomically); null writes nothing.</summary>
    public string? OutputPath { get; init; }

    /// <summary>
    /// Run with the working directory set to the notebook's folder, as VS Code does, so relative paths in cells
    /// mean the same in both. The working directory is process-wide: such runs take a process-wide lock.
    /// </summary>
    public bool InNotebookFolder { get; init; }

    /// <summary>Sees cells start and progress as it happens (the terminal progress bar).</summary>
    public IRunObserver? Observer { get; init; }
}

/// <summary>Watches a run live; the notebook itself gets only the final state of each output.</summary>
public interface IRunObserver
{
    void CellStarted(int codeCellNumber, int codeCellCount);
    void Progress(string id, string description, long done, long total, string? detail, bool finished);
}

/// <summary>The first cell that failed: its 0-based index in the notebook, the error's name and message.</summary>
public sealed record CellFailure(int CellIndex, string Name, string Message)
{
    public override string ToString() => $"cell {CellIndex + 1}: {Name}: {Message}";
}

/// <summary>An executed notebook and how its run went.</summary>
public sealed record RunResult(Notebook Notebook, CellFailure? Failure, TimeSpan Duration, string? OutputPath)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// Runs a notebook's C# cells in order on Roslyn scripting, each cell continuing the previous one's state,
/// and records outputs, timings and the first error in the notebook (papermill's conventions).
/// Problems found before anything runs (unreadable file, bad -p) throw <see cref="NotebookException"/>;
/// a failing cell is reported in the result and in the notebook, and the cells after it are not run.
/// </summary>
public static partial class NotebookRunner
{
    static readonly SemaphoreSlim WorkingDirectoryLock = new(1, 1);

    public static Task<RunResult> RunFileAsync(string path, RunOptions options) =>
        RunAsync(NotebookReader.Read(path), options);

    public static async Task<RunResult> RunAsync(Notebook notebook, RunOptions options)
    {
        if (notebook.Cells.Count == 0) throw NotebookException.InFile(notebook.Path, "the notebook has no cells: nothing to run");
        Parameters.Inject(notebook, options.Parameters);

        if (!options.InNotebookFolder) return await Execute(notebook, options);
        await WorkingDirectoryLock.WaitAsync();
        var previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = Path.GetDirectoryName(Path.GetFullPath(notebook.Path))!;
            return await Execute(notebook, options);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            WorkingDirectoryLock.Release();
        }
    }

    static async Task<RunResult> Execute(Notebook notebook, RunOptions options)
    {
        var fullPath = Path.GetFullPath(notebook.Path);
        var folder = Path.GetDirectoryName(fullPath)!;
        var scriptOptions = ScriptEnvironment.Options(folder);
        var recorder = new CellRecorder(options.Observer);
        var globals = new NotebookGlobals(fullPath, options.Parameters, () => recorder);
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        ScriptState<object>? state = null;
        CellFailure? failure = null;
        int executionCount = 0, codeCellNumber = 0;
        int codeCells = notebook.Cells.Count(c => c.IsCode);

        for (int index = 0; index < notebook.Cells.Count; index++)
        {
            var cell = notebook.Cells[index];
            if (!cell.IsCode) continue;
            codeCellNumber++;
            if (failure is not null)
            {
                MarkNotRun(cell);
                continue;
            }
            options.Observer?.CellStarted(codeCellNumber, codeCells);
            recorder = new CellRecorder(options.Observer);
            var cellStart = DateTime.UtcNow;
            var cellClock = Stopwatch.StartNew();
            executionCount++;
            var previousSink = Output.Current;
            try
            {
                Output.Current = recorder;
                using (ConsoleRouter.Capture(recorder.Stdout, recorder.Stderr))
                {
                    foreach (var section in Languages.Sections(cell.Source, cell.Language))
                    {
                        if (section.Language == Languages.Markdown) { recorder.Markdown(section.Text); continue; }
                        var (next, error) = await RunSection(notebook, index, section, state, scriptOptions, globals, recorder);
                        if (error is not null) { failure = error; break; }
                        state = next;
                        if (state!.ReturnValue is { } value and not DisplayHandle) recorder.Result(value, executionCount);
                    }
                }
            }
            finally
            {
                Output.Current = previousSink;
            }
            cell.Json["outputs"] = recorder.ToOutputs();
            cell.Json["execution_count"] = executionCount;
            RecordTiming(cell, cellStart, cellClock.Elapsed, failure is null ? "completed" : "failed");
        }

        var duration = clock.Elapsed;
        notebook.Metadata["papermill"] = new JsonObject
        {
            ["input_path"] = notebook.Path,
            ["output_path"] = options.OutputPath,
            ["parameters"] = new JsonObject(options.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["start_time"] = Timestamp(started),
            ["end_time"] = Timestamp(started + duration),
            ["duration"] = Math.Round(duration.TotalSeconds, 3),
            ["exception"] = failure is not null,
        };
        if (options.OutputPath is not null) NotebookWriter.Write(notebook, options.OutputPath);
        return new RunResult(notebook, failure, duration, options.OutputPath);
    }

    static async Task<(ScriptState<object>? State, CellFailure? Error)> RunSection(
        Notebook notebook, int index, Languages.Section section, ScriptState<object>? state,
        ScriptOptions options, NotebookGlobals globals, CellRecorder recorder)
    {
        var fullPath = Path.GetFullPath(notebook.Path);
        var code = section.Text;
        if (CheckReferences(ref code, Path.GetDirectoryName(fullPath)!) is { } missing)
            return (null, Fail(recorder, index, "ReferenceError", missing, [$"cell {index + 1} of {notebook.Path}: {missing}"]));

        // The file path names the cell in stack traces; its folder is where relative #r paths start.
        var cellOptions = options.WithFilePath($"{fullPath}, cell {index + 1}");
        var script = state is null
            ? CSharpScript.Create<object>(code, cellOptions, typeof(NotebookGlobals))
            : state.Script.ContinueWith<object>(code, cellOptions);

        var errors = script.Compile().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var lines = code.Split('\n');
            var messages = errors.Select(d => CompileMessage(d, section, index)).ToList();
            var traceback = new List<string> { $"Compilation failed in cell {index + 1} of {notebook.Path}:" };
            foreach (var d in errors)
            {
                traceback.Add(CompileMessage(d, section, index));
                var line = d.Location.GetLineSpan().StartLinePosition;
                if (line.Line < lines.Length)
                    traceback.AddRange([$"    {lines[line.Line].TrimEnd('\r')}", $"    {new string(' ', line.Character)}^"]);
            }
            return (null, Fail(recorder, index, "CompilationError", string.Join("\n", messages), traceback));
        }

        try
        {
            var next = state is null ? await script.RunAsync(globals) : await script.RunFromAsync(state);
            return (next, null);
        }
        catch (Exception thrown)
        {
            var e = Unwrap(thrown);
            var traceback = new List<string>
            {
                $"{e.GetType().FullName}: {e.Message}",
                $"  raised in cell {index + 1} of {notebook.Path}",
            };
            traceback.AddRange(StackLines(e));
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
                traceback.Add($"  ---> {inner.GetType().FullName}: {inner.Message}");
            return (null, Fail(recorder, index, e.GetType().Name, e.Message, traceback));
        }
    }

    static CellFailure Fail(CellRecorder recorder, int index, string name, string message, IEnumerable<string> traceback)
    {
        recorder.Error(name, message, traceback);
        return new CellFailure(index, name, message);
    }

    static string CompileMessage(Diagnostic d, Languages.Section section, int index)
    {
        var at = d.Location.GetLineSpan().StartLinePosition;
        return $"cell {index + 1}, line {at.Line + 1 + section.FirstLine}, column {at.Character + 1}: error {d.Id}: " +
               d.GetMessage(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Says plainly which <c>#r "file.dll"</c> is missing, before the compiler says it obscurely. A <c>#r</c> of
    /// R1.dll (how a notebook loads the library in VS Code) is commented out: the runner references R1 already,
    /// and a second copy would make every R1 type ambiguous.
    /// </summary>
    static string? CheckReferences(ref string code, string folder)
    {
        string? problem = null;
        code = ReferenceDirective().Replace(code, m =>
        {
            var target = m.Groups[1].Value;
            if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                problem ??= $"#r \"{target}\": NuGet references aren't supported (the runner restores no packages); reference a built .dll by path";
            else if (Path.GetFileName(target).Equals("R1.dll", StringComparison.OrdinalIgnoreCase))
                return "// " + m.Value.TrimStart();
            else if (target.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || target.Contains('/') || target.Contains('\\'))
            {
                var full = Path.GetFullPath(Path.Combine(folder, target));
                if (!File.Exists(full)) problem ??= $"#r \"{target}\": file not found: {full} (relative paths start at the notebook's folder)";
            }
            return m.Value;
        });
        return problem;
    }

    static Exception Unwrap(Exception e) => e switch
    {
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ => e,
    };

    /// <summary>The frames of user and library code, without the runner's and Roslyn's frames beneath them.</summary>
    static IEnumerable<string> StackLines(Exception e) =>
        (e.StackTrace ?? "").Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .TakeWhile(l => !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal))
            .Where(l => l.Length > 0 && !l.StartsWith("--- End of stack trace", StringComparison.Ordinal));

    static void MarkNotRun(Cell cell)
    {
        cell.Json["outputs"] = new JsonArray();
        cell.Json["execution_count"] = null;
        cell.Metadata.Remove("execution");
        cell.Metadata["papermill"] = new JsonObject
        {
            ["status"] = "pending", ["start_time"] = null, ["end_time"] = null, ["duration"] = null, ["exception"] = null,
        };
    }

    /// <summary>JupyterLab's execution timestamps plus papermill's duration and status.</summary>
    static void RecordTiming(Cell cell, DateTime start, TimeSpan elapsed, string status)
    {
        var end = start + elapsed;
        cell.Metadata["execution"] = new JsonObject
        {
            ["iopub.execute_input"] = Timestamp(start),
            ["iopub.status.busy"] = Timestamp(start),
            ["iopub.status.idle"] = Timestamp(end),
            ["shell.execute_reply"] = Timestamp(end),
        };
        cell.Metadata["papermill"] = new JsonObject
        {
            ["status"] = status,
            ["start_time"] = Timestamp(start),
            ["end_time"] = Timestamp(end),
            ["duration"] = Math.Round(elapsed.TotalSeconds, 3),
            ["exception"] = status == "failed",
        };
    }

    static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex("""^[ \t]*#r[ \t]+"([^"]*)"[ \t]*\r?$""", RegexOptions.Multiline)]
    private static partial Regex ReferenceDirective();
}
