using System.Globalization;

namespace R1.Display;

/// <summary>
/// Progress of a long loop (training, sampling, evaluation), reported to <see cref="Output.Current"/>:
/// <code>
/// using var p = Progress.Start("GRPO", steps);
/// for (int step = 1; step &lt;= steps; step++) { …; p.Report(step, $"reward {reward:F2}"); }
/// </code>
/// Updates are throttled to about four a second (the first, the one reaching the total, and the final one on
/// <see cref="Dispose"/> always go through), so a notebook never holds one line per step. The detail sent
/// carries the rate and the time left.
/// </summary>
public sealed class Progress : IDisposable
{
    static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(0.25);
    static long counter;

    readonly IOutputSink sink;
    readonly TimeProvider time;
    readonly long started;
    readonly Lock gate = new();
    long lastSent;
    bool sentAny, sentTotal, finished;
    string? detail;

    Progress(string description, long total, IOutputSink sink, TimeProvider time)
    {
        Description = description;
        Total = total;
        Id = $"progress-{Interlocked.Increment(ref counter)}";
        this.sink = sink;
        this.time = time;
        started = time.GetTimestamp();
    }

    /// <summary>Starts reporting; <paramref name="total"/> 0 means unknown (no percentage or ETA).</summary>
    public static Progress Start(string description, long total = 0) => Start(description, total, Output.Current, TimeProvider.System);

    /// <summary>As <see cref="Start(string, long)"/> with an explicit sink and clock (tests).</summary>
    internal static Progress Start(string description, long total, IOutputSink sink, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        var p = new Progress(description, total, sink, time);
        p.Send(force: true);
        return p;
    }

    public string Id { get; }
    public string Description { get; }
    public long Total { get; }
    public long Done { get; private set; }
    public TimeSpan Elapsed => time.GetElapsedTime(started);

    /// <summary>Items per second since the start.</summary>
    public double Rate => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left; null while the total or the rate is unknown.</summary>
    public TimeSpan? Eta => Total > 0 && Rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, Total - Done) / Rate) : null;

    /// <summary>Sets the count done so far, with an optional detail such as "reward 0.42".</summary>
    public void Report(long done, string? detail = null)
    {
        lock (gate)
        {
            Done = done;
            if (detail is not null) this.detail = detail;
            Send(force: false);
        }
    }

    /// <summary>Adds <paramref name="count"/> to the count done (thread-safe).</summary>
    public void Advance(long count = 1, string? detail = null)
    {
        lock (gate)
        {
            Done += count;
            if (detail is not null) this.detail = detail;
            Send(force: false);
        }
    }

    /// <summary>Marks the loop finished and sends the final update.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (finished) return;
            finished = true;
            Send(force: true);
        }
    }

    void Send(bool force)
    {
        long now = time.GetTimestamp();
        bool reachedTotal = Total > 0 && Done >= Total && !sentTotal;
        if (!force && !reachedTotal && sentAny && time.GetElapsedTime(lastSent, now) < MinInterval) return;
        sentAny = true;
        sentTotal |= reachedTotal;
        lastSent = now;
        sink.Progress(Id, Description, Done, Total, Detail(), finished);
    }

    /// <summary>"reward 0.42 · 35.1 it/s · ETA 0:12", or at the end "reward 0.42 · 1000 in 0:28 (35.1 it/s)".</summary>
    string Detail()
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(detail)) parts.Add(detail);
        if (Done > 0 && Elapsed > TimeSpan.Zero)
        {
            var rate = Rate >= 1 || Rate == 0 ? $"{Rate.ToString("0.0", CultureInfo.InvariantCulture)} it/s" : $"{(1 / Rate).ToString("0.0", CultureInfo.InvariantCulture)} s/it";
            if (finished) parts.Add($"{Done} in {Clock(Elapsed)} ({rate})");
            else
            {
                parts.Add(rate);
                if (Eta is { } eta) parts.Add($"ETA {Clock(eta)}");
            }
        }
        return string.Join(" · ", parts);
    }

    static string Clock(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
}

public static class ProgressExtensions
{
    /// <summary>
    /// Reports progress while <paramref name="source"/> is enumerated, like Python's tqdm:
    /// <c>foreach (var batch in batches.WithProgress("eval")) …</c>. The total is the source's count when it
    /// is known without enumerating, else <paramref name="total"/> (0 = unknown).
    /// </summary>
    public static IEnumerable<T> WithProgress<T>(this IEnumerable<T> source, string description, long total = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(description);
        if (total == 0 && source.TryGetNonEnumeratedCount(out int count)) total = count;
        return Iterate(source, description, total);
    }

    static IEnumerable<T> Iterate<T>(IEnumerable<T> source, string description, long total)
    {
        using var progress = Progress.Start(description, total);
        foreach (var item in source)
        {
            yield return item;
            progress.Advance();
        }
    }
}
