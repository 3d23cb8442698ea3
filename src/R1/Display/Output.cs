namespace R1.Display;

/// <summary>
/// Something that can show itself richly in a notebook: charts, tables, progress.
/// The bundle maps MIME types ("text/html", "image/svg+xml", "application/json", "text/plain")
/// to their content, exactly as an nbformat display_data output holds them.
/// </summary>
public interface IDisplayable
{
    IReadOnlyDictionary<string, string> ToMimeBundle();
}

/// <summary>Where displays and progress go. The notebook runner installs its own; the default writes to the console.</summary>
public interface IOutputSink
{
    /// <summary>Show an object (rich if it is <see cref="IDisplayable"/>).</summary>
    void Display(object? value);

    /// <summary>
    /// Create or update the progress line named <paramref name="id"/>. Sinks throttle: a notebook keeps one
    /// updating line per id, never one line per call.
    /// </summary>
    void Progress(string id, string description, long done, long total, string? detail, bool finished);
}

/// <summary>The current output sink. Library code (trainers, samplers, evaluators) reports through it.</summary>
public static class Output
{
    static readonly AsyncLocal<IOutputSink?> current = new();

    /// <summary>The sink in force: the runner's inside a notebook, else a console sink.</summary>
    public static IOutputSink Current
    {
        get => current.Value ?? ConsoleSink.Instance;
        set => current.Value = value;
    }

    public static void Display(object? value) => Current.Display(value);
}

/// <summary>Plain console sink: text for displays, a carriage-return progress line.</summary>
public sealed class ConsoleSink : IOutputSink
{
    public static readonly ConsoleSink Instance = new();

    public void Display(object? value)
    {
        if (value is IDisplayable d && d.ToMimeBundle().TryGetValue("text/plain", out var text)) Console.WriteLine(text);
        else Console.WriteLine(value);
    }

    public void Progress(string id, string description, long done, long total, string? detail, bool finished)
    {
        var pct = total > 0 ? 100.0 * done / total : 0;
        var line = $"\r{description} {done}/{total} ({pct:F0}%) {detail}";
        if (Console.IsOutputRedirected) { if (finished) Console.WriteLine(line.TrimStart('\r')); return; }
        Console.Write(finished ? line + Environment.NewLine : line);
    }
}
