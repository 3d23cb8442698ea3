namespace R1.Charts;

/// <summary>
/// Where each subplot sits, as plotly "domain" fractions of the plotting area (x from the left, y from the
/// bottom). The JSON writer puts them on the axes; the SVG renderer maps them onto its own canvas, so both
/// draw the same arrangement. Gaps leave room for the neighbours' tick labels, titles and right axes.
/// </summary>
internal static class GridLayout
{
    public const int DefaultWidth = 720, DefaultHeight = 420;
    public const int MarginLeft = 60, MarginRight = 30, MarginBottom = 50;
    public static int MarginTop(Chart c) => (c.Title is null ? 30 : 60) + (c.Panels.Length > 1 && c.Panels.Any(p => p.Title is not null) ? 20 : 0);

    public static (int Width, int Height) Size(Chart c) =>
        (c.Width ?? (c.Cols == 1 ? DefaultWidth : Math.Min(1200, 430 * c.Cols)),
         c.Height ?? (c.Rows == 1 ? DefaultHeight : 300 * c.Rows + 60));

    /// <summary>Domains of cell i (row-major from the top-left): x = [x0, x1], y = [y0, y1].</summary>
    public static (double X0, double X1, double Y0, double Y1)[] Domains(Chart c)
    {
        var (w, h) = Size(c);
        var panels = c.Panels;
        double gapX = c.Cols == 1 ? 0 : Math.Min(0.3, HorizontalGapPx(panels) / (w - MarginLeft - MarginRight - 100.0));   // ~100 px of legend
        double gapY = c.Rows == 1 ? 0 : Math.Min(0.3, VerticalGapPx(panels) / (h - MarginTop(c) - MarginBottom - 0.0));
        double cw = (1 - gapX * (c.Cols - 1)) / c.Cols;
        double ch = (1 - gapY * (c.Rows - 1)) / c.Rows;
        var domains = new (double, double, double, double)[panels.Length];
        for (int i = 0; i < panels.Length; i++)
        {
            int row = i / c.Cols, col = i % c.Cols;
            double x0 = col * (cw + gapX), y1 = 1 - row * (ch + gapY);
            domains[i] = (Round(x0), Round(x0 + cw), Round(y1 - ch), Round(y1));
        }
        return domains;
    }

    static double HorizontalGapPx(Panel[] ps) =>
        60 + (ps.Any(p => p.YTitle is not null) ? 22 : 0) + (ps.Any(p => p.HasSecondary) ? 60 : 0)
           + (ps.Any(p => p.Traces.Any(t => t.Kind == TraceKind.Heatmap)) ? 60 : 0);

    static double VerticalGapPx(Panel[] ps) =>
        44 + (ps.Any(p => p.XTitle is not null) ? 26 : 0) + (ps.Any(p => p.Title is not null) ? 28 : 0);

    static double Round(double v) => Math.Round(v, 4);
}
