using R1.IO;
using System.Numerics;
using R1.Display;

namespace R1.Charts;

/// <summary>
/// A plotly.js figure built fluently: <c>Chart.Line(steps, reward, "reward", Smoothing.Ema(0.9)).WithTitle("GRPO")</c>.
/// Charts are immutable: every <c>With…</c>/<c>Add</c> returns a new chart. In a notebook a chart displays as
/// interactive plotly.js HTML with a static SVG (drawn by <see cref="ToSvg"/>) that shows wherever JavaScript
/// does not run; <see cref="ToJson"/> gives the figure JSON in the schema Plotly.NET emits.
/// </summary>
public sealed class Chart : IDisplayable
{
    internal Panel[] Panels { get; private init; }
    internal int Rows { get; private init; } = 1;
    internal int Cols { get; private init; } = 1;
    internal string? Title { get; private init; }
    internal int? Width { get; private init; }
    internal int? Height { get; private init; }
    internal bool? Legend { get; private init; }

    Chart(Panel panel) => Panels = [panel];
    Chart(Chart c)
    {
        Panels = c.Panels; Rows = c.Rows; Cols = c.Cols; Title = c.Title;
        Width = c.Width; Height = c.Height; Legend = c.Legend;
    }

    static Chart Of(Trace trace) => new(new Panel { Traces = [trace] });

    // ---- trace kinds -------------------------------------------------------------------------------

