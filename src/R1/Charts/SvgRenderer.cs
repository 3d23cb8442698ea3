using System.Globalization;
using System.Text;

namespace R1.Charts;

/// <summary>
/// Draws a chart as a static SVG in plotly's "plotly_white" look: white plot, light grid, 1-2-5 ticks,
/// legend on the right. Geometry in pixels: each cell's frame comes from the grid domains, its axes map
/// data to pixels, and every trace kind draws into the frame, clipped to it.
/// </summary>
internal static class SvgRenderer
{
    const double FontSize = 12, TitleSize = 17, CellTitleSize = 14, CharWidth = 0.6;   // CharWidth: em per character, for layout
    const double ColorBarSpace = 70, LegendRow = 20;
    const string FontFamily = "'Open Sans', verdana, arial, sans-serif";
    static long counter;

    sealed record Frame(double Left, double Top, double Right, double Bottom)
    {
        public double Width => Right - Left;
        public double Height => Bottom - Top;
    }

    public static string Render(Chart chart)
    {
        var panels = chart.ColoredPanels();
        var (width, height) = GridLayout.Size(chart);
        var domains = panels.Length > 1 ? GridLayout.Domains(chart) : [(0.0, 1.0, 0.0, 1.0)];
        var uid = "r1s" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture);
        var legend = LegendEntries(chart, panels);

        // Vertical layout first: y ticks depend on the frame height, and the left margin on the y tick labels.
        double top = (chart.Title is null ? 16 : 48) + (panels.Take(chart.Cols).Any(p => p.Title is not null) ? 24 : 0);
        double bottom = 34 + (panels.Skip(panels.Length - chart.Cols).Any(p => p.XTitle is not null) ? 22 : 0);
        var axes = panels.Select(p => (X: XAxis(p), Y: YAxis(p, secondary: false), Y2: p.HasSecondary ? YAxis(p, secondary: true) : null)).ToArray();
        double areaHeight = height - top - bottom;
        for (int i = 0; i < panels.Length; i++)
        {
            double cellHeight = areaHeight * (domains[i].Y1 - domains[i].Y0);
            int count = TickCount(cellHeight, 40);
            axes[i].Y.MakeTicks(count);
            axes[i].Y2?.MakeTicks(count);
        }
        double firstColumnLabels = Enumerable.Range(0, panels.Length).Where(i => i % chart.Cols == 0).Max(i => axes[i].Y.LabelWidth);
        double left = 14 + firstColumnLabels + 8 + (panels.Any(p => p.YTitle is not null) ? 22 : 0);
        double lastColumnY2 = Enumerable.Range(0, panels.Length).Where(i => i % chart.Cols == chart.Cols - 1 || i == panels.Length - 1)
            .Select(i => axes[i].Y2 is { } a ? a.LabelWidth + 10 + (panels[i].Y2Title is not null ? 22 : 0) : 0).DefaultIfEmpty(0).Max();
        double legendWidth = legend.Count == 0 ? 0 : 46 + legend.Max(e => TextWidth(e.Name, FontSize));
        double right = 16 + lastColumnY2 + legendWidth;
        double areaWidth = width - left - right;

