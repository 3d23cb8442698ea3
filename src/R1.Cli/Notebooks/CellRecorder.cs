using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using R1.Display;

namespace R1.Cli.Notebooks;

/// <summary>
/// Collects one cell's outputs in the order they happen: console text (merged into stream outputs), displays,
/// progress lines, the cell's result and its error. Installed as <see cref="Output.Current"/> while the cell
/// runs, so library code reports here. Thread-safe: cells may write from Parallel.For bodies.
/// </summary>
public sealed partial class CellRecorder : IOutputSink
{
    readonly Lock gate = new();
    readonly List<Entry> entries = [];
    readonly Dictionary<string, ProgressEntry> progress = [];
    readonly IRunObserver? observer;

    public CellRecorder(IRunObserver? observer = null)
    {
        this.observer = observer;
        Stdout = new StreamCapture(this, "stdout");
        Stderr = new StreamCapture(this, "stderr");
    }

    public TextWriter Stdout { get; }
    public TextWriter Stderr { get; }

    public void Display(object? value) => DisplayWithHandle(value);

    /// <summary>Adds a display_data output and returns a handle that can replace its content later.</summary>
    public DisplayHandle DisplayWithHandle(object? value)
    {
        var entry = new DisplayEntry(ValueFormatter.ToMimeBundle(value));
        lock (gate) entries.Add(entry);
        return new DisplayHandle(this, entry);
    }

    internal void Update(DisplayEntry entry, object? value)
    {
        var bundle = ValueFormatter.ToMimeBundle(value);
        lock (gate) entry.Bundle = bundle;
    }

    /// <summary>
    /// One output per progress id, holding only the latest state: a loop of a million steps leaves one line in the
    /// notebook. The text is made when the notebook is written, so a call costs a dictionary lookup.
    /// </summary>
    public void Progress(string id, string description, long done, long total, string? detail, bool finished)
    {
        bool forward;
        lock (gate)
        {
            if (!progress.TryGetValue(id, out var entry))
            {
                entry = new ProgressEntry(Stopwatch.StartNew());
                progress[id] = entry;
                entries.Add(entry);
            }
            forward = entry.Set(description, done, total, detail, finished) && observer is not null;
        }
        if (forward) observer!.Progress(id, description, done, total, detail, finished);
    }

    /// <summary>The cell's value (its last expression): an execute_result.</summary>
    public void Result(object value, int executionCount)
    {
        lock (gate) entries.Add(new ResultEntry(ValueFormatter.ToMimeBundle(value), executionCount));
    }

    public void Markdown(string text)
    {
        lock (gate) entries.Add(new DisplayEntry(new Dictionary<string, string> { ["text/markdown"] = text, ["text/plain"] = text }));
    }

    public void Error(string ename, string evalue, IEnumerable<string> traceback)
    {
        lock (gate) entries.Add(new ErrorEntry(ename, evalue, traceback.ToList()));
    }

    /// <summary>The nbformat outputs list.</summary>
    public JsonArray ToOutputs()
    {
        lock (gate) return new JsonArray(entries.Select(e => (JsonNode)e.ToJson()).ToArray());
    }

