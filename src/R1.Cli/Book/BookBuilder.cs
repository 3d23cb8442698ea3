using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using R1.Cli.Notebooks;

namespace R1.Cli.Book;

/// <summary>What to build the book from and where to put it.</summary>
public sealed record BookOptions
{
    public required string NotebooksFolder { get; init; }
    public required string OutFolder { get; init; }

    /// <summary>Folder holding package.json for plotly.js-dist-min (tools/web); null leaves charts on the CDN.</summary>
    public string? WebFolder { get; init; }

    /// <summary>Value of every notebook's <c>quick</c> parameter.</summary>
    public bool Quick { get; init; }

    /// <summary>Only notebooks whose file name contains this (or matches it, with * and ?).</summary>
    public string? Only { get; init; }

    /// <summary>Wraps each notebook's run, e.g. to show a terminal progress bar (the CLI); null runs plainly.</summary>
    public Func<string, Func<IRunObserver?, Task<RunResult>>, Task<RunResult>>? Watch { get; init; }

    /// <summary>Told about each notebook as it finishes (the CLI prints a line).</summary>
    public Action<BookEntry>? Finished { get; init; }
}

/// <summary>One notebook's line in the table of contents.</summary>
public sealed record BookEntry(string File, string Title, bool Succeeded, string? Error, TimeSpan Duration, string? Page, string? Executed);

public sealed record BookResult(IReadOnlyList<BookEntry> Entries, string IndexPath, string? PlotlyProblem)
{
    public bool Succeeded => Entries.All(e => e.Succeeded);
}

/// <summary>
/// The book: every notebook run in name order, each in a fresh script state with <c>quick</c> set; the executed
/// notebooks, one HTML page each and an index with status and run time. A failing notebook is reported in the
/// index and the others still run.
/// </summary>
public static partial class BookBuilder
{
    public static async Task<BookResult> BuildAsync(BookOptions options)
    {
        if (!Directory.Exists(options.NotebooksFolder))
            throw new DirectoryNotFoundException($"notebooks folder not found: {options.NotebooksFolder}");
        var files = Directory.EnumerateFiles(options.NotebooksFolder, "*.ipynb")
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Where(f => options.Only is null || Matches(Path.GetFileName(f), options.Only))
            .Order(StringComparer.Ordinal)
            .ToList();
        Directory.CreateDirectory(options.OutFolder);

        string? plotly = null, problem = null;
        if (options.WebFolder is not null)
        {
            (plotly, problem) = await PlotlyAsset.EnsureAsync(options.WebFolder);
            if (plotly is not null)
            {
                R1.IO.AtomicFile.Copy(plotly, Path.Combine(options.OutFolder, PlotlyAsset.FileName));
            }
        }

        var entries = new List<BookEntry>();
        var parameters = new Dictionary<string, string> { ["quick"] = options.Quick ? "true" : "false" };
        for (int i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var name = Path.GetFileNameWithoutExtension(file);
            var executed = Path.Combine(options.OutFolder, name + ".ipynb");
            var links = new HtmlPage.Links("index.html",
                i > 0 ? Path.GetFileNameWithoutExtension(files[i - 1]) + ".html" : null,
                i + 1 < files.Count ? Path.GetFileNameWithoutExtension(files[i + 1]) + ".html" : null,
                name + ".ipynb");
            var clock = Stopwatch.StartNew();
            BookEntry entry;
            try
            {
                var runOptions = new RunOptions { Parameters = parameters, OutputPath = executed, InNotebookFolder = true };
                Func<IRunObserver?, Task<RunResult>> run = observer => NotebookRunner.RunFileAsync(file, runOptions with { Observer = observer });
                var result = await (options.Watch is null ? run(null) : options.Watch(Path.GetFileName(file), run));
                var title = Title(result.Notebook) ?? name;
                var page = Path.Combine(options.OutFolder, name + ".html");
                NotebookWriter.WriteAtomically(page, HtmlPage.Render(result.Notebook, title, links, localPlotly: plotly is not null));
                entry = new BookEntry(Path.GetFileName(file), title, result.Succeeded, result.Failure?.ToString(), result.Duration,
                    Path.GetFileName(page), Path.GetFileName(executed));
            }
            catch (NotebookException e)
            {
                entry = new BookEntry(Path.GetFileName(file), name, false, e.Message, clock.Elapsed, null, null);
            }
            entries.Add(entry);
            options.Finished?.Invoke(entry);
        }

        var index = Path.Combine(options.OutFolder, "index.html");
        NotebookWriter.WriteAtomically(index, Index(entries, options, problem));
        return new BookResult(entries, index, problem);
    }

    /// <summary>The notebook's first markdown heading.</summary>
    public static string? Title(Notebook notebook) =>
        notebook.Cells.Where(c => c.Language == Languages.Markdown)
            .Select(c => Heading().Match(c.Source))
            .FirstOrDefault(m => m.Success)?.Groups[1].Value.Trim();

    static string Index(List<BookEntry> entries, BookOptions options, string? plotlyProblem)
    {
        var rows = new StringBuilder();
        foreach (var e in entries)
        {
            var title = e.Page is null ? HtmlPage.Encode(e.Title) : $"<a href=\"{e.Page}\">{HtmlPage.Encode(e.Title)}</a>";
            var notebook = e.Executed is null ? HtmlPage.Encode(e.File) : $"<a href=\"{e.Executed}\">{HtmlPage.Encode(e.File)}</a>";
            var status = e.Succeeded ? "<td class=\"status-ok\">ok</td>" : "<td class=\"status-failed\">failed</td>";
            rows.Append($"<tr><td>{title}</td><td>{notebook}</td>{status}<td>{e.Duration.TotalSeconds:0.0} s</td>" +
                        $"<td>{HtmlPage.Encode(e.Error ?? "")}</td></tr>\n");
        }
        var total = entries.Aggregate(TimeSpan.Zero, (t, e) => t + e.Duration);
        var failed = entries.Count(e => !e.Succeeded);
        var notes = new StringBuilder();
        notes.Append($"<p>{entries.Count} notebooks, {failed} failed, {total.TotalSeconds:0.0} s in all; " +
                     $"{(options.Quick ? "quick mode (<code>quick = true</code>)" : "full settings (<code>quick = false</code>)")}; " +
                     $"built {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>\n");
        if (options.Only is not null) notes.Append($"<p>Only notebooks matching <code>{HtmlPage.Encode(options.Only)}</code>.</p>\n");
        if (plotlyProblem is not null)
            notes.Append($"<p class=\"error\">Charts load plotly.js from its CDN (needs internet): {HtmlPage.Encode(plotlyProblem)}</p>\n");
        var body = $"""
            <main>
            <h1>R1Notebooks</h1>
            {notes}<table class="toc">
            <thead><tr><th>Notebook</th><th>Executed</th><th>Status</th><th>Run time</th><th>Error</th></tr></thead>
            <tbody>
            {rows}</tbody>
            </table>
            </main>
            """;
        return HtmlPage.Document("R1Notebooks — contents", "", body);
    }

    static bool Matches(string fileName, string pattern) =>
        pattern.IndexOfAny(['*', '?']) < 0
            ? fileName.Contains(pattern, StringComparison.OrdinalIgnoreCase)
            : Regex.IsMatch(fileName, "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase);

    [GeneratedRegex(@"^\s{0,3}#\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