        var frames = new Frame[panels.Length];
        for (int i = 0; i < panels.Length; i++)
        {
            var d = domains[i];
            var f = new Frame(left + d.X0 * areaWidth, top + (1 - d.Y1) * areaHeight, left + d.X1 * areaWidth, top + (1 - d.Y0) * areaHeight);
            if (panels[i].Traces.Any(t => t.Kind == TraceKind.Heatmap)) f = f with { Right = f.Right - ColorBarSpace };
            frames[i] = f;
            axes[i].X.Place(f.Left, f.Right);
            axes[i].Y.Place(f.Bottom, f.Top);
            axes[i].Y2?.Place(f.Bottom, f.Top);
            axes[i].X.MakeTicks(axes[i].X.Categorical ? Math.Max(1, (int)(f.Width / (axes[i].X.MaxCategoryWidth + 12))) : TickCount(f.Width, 80));
        }

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" ")
           .Append($"font-family=\"{FontFamily}\" font-size=\"{N(FontSize)}\" style=\"max-width:100%;height:auto\">\n");
        svg.Append($"<rect class=\"background\" width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n<defs>\n");
        for (int i = 0; i < frames.Length; i++)
            svg.Append($"<clipPath id=\"{uid}-clip{i}\"><rect x=\"{N(frames[i].Left)}\" y=\"{N(frames[i].Top)}\" width=\"{N(frames[i].Width)}\" height=\"{N(frames[i].Height)}\"/></clipPath>\n");
        svg.Append("</defs>\n");

        for (int i = 0; i < panels.Length; i++)
            DrawPanel(svg, panels[i], frames[i], axes[i].X, axes[i].Y, axes[i].Y2, $"{uid}-clip{i}", $"{uid}-scale{i}");

        if (legend.Count > 0) DrawLegend(svg, legend, width - legendWidth - 6, top);
        if (chart.Title is not null)
            Text(svg, chart.Title, width / 2.0, 30, TitleSize, "middle", cls: "title");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>How many intervals to aim for on an axis of this length: plotly's rule, one tick per ~80 px
    /// across and ~40 px up, between 5 and 10.</summary>
    static int TickCount(double pixels, double pixelsPerTick) => (int)Math.Clamp(pixels / pixelsPerTick, 4, 9) + 1;

    // ---- axes --------------------------------------------------------------------------------------

    sealed class Axis
    {
        public bool Log, Categorical;
        public string[] Categories = [];
        public double Min, Max;               // axis units: data, log10(data), or category index
        double p0, p1;                        // pixels of Min and Max
        public double[] TickValues = [];
        public string[] TickLabels = [];

        public double LabelWidth => TickLabels.Length == 0 ? 0 : TickLabels.Max(l => TextWidth(l, FontSize));
        public double MaxCategoryWidth => Categories.Length == 0 ? 0 : Categories.Max(c => TextWidth(Short(c), FontSize));

        public void Place(double pixelOfMin, double pixelOfMax) { p0 = pixelOfMin; p1 = pixelOfMax; }

        /// <summary>Pixel of a data value; NaN where it can't be drawn (NaN, ≤ 0 on a log axis).</summary>
        public double Px(double data) => PxUnit(Log ? (data > 0 ? Math.Log10(data) : double.NaN) : data);
        public double PxUnit(double unit) => double.IsFinite(unit) ? p0 + (unit - Min) / (Max - Min) * (p1 - p0) : double.NaN;

        /// <summary>Pixel of the bar baseline: zero, or the axis bottom on a log axis or when zero is off the range.</summary>
        public double BasePx => Log ? p0 : PxUnit(Math.Clamp(0, Min, Max));

        public void MakeTicks(int maxCount)
        {
            if (Categorical)
            {
                int stride = Math.Max(1, (int)Math.Ceiling(Categories.Length / (double)maxCount));
                var idx = Enumerable.Range(0, Categories.Length).Where(i => i % stride == 0).ToArray();
                TickValues = idx.Select(i => (double)i).ToArray();
                TickLabels = idx.Select(i => Short(Categories[i])).ToArray();
            }
            else if (Log)
            {
                TickValues = Ticks.Log(Min, Max);
                TickLabels = TickValues.Select(Ticks.FormatLog).ToArray();
            }
            else
            {
                var (values, step) = Ticks.Linear(Min, Max, maxCount);
                TickValues = values;
                TickLabels = values.Select(v => Ticks.Format(v, step)).ToArray();
            }
        }

        static string Short(string s) => s.Length <= 16 ? s : s[..15] + "…";
    }

    static Axis XAxis(Panel p)
    {
        if (p.CategoricalX) return Categories(p.XCategories());
        var values = new List<double>();
        foreach (var t in p.Traces)
        {
            if (t.Kind == TraceKind.Histogram) { values.Add(t.Bins!.Start); values.Add(t.Bins.End); }
            else values.AddRange(t.X);
        }
        double pad = p.Traces.Any(t => t.Kind == TraceKind.Scatter) ? 0.04 : 0;
        return Numeric(values, p.LogX, p.XRange, pad, includeZero: false);
    }

    static Axis YAxis(Panel p, bool secondary)
    {
        if (!secondary && p.CategoricalY) return Categories(p.YCategories());
        var values = new List<double>();
        bool bars = false;
        foreach (var t in p.Traces.Where(t => t.Secondary == secondary))
        {
            if (t.Kind == TraceKind.Histogram) { values.Add(t.Bins!.Counts(t.X).Max()); bars = true; }
            else { values.AddRange(t.Y); bars |= t.Kind == TraceKind.Bar; }
        }
        bool log = p.LogY && !secondary;
        return Numeric(values, log, secondary ? null : p.YRange, 0.05, includeZero: bars && !log);
    }

    static Axis Categories(string[] categories) =>
        new() { Categorical = true, Categories = categories, Min = -0.5, Max = categories.Length - 0.5 };

    static Axis Numeric(List<double> values, bool log, (double Min, double Max)? fixedRange, double pad, bool includeZero)
    {
        var axis = new Axis { Log = log };
        if (fixedRange is { } r)
        {
            (axis.Min, axis.Max) = log ? (Math.Log10(Math.Max(r.Min, 1e-300)), Math.Log10(r.Max)) : (r.Min, r.Max);
            return axis;
        }
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            double u = log ? (v > 0 ? Math.Log10(v) : double.NaN) : v;
            if (!double.IsFinite(u)) continue;
            min = Math.Min(min, u);
            max = Math.Max(max, u);
        }
        if (min > max) (min, max) = log ? (0.0, 1.0) : (0.0, 1.0);
        if (includeZero) { min = Math.Min(min, 0); max = Math.Max(max, 0); }
        if (min == max)
        {
            double half = log ? 0.5 : (min == 0 ? 1 : Math.Abs(min) * 0.1);
            (min, max) = (min - half, max + half);
        }
        double span = max - min;
        axis.Min = includeZero && min == 0 ? 0 : min - pad * span;
        axis.Max = includeZero && max == 0 ? 0 : max + pad * span;
        return axis;
    }

    // ---- panel -------------------------------------------------------------------------------------

    static void DrawPanel(StringBuilder svg, Panel p, Frame f, Axis x, Axis y, Axis? y2, string clipId, string scaleId)
    {
        svg.Append("<g class=\"panel\">\n");
        // Grid lines at the ticks (none on category axes, like plotly), then a stronger zero line.
        if (!x.Categorical)
            foreach (var v in x.TickValues) Line(svg, x.PxUnit(v), f.Top, x.PxUnit(v), f.Bottom, Colors.Grid, 1, "grid");
        if (!y.Categorical)
            foreach (var v in y.TickValues) Line(svg, f.Left, y.PxUnit(v), f.Right, y.PxUnit(v), Colors.Grid, 1, "grid");
        if (!y.Categorical && !y.Log && y.Min < 0 && y.Max > 0) Line(svg, f.Left, y.PxUnit(0), f.Right, y.PxUnit(0), Colors.Axis, 2, "zero");
        if (!x.Categorical && !x.Log && x.Min < 0 && x.Max > 0) Line(svg, x.PxUnit(0), f.Top, x.PxUnit(0), f.Bottom, Colors.Axis, 2, "zero");

        svg.Append($"<g clip-path=\"url(#{clipId})\">\n");
        var barTraces = p.Traces.Where(t => t.Kind == TraceKind.Bar).ToList();
        bool overlay = p.OverlaidHistograms;
        // Heatmaps and bars under lines and markers, faint raw curves under their smoothed twins.
        foreach (var t in p.Traces.OrderBy(t => t.Kind switch { TraceKind.Heatmap => 0, TraceKind.Bar or TraceKind.Histogram => 1, _ => t.Faint ? 2 : 3 }))
        {
            var ya = t.Secondary ? y2! : y;
            switch (t.Kind)
            {
                case TraceKind.Line: DrawLine(svg, t, x, ya); break;
                case TraceKind.Scatter: DrawMarkers(svg, t, x, ya); break;
                case TraceKind.Bar: DrawBars(svg, t, barTraces.IndexOf(t), barTraces.Count, x, ya); break;
                case TraceKind.Histogram: DrawHistogram(svg, t, x, ya, overlay ? 0.6 : 1); break;
                case TraceKind.Heatmap: DrawHeatmap(svg, t, x, y); break;
            }
        }
        svg.Append("</g>\n");

        // Tick labels.
        for (int i = 0; i < x.TickValues.Length; i++)
            Text(svg, x.TickLabels[i], x.PxUnit(x.TickValues[i]), f.Bottom + 17, FontSize, "middle", cls: "xtick");
        for (int i = 0; i < y.TickValues.Length; i++)
            Text(svg, y.TickLabels[i], f.Left - 6, y.PxUnit(y.TickValues[i]) + 4, FontSize, "end", cls: "ytick");
        if (y2 is not null)
            for (int i = 0; i < y2.TickValues.Length; i++)
                Text(svg, y2.TickLabels[i], f.Right + 6, y2.PxUnit(y2.TickValues[i]) + 4, FontSize, "start", cls: "y2tick");

        // Axis and cell titles.
        double cx = (f.Left + f.Right) / 2, cy = (f.Top + f.Bottom) / 2;
        if (p.XTitle is not null) Text(svg, p.XTitle, cx, f.Bottom + 38, FontSize + 1, "middle", cls: "xtitle");
        if (p.YTitle is not null) Text(svg, p.YTitle, f.Left - y.LabelWidth - 16, cy, FontSize + 1, "middle", rotate: -90, cls: "ytitle");
        if (p.Y2Title is not null && y2 is not null)
            Text(svg, p.Y2Title, f.Right + y2.LabelWidth + 16, cy, FontSize + 1, "middle", rotate: 90, cls: "y2title");
        if (p.Title is not null) Text(svg, p.Title, cx, f.Top - 10, CellTitleSize, "middle", cls: "celltitle");

        if (p.Traces.FirstOrDefault(t => t.Kind == TraceKind.Heatmap) is { } hm) DrawColorBar(svg, hm, f, scaleId);
        svg.Append("</g>\n");
    }

    static void DrawLine(StringBuilder svg, Trace t, Axis x, Axis y)
    {
        var d = new StringBuilder();
        bool pen = false;
        for (int i = 0; i < t.Y.Length; i++)
        {
            double px = x.Px(t.X[i]), py = y.Px(t.Y[i]);
            if (double.IsNaN(px) || double.IsNaN(py)) { pen = false; continue; }   // a gap, as plotly draws null
            d.Append(pen ? 'L' : 'M').Append(N(px)).Append(',').Append(N(py));
            pen = true;
        }
        if (d.Length == 0) return;
        var faint = t.Faint ? " stroke-opacity=\"0.3\"" : "";
        svg.Append($"<path class=\"trace line\" d=\"{d}\" fill=\"none\" stroke=\"{t.Color}\" stroke-width=\"{(t.Faint ? "1.5" : "2")}\"{faint} stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n");
    }

    static void DrawMarkers(StringBuilder svg, Trace t, Axis x, Axis y)
    {
        for (int i = 0; i < t.Y.Length; i++)
        {
            double px = x.Px(t.X[i]), py = y.Px(t.Y[i]);
            if (double.IsNaN(px) || double.IsNaN(py)) continue;
            svg.Append($"<circle class=\"trace point\" cx=\"{N(px)}\" cy=\"{N(py)}\" r=\"3.5\" fill=\"{t.Color}\" fill-opacity=\"0.85\"/>\n");
        }
    }

    static void DrawBars(StringBuilder svg, Trace t, int k, int n, Axis x, Axis y)
    {
        double slot = Math.Abs(x.PxUnit(1) - x.PxUnit(0));
        double group = slot * 0.8, barWidth = group / n;   // plotly's bargap 0.2, bars of a group side by side
        for (int i = 0; i < t.Y.Length; i++)
        {
            int c = Array.IndexOf(x.Categories, t.Labels![i]);
            double top = y.Px(t.Y[i]);
            if (c < 0 || double.IsNaN(top)) continue;
            double left = x.PxUnit(c) - group / 2 + k * barWidth;
            Rect(svg, left, Math.Min(top, y.BasePx), barWidth, Math.Abs(y.BasePx - top), t.Color!, "trace bar");
        }
    }

    static void DrawHistogram(StringBuilder svg, Trace t, Axis x, Axis y, double opacity)
    {
        var b = t.Bins!;
        var counts = b.Counts(t.X);
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            double x0 = x.Px(b.Start + i * b.Size), x1 = x.Px(b.Start + (i + 1) * b.Size), top = y.Px(counts[i]);
            if (double.IsNaN(x0) || double.IsNaN(x1) || double.IsNaN(top)) continue;
            svg.Append($"<rect class=\"trace bar\" x=\"{N(x0)}\" y=\"{N(top)}\" width=\"{N(x1 - x0)}\" height=\"{N(y.BasePx - top)}\" fill=\"{t.Color}\"")
               .Append(opacity < 1 ? $" fill-opacity=\"{N(opacity)}\"" : "").Append(" stroke=\"white\" stroke-width=\"0.5\"/>\n");
        }
    }

    static void DrawHeatmap(StringBuilder svg, Trace t, Axis x, Axis y)
    {
        var z = t.Z!;
        var scale = Colors.Scale(t.ColorScale);
        var (zmin, zmax) = ZRange(z);
        var columns = HeatmapColumns(t, x);
        for (int r = 0; r < z.GetLength(0); r++)
        {
            double y0 = y.PxUnit(r - 0.5), y1 = y.PxUnit(r + 0.5);
            for (int c = 0; c < z.GetLength(1); c++)
            {
                if (!double.IsFinite(z[r, c])) continue;
                double x0 = x.PxUnit(columns[c] - 0.5), x1 = x.PxUnit(columns[c] + 0.5);
                double tpos = zmax > zmin ? (z[r, c] - zmin) / (zmax - zmin) : 0.5;
                // +0.5 px overlap hides hairline seams between neighbouring cells.
                svg.Append($"<rect class=\"trace cell\" x=\"{N(x0)}\" y=\"{N(Math.Min(y0, y1))}\" width=\"{N(x1 - x0 + 0.5)}\" height=\"{N(Math.Abs(y0 - y1) + 0.5)}\" fill=\"{Colors.Interpolate(scale, tpos)}\" shape-rendering=\"crispEdges\"/>\n");
            }
        }
    }

    static int[] HeatmapColumns(Trace t, Axis x)
    {
        int n = t.Z!.GetLength(1);
        if (t.Labels is null) return Enumerable.Range(0, n).ToArray();
        return t.Labels.Select(l => Array.IndexOf(x.Categories, l)).ToArray();
    }

    static (double Min, double Max) ZRange(double[,] z)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in z) if (double.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
        return min > max ? (0, 1) : (min, max);
    }

    static void DrawColorBar(StringBuilder svg, Trace t, Frame f, string id)
    {
        var scale = Colors.Scale(t.ColorScale);
        var (zmin, zmax) = ZRange(t.Z!);
        double x = f.Right + 14, w = 14, top = f.Top, bottom = f.Bottom;
        svg.Append($"<defs><linearGradient id=\"{id}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        foreach (var (at, color) in scale) svg.Append($"<stop offset=\"{N(at * 100)}%\" stop-color=\"{color}\"/>");
        svg.Append("</linearGradient></defs>\n");
        svg.Append($"<rect class=\"colorbar\" x=\"{N(x)}\" y=\"{N(top)}\" width=\"{N(w)}\" height=\"{N(bottom - top)}\" fill=\"url(#{id})\"/>\n");
        if (!(zmax > zmin)) { Text(svg, Ticks.Format(zmin, 1), x + w + 4, (top + bottom) / 2 + 4, FontSize - 1, "start", cls: "ztick"); return; }
        var (ticks, step) = Ticks.Linear(zmin, zmax, Math.Max(2, (int)((bottom - top) / 40)));
        foreach (var v in ticks)
        {
            double py = bottom - (v - zmin) / (zmax - zmin) * (bottom - top);
            Text(svg, Ticks.Format(v, step), x + w + 4, py + 4, FontSize - 1, "start", cls: "ztick");
        }
    }

    // ---- legend ------------------------------------------------------------------------------------

    sealed record LegendEntry(string Name, string Color, TraceKind Kind);

    static List<LegendEntry> LegendEntries(Chart chart, Panel[] panels)
    {
        if (!chart.ShowLegend(panels)) return [];
        var seen = new HashSet<string>();
        return panels.SelectMany(p => p.Traces).Where(t => Chart.InLegend(t, seen))
            .Select(t => new LegendEntry(t.Name!, t.Color!, t.Kind)).ToList();
    }

    static void DrawLegend(StringBuilder svg, List<LegendEntry> entries, double x, double top)
    {
        svg.Append("<g class=\"legend\">\n");
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            double cy = top + 10 + i * LegendRow;
            switch (e.Kind)
            {
                case TraceKind.Line: Line(svg, x + 6, cy, x + 30, cy, e.Color, 2.5, "legend-line"); break;
                case TraceKind.Scatter: svg.Append($"<circle class=\"legend-marker\" cx=\"{N(x + 18)}\" cy=\"{N(cy)}\" r=\"4\" fill=\"{e.Color}\"/>\n"); break;
                default: Rect(svg, x + 12, cy - 6, 12, 12, e.Color, "legend-swatch"); break;
            }
            Text(svg, e.Name, x + 36, cy + 4, FontSize, "start", cls: "legend-text");
        }
        svg.Append("</g>\n");
    }

    // ---- primitives --------------------------------------------------------------------------------

    static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, string color, double width, string cls) =>
        svg.Append($"<line class=\"{cls}\" x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{color}\" stroke-width=\"{N(width)}\"/>\n");

    static void Rect(StringBuilder svg, double x, double y, double w, double h, string color, string cls) =>
        svg.Append($"<rect class=\"{cls}\" x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{N(h)}\" fill=\"{color}\"/>\n");

    static void Text(StringBuilder svg, string text, double x, double y, double size, string anchor, double rotate = 0, string cls = "")
    {
        var transform = rotate != 0 ? $" transform=\"rotate({N(rotate)} {N(x)} {N(y)})\"" : "";
        var dy = rotate != 0 ? " dy=\"0.35em\"" : "";
        svg.Append($"<text class=\"{cls}\" x=\"{N(x)}\" y=\"{N(y)}\"{dy} font-size=\"{N(size)}\" text-anchor=\"{anchor}\" fill=\"{Colors.Text}\"{transform}>")
           .Append(Escape(text)).Append("</text>\n");
    }

    static double TextWidth(string s, double size) => s.Length * size * CharWidth;

    static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    static string N(double v) => Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture);
}
