namespace R1.Charts;

internal enum TraceKind { Line, Scatter, Bar, Histogram, Heatmap }

/// <summary>One plotly trace, in the units both the JSON writer and the SVG renderer read.</summary>
internal sealed record Trace
{
    public required TraceKind Kind { get; init; }
    public string? Name { get; init; }
    public double[] X { get; init; } = [];            // line/scatter x, histogram samples
    public double[] Y { get; init; } = [];            // line/scatter/bar values
    public string[]? Labels { get; init; }            // bar categories, heatmap column labels
    public string[]? RowLabels { get; init; }         // heatmap row labels
    public double[,]? Z { get; init; }                // heatmap cells, Z[row, column]; row 0 at the bottom
    public string ColorScale { get; init; } = "Viridis";
    public Bins? Bins { get; init; }                  // histogram bins
    public int RequestedBins { get; init; }           // histogram: the bin count asked for
    public bool Faint { get; init; }                  // raw curve drawn faintly behind its smoothed twin
    public bool Secondary { get; init; }              // plotted against the right-hand y axis
    public string? Color { get; init; }               // resolved by Chart when it is drawn or serialised

    public int Points => Kind switch
    {
        TraceKind.Heatmap => Z!.Length,
        TraceKind.Histogram => X.Length,
        _ => Y.Length,
    };
}

/// <summary>
/// Histogram bins: [Start + i·Size, Start + (i+1)·Size) for i &lt; Count, left-closed as plotly.js bins them.
/// The size is a round step (1, 2, 2.5 or 5 times a power of ten; whole numbers for integer data) giving about
/// as many bins as asked; the JSON carries these exact bins (xbins) so the browser and the SVG draw the same bars.
/// </summary>
internal sealed record Bins(double Start, double Size, int Count)
{
    public double End => Start + Count * Size;

    public static Bins For(ReadOnlySpan<double> values, int requested)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values) if (double.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
        if (min > max) return new Bins(0, 1, 1);
        if (min == max) return new Bins(min - 0.5, 1, 1);
        double size = RoundSize((max - min) / requested, AllIntegers(values));
        double start = Math.Floor(min / size + 1e-9) * size;
        int count = (int)Math.Floor((max - start) / size + 1e-9) + 1;
        return new Bins(Math.Round(start, 12), size, count);
    }

    /// <summary>The round size nearest (in ratio) to <paramref name="raw"/>.</summary>
    static double RoundSize(double raw, bool integers)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double best = double.NaN, bestRatio = double.PositiveInfinity;
        foreach (var m in (ReadOnlySpan<double>)[1, 2, 2.5, 5, 10])
        {
            double size = m * magnitude;
            if (integers && (size < 1 || size != Math.Floor(size))) continue;   // integer data: whole-number bins
            double ratio = Math.Max(size / raw, raw / size);
            if (ratio < bestRatio) (best, bestRatio) = (size, ratio);
        }
        return double.IsNaN(best) ? 1 : best;
    }

    static bool AllIntegers(ReadOnlySpan<double> values)
    {
        foreach (var v in values) if (double.IsFinite(v) && v != Math.Floor(v)) return false;
        return true;
    }

    public int IndexOf(double v) => (int)Math.Floor((v - Start) / Size + 1e-9);

    public long[] Counts(ReadOnlySpan<double> values)
    {
        var counts = new long[Count];
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            int i = IndexOf(v);
            if (i >= 0 && i < Count) counts[i]++;
        }
        return counts;
    }
}

/// <summary>One set of axes (a subplot cell) and the traces drawn on it.</summary>
internal sealed record Panel
{
    public Trace[] Traces { get; init; } = [];
    public string? Title { get; init; }              // subplot title (grids only)
    public string? XTitle { get; init; }
    public string? YTitle { get; init; }
    public string? Y2Title { get; init; }
    public bool LogX { get; init; }
    public bool LogY { get; init; }
    public (double Min, double Max)? XRange { get; init; }
    public (double Min, double Max)? YRange { get; init; }

    public bool HasSecondary => Traces.Any(t => t.Secondary);
    public bool OverlaidHistograms => Traces.Count(t => t.Kind == TraceKind.Histogram) > 1;

    /// <summary>Histograms drawn together share one set of bins over all their values, so their bars line up.</summary>
    public Panel WithSharedBins()
    {
        var histograms = Traces.Where(t => t.Kind == TraceKind.Histogram).ToArray();
        if (histograms.Length < 2) return this;
        var shared = Bins.For(histograms.SelectMany(t => t.X).ToArray(), histograms.Max(t => t.RequestedBins));
        return this with { Traces = Traces.Select(t => t.Kind == TraceKind.Histogram ? t with { Bins = shared } : t).ToArray() };
    }
    public bool CategoricalX => Traces.Any(t => t.Kind is TraceKind.Bar or TraceKind.Heatmap);
    public bool CategoricalY => Traces.Any(t => t.Kind is TraceKind.Heatmap);

    /// <summary>Category labels along x: bar categories in first-seen order, or the heatmap's columns.</summary>
    public string[] XCategories()
    {
        var seen = new List<string>();
        foreach (var t in Traces)
        {
            var labels = t.Kind == TraceKind.Heatmap ? HeatmapLabels(t.Labels, t.Z!.GetLength(1)) : t.Labels;
            if (labels is null) continue;
            foreach (var l in labels) if (!seen.Contains(l)) seen.Add(l);
        }
        return seen.ToArray();
    }

    public string[] YCategories()
    {
        var t = Traces.First(t => t.Kind == TraceKind.Heatmap);
        return HeatmapLabels(t.RowLabels, t.Z!.GetLength(0));
    }

    static string[] HeatmapLabels(string[]? labels, int n) =>
        labels ?? Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