    /// <summary>A line through (x, y). With <paramref name="smooth"/> the smoothed curve is drawn over a faint raw one.</summary>
    public static Chart Line<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string? name = null, Smoothing? smooth = null)
        where TX : INumberBase<TX> where TY : INumberBase<TY>
    {
        var (xs, ys) = Pair(x, y);
        if (smooth is not { } s) return Of(new Trace { Kind = TraceKind.Line, Name = name, X = xs, Y = ys });
        var raw = new Trace { Kind = TraceKind.Line, Name = name, X = xs, Y = ys, Faint = true };
        var smoothed = raw with { Y = s.Apply(ys), Faint = false };
        return new Chart(new Panel { Traces = [raw, smoothed] });
    }

    /// <summary>A line through y against its index 0, 1, 2, …</summary>
    public static Chart Line<TY>(IEnumerable<TY> y, string? name = null, Smoothing? smooth = null)
        where TY : INumberBase<TY>
    {
        var ys = ToDoubles(y, nameof(y));
        return Line(Enumerable.Range(0, ys.Length), ys, name, smooth);
    }

    /// <summary>Markers at (x, y).</summary>
    public static Chart Scatter<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string? name = null)
        where TX : INumberBase<TX> where TY : INumberBase<TY>
    {
        var (xs, ys) = Pair(x, y);
        return Of(new Trace { Kind = TraceKind.Scatter, Name = name, X = xs, Y = ys });
    }

    /// <summary>Bars, one per category. Several bar charts combined with <see cref="Add"/> are grouped side by side.</summary>
    public static Chart Bar<TY>(IEnumerable<string> categories, IEnumerable<TY> values, string? name = null)
        where TY : INumberBase<TY>
    {
        ArgumentNullException.ThrowIfNull(categories);
        var labels = categories.ToArray();
        var ys = ToDoubles(values, nameof(values));
        if (labels.Length != ys.Length)
            throw new ArgumentException($"Bar chart needs one value per category: got {labels.Length} categories and {ys.Length} values.", nameof(values));
        return Of(new Trace { Kind = TraceKind.Bar, Name = name, Labels = labels, Y = ys });
    }

    /// <summary>
    /// A histogram of <paramref name="values"/> with about <paramref name="bins"/> bins (plotly's nbinsx): the bin
    /// width is a 1-2-5 step, so there may be one bin more or a few fewer. NaNs are ignored.
    /// </summary>
    public static Chart Histogram<T>(IEnumerable<T> values, int bins = 20, string? name = null)
        where T : INumberBase<T>
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "A histogram needs at least one bin.");
        var xs = ToDoubles(values, nameof(values));
        return Of(new Trace { Kind = TraceKind.Histogram, Name = name, X = xs, Bins = Bins.For(xs, bins), RequestedBins = bins });
    }

    /// <summary>
    /// A heatmap of <paramref name="z"/>[row, column]; row 0 is drawn at the bottom, as plotly does.
    /// Colour scales: Viridis, Blues, RdBu, Greys.
    /// </summary>
    public static Chart Heatmap<T>(T[,] z, IEnumerable<string>? xLabels = null, IEnumerable<string>? yLabels = null,
        string colorScale = "Viridis") where T : INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(z);
        Colors.Scale(colorScale);   // validates the name
        int rows = z.GetLength(0), cols = z.GetLength(1);
        if (rows == 0 || cols == 0) throw new ArgumentException("Heatmap needs at least one row and one column.", nameof(z));
        var cells = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) cells[r, c] = double.CreateTruncating(z[r, c]);
        var xl = xLabels?.ToArray();
        var yl = yLabels?.ToArray();
        if (xl is not null && xl.Length != cols)
            throw new ArgumentException($"Heatmap has {cols} columns but {xl.Length} x labels.", nameof(xLabels));
        if (yl is not null && yl.Length != rows)
            throw new ArgumentException($"Heatmap has {rows} rows but {yl.Length} y labels.", nameof(yLabels));
        return Of(new Trace { Kind = TraceKind.Heatmap, Z = cells, Labels = xl, RowLabels = yl, ColorScale = colorScale });
    }

    /// <summary>Subplots: <paramref name="charts"/> fill a rows × cols grid row by row; each keeps its title and axes.</summary>
    public static Chart Grid(int rows, int cols, params Chart[] charts)
    {
        if (rows < 1 || cols < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"Grid needs at least 1×1 cells, got {rows}×{cols}.");
        ArgumentNullException.ThrowIfNull(charts);
        if (charts.Length == 0) throw new ArgumentException("Grid needs at least one chart.", nameof(charts));
        if (charts.Length > rows * cols)
            throw new ArgumentException($"{charts.Length} charts don't fit a {rows}×{cols} grid.", nameof(charts));
        if (charts.Any(c => c.Panels.Length != 1))
            throw new ArgumentException("A grid cell must be a single chart, not another grid.", nameof(charts));
        return new Chart(charts[0].Panels[0])
        {
            Panels = charts.Select(c => c.Panels[0] with { Title = c.Title }).ToArray(),
            Rows = rows,
            Cols = cols,
        };
    }

    // ---- composition and decoration ---------------------------------------------------------------

    /// <summary>
    /// Draws <paramref name="other"/>'s traces on this chart's axes: several lines, grouped bars, or overlaid
    /// histograms (which then share one set of bins).
    /// </summary>
    public Chart Add(Chart other)
    {
        var (mine, theirs) = SinglePanels(other, nameof(Add));
        return WithPanel((mine with
        {
            Traces = [.. mine.Traces, .. theirs.Traces],
            XTitle = mine.XTitle ?? theirs.XTitle,
            YTitle = mine.YTitle ?? theirs.YTitle,
        }).WithSharedBins());
    }

    /// <summary>Draws <paramref name="other"/>'s traces against a second y axis on the right.</summary>
    public Chart WithSecondaryY(Chart other, string? title = null)
    {
        var (mine, theirs) = SinglePanels(other, nameof(WithSecondaryY));
        if (theirs.Traces.Any(t => t.Kind == TraceKind.Heatmap))
            throw new ArgumentException("A heatmap can't go on a secondary axis.", nameof(other));
        return WithPanel(mine with
        {
            Traces = [.. mine.Traces, .. theirs.Traces.Select(t => t with { Secondary = true })],
            Y2Title = title ?? theirs.YTitle ?? mine.Y2Title,
        });
    }

    public Chart WithTitle(string title) => new(this) { Title = title };
    /// <summary>Sets the x-axis title (on every cell of a grid).</summary>
    public Chart WithXTitle(string title) => MapPanels(p => p with { XTitle = title });
    /// <summary>Sets the y-axis title (on every cell of a grid).</summary>
    public Chart WithYTitle(string title) => MapPanels(p => p with { YTitle = title });
    public Chart WithLogX(bool log = true) => MapPanels(p => p with { LogX = log });
    public Chart WithLogY(bool log = true) => MapPanels(p => p with { LogY = log });
    /// <summary>Fixes the x range instead of fitting the data (give it in data units, also on a log axis).</summary>
    public Chart WithXRange(double min, double max) => MapPanels(p => p with { XRange = CheckRange(min, max) });
    public Chart WithYRange(double min, double max) => MapPanels(p => p with { YRange = CheckRange(min, max) });
    /// <summary>Shows or hides the legend (by default it shows when two or more named series are drawn).</summary>
    public Chart WithLegend(bool show = true) => new(this) { Legend = show };

    /// <summary>Size in pixels. Without it the HTML chart fills the page width and the SVG is 720 wide.</summary>
    public Chart WithSize(int width, int height)
    {
        if (width < 100 || height < 100) throw new ArgumentOutOfRangeException(nameof(width), $"Chart size {width}×{height} is too small; use at least 100×100 pixels.");
        return new(this) { Width = width, Height = height };
    }

    // ---- output ------------------------------------------------------------------------------------

    /// <summary>The plotly.js figure: <c>{"data":[…],"layout":{…},"config":{…}}</c>. NaN and ±∞ become null.</summary>
    public string ToJson(bool indented = false) => FigureJson.Write(this, indented);

    /// <summary>A static SVG rendering of the chart (no JavaScript needed).</summary>
    public string ToSvg() => SvgRenderer.Render(this);

    /// <summary>
    /// An HTML fragment: the static SVG inside a div that plotly.js (from the CDN, or <paramref name="plotlyScript"/>)
    /// replaces with the interactive chart once it loads.
    /// </summary>
    public string ToHtml(string? plotlyScript = null) => ChartHtml.Fragment(this, plotlyScript);

    /// <summary>Writes a standalone HTML page (atomically: a temp file renamed into place).</summary>
    public void SaveHtml(string path, string? plotlyScript = null) =>
        AtomicFile.WriteAllText(path, ChartHtml.Page(this, plotlyScript));

    /// <summary>Writes the static SVG (atomically).</summary>
    public void SaveSvg(string path) => AtomicFile.WriteAllText(path, ToSvg());

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        ["text/html"] = ToHtml(),
        ["image/svg+xml"] = ToSvg(),
        ["application/vnd.plotly.v1+json"] = ToJson(),
        ["text/plain"] = ToString(),
    };

    /// <summary>One line: what is drawn, e.g. <c>Chart "GRPO": line "reward" (200 points, EMA), bar (3)</c>.</summary>
    public override string ToString()
    {
        var title = Title is null ? "" : $" \"{Title}\"";
        var grid = Panels.Length > 1 ? $" {Rows}×{Cols} grid" : "";
        var traces = Panels.SelectMany(p => p.Traces).Where(t => !t.Faint).Select(Describe);
        return $"Chart{title}{grid}: {string.Join(", ", traces)}";
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /// <summary>Every trace with its colour: series with the same name share one colour (a raw curve and its
    /// smoothed twin, or "train" in every grid cell); each unnamed series gets the next colour.</summary>
    internal Panel[] ColoredPanels()
    {
        var byName = new Dictionary<string, string>();
        int next = 0;
        return Panels.Select(p => p with
        {
            Traces = p.Traces.Select(t =>
            {
                if (t.Kind == TraceKind.Heatmap) return t;
                if (t.Name is null) return t with { Color = Colors.Palette[next++ % Colors.Palette.Length] };
                if (!byName.TryGetValue(t.Name, out var c)) byName[t.Name] = c = Colors.Palette[next++ % Colors.Palette.Length];
                return t with { Color = c };
            }).ToArray(),
        }).ToArray();
    }

    /// <summary>Names shown in the legend, once each; faint raw curves and unnamed traces have no entry.</summary>
    internal static bool InLegend(Trace t, HashSet<string> seen) =>
        t.Name is not null && !t.Faint && t.Kind != TraceKind.Heatmap && seen.Add(t.Name);

    internal bool ShowLegend(Panel[] colored)
    {
        var seen = new HashSet<string>();
        int entries = colored.SelectMany(p => p.Traces).Count(t => InLegend(t, seen));
        return entries > 0 && (Legend ?? entries >= 2);
    }

    static string Describe(Trace t)
    {
        var kind = t.Kind.ToString().ToLowerInvariant();
        var name = t.Name is null ? "" : $" \"{t.Name}\"";
        var size = t.Kind switch
        {
            TraceKind.Heatmap => $"{t.Z!.GetLength(0)}×{t.Z.GetLength(1)}",
            TraceKind.Histogram => $"{t.X.Length} values, {t.Bins!.Count} bins",
            TraceKind.Bar => $"{t.Y.Length}",
            _ => $"{t.Y.Length} points",
        };
        var secondary = t.Secondary ? ", right axis" : "";
        return $"{kind}{name} ({size}{secondary})";
    }

    (Panel Mine, Panel Theirs) SinglePanels(Chart other, string method)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Panels.Length != 1 || other.Panels.Length != 1)
            throw new InvalidOperationException($"{method} combines single charts; add traces to the cells before building the grid.");
        return (Panels[0], other.Panels[0]);
    }

    Chart WithPanel(Panel p) => new(this) { Panels = [p] };
    Chart MapPanels(Func<Panel, Panel> f) => new(this) { Panels = Panels.Select(f).ToArray() };

    static (double, double) CheckRange(double min, double max) =>
        double.IsFinite(min) && double.IsFinite(max) && min < max ? (min, max)
        : throw new ArgumentException($"Axis range needs finite min < max, got [{min}, {max}].");

    static (double[] X, double[] Y) Pair<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y)
        where TX : INumberBase<TX> where TY : INumberBase<TY>
    {
        var xs = ToDoubles(x, nameof(x));
        var ys = ToDoubles(y, nameof(y));
        if (xs.Length != ys.Length)
            throw new ArgumentException($"x and y must have the same length: x has {xs.Length} values, y has {ys.Length}.", nameof(y));
        return (xs, ys);
    }

    static double[] ToDoubles<T>(IEnumerable<T> values, string param) where T : INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(values, param);
        if (values is double[] d) return (double[])d.Clone();
        return values.Select(v => double.CreateTruncating(v)).ToArray();
    }
}