    void Append(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (entries.Count > 0 && entries[^1] is StreamEntry last && last.Name == stream) last.Text.Append(text);
            else entries.Add(new StreamEntry(stream, new StringBuilder(text)));
        }
    }

    internal abstract class Entry
    {
        public abstract JsonObject ToJson();
    }

    sealed class StreamEntry(string name, StringBuilder text) : Entry
    {
        public string Name => name;
        public StringBuilder Text => text;

        public override JsonObject ToJson() => new()
        {
            ["output_type"] = "stream",
            ["name"] = name,
            ["text"] = Nbjson.SplitLines(CarriageReturns(text.ToString())),
        };
    }

    internal sealed class DisplayEntry(IReadOnlyDictionary<string, string> bundle) : Entry
    {
        public IReadOnlyDictionary<string, string> Bundle { get; set; } = bundle;

        public override JsonObject ToJson() => new()
        {
            ["output_type"] = "display_data",
            ["data"] = MimeData(Bundle),
            ["metadata"] = new JsonObject(),
        };
    }

    sealed class ResultEntry(IReadOnlyDictionary<string, string> bundle, int executionCount) : Entry
    {
        public override JsonObject ToJson() => new()
        {
            ["output_type"] = "execute_result",
            ["data"] = MimeData(bundle),
            ["execution_count"] = executionCount,
            ["metadata"] = new JsonObject(),
        };
    }

    sealed class ErrorEntry(string ename, string evalue, List<string> traceback) : Entry
    {
        public override JsonObject ToJson() => new()
        {
            ["output_type"] = "error",
            ["ename"] = ename,
            ["evalue"] = evalue,
            ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode)t).ToArray()),
        };
    }

    sealed class ProgressEntry(Stopwatch clock) : Entry
    {
        string description = "";
        string? detail;
        long done, total;
        bool finished;
        TimeSpan elapsed, forwarded = TimeSpan.FromSeconds(-1);

        /// <summary>Keeps the state; true when a live view should be told (at most 20 times a second, and at the end).</summary>
        public bool Set(string description, long done, long total, string? detail, bool finished)
        {
            (this.description, this.done, this.total, this.detail, this.finished) = (description, done, total, detail, finished);
            elapsed = clock.Elapsed;
            if (!finished && elapsed - forwarded < TimeSpan.FromMilliseconds(50)) return false;
            forwarded = elapsed;
            return true;
        }

        public override JsonObject ToJson()
        {
            var text = ProgressText.Line(description, done, total, detail, elapsed, finished);
            var fraction = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
            var label = ProgressText.Line(description, done, total, detail, elapsed, finished, withBar: false);
            var html = $"<div class=\"r1-progress\"><progress value=\"{fraction:0.###}\" max=\"1\"></progress> " +
                       $"<span>{System.Net.WebUtility.HtmlEncode(label)}</span></div>";
            return new DisplayEntry(new Dictionary<string, string> { ["text/plain"] = text, ["text/html"] = html }).ToJson();
        }
    }

    /// <summary>MIME data as nbformat stores it: text as a list of lines, JSON types as JSON.</summary>
    static JsonObject MimeData(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, content) in bundle)
            data[mime] = JsonMime().IsMatch(mime) && TryParseJson(content) is { } json ? json : Nbjson.SplitLines(content);
        return data;
    }

    static JsonNode? TryParseJson(string content)
    {
        try { return JsonNode.Parse(content); }
        catch (JsonException) { return null; }
    }

    /// <summary>A terminal overwrites a line on '\r'; a notebook should show only what would remain visible.</summary>
    static string CarriageReturns(string text)
    {
        if (!text.Contains('\r')) return text;
        var lines = text.Replace("\r\n", "\n").Split('\n');
        return string.Join('\n', lines.Select(l => l[(l.LastIndexOf('\r') + 1)..]));
    }

    [GeneratedRegex(@"^application/(.*\+)?json$")]
    private static partial Regex JsonMime();

    sealed class StreamCapture(CellRecorder recorder, string name) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => recorder.Append(name, value.ToString());
        public override void Write(string? value) => recorder.Append(name, value ?? "");
        public override void Write(char[] buffer, int index, int count) => recorder.Append(name, new string(buffer, index, count));
        public override void Write(ReadOnlySpan<char> buffer) => recorder.Append(name, new string(buffer));
        public override void WriteLine(string? value) => recorder.Append(name, value + NewLine);
    }
}

/// <summary>What <c>display(x)</c> returns in a cell: <c>handle.Update(y)</c> replaces the shown content in place.</summary>
public sealed class DisplayHandle
{
    readonly CellRecorder recorder;
    readonly CellRecorder.DisplayEntry entry;

    internal DisplayHandle(CellRecorder recorder, CellRecorder.DisplayEntry entry) => (this.recorder, this.entry) = (recorder, entry);

    public void Update(object? value) => recorder.Update(entry, value);
}

/// <summary>The one-line rendering of a progress state, shared by the notebook output and the plain terminal.</summary>
public static class ProgressText
{
    public static string Line(string description, long done, long total, string? detail, TimeSpan elapsed, bool finished, bool withBar = true)
    {
        const int width = 20;
        var fraction = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
        int filled = (int)Math.Round(fraction * width);
        var bar = new string('█', filled) + new string('░', width - filled);
        var rate = elapsed.TotalSeconds > 0 && done > 0 ? $", {done / elapsed.TotalSeconds:0.#}/s" : "";
        var state = finished ? "done" : $"{fraction * 100:0}%";
        var tail = string.IsNullOrWhiteSpace(detail) ? "" : $" · {detail}";
        return $"{description} {(withBar ? bar + " " : "")}{done}/{total} ({state}, {elapsed.TotalSeconds:0.0} s{rate}){tail}";
    }
}
