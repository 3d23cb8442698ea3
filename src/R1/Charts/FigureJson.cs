using System.Text.Json;

namespace R1.Charts;

/// <summary>
/// Writes a chart as plotly.js figure JSON — the shape Plotly.NET and plotly.py emit:
/// <c>{"data":[traces],"layout":{…},"config":{…}}</c>. Colours, histogram bins and colour scales are written
/// explicitly so the browser shows exactly what the SVG renderer draws. Non-finite numbers become null,
/// which plotly treats as gaps.
/// </summary>
internal static class FigureJson
{
    const string Font = "\"Open Sans\", verdana, arial, sans-serif";

    public static string Write(Chart chart, bool indented)
    {
        var panels = chart.ColoredPanels();
        var domains = panels.Length > 1 ? GridLayout.Domains(chart) : null;
        var secondaryIds = SecondaryAxisIds(panels);

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();

            w.WriteStartArray("data");
            var legendSeen = new HashSet<string>();
            for (int p = 0; p < panels.Length; p++)
                foreach (var t in panels[p].Traces)
                    WriteTrace(w, t, panels[p].OverlaidHistograms, AxisId("x", p + 1), t.Secondary ? AxisId("y", secondaryIds[p]) : AxisId("y", p + 1),
                        Chart.InLegend(t, legendSeen), panels.Length > 1 ? domains![p] : null);
            w.WriteEndArray();

            w.WriteStartObject("layout");
            if (chart.Title is not null) Title(w, "title", chart.Title);
            w.WriteStartObject("font");
            w.WriteString("family", Font);
            w.WriteNumber("size", 12);
            w.WriteString("color", Colors.Text);
            w.WriteEndObject();
            w.WriteString("paper_bgcolor", "white");
            w.WriteString("plot_bgcolor", "white");
            w.WriteBoolean("showlegend", chart.ShowLegend(panels));
            var (width, height) = GridLayout.Size(chart);
            if (chart.Width is not null) w.WriteNumber("width", width);
            w.WriteNumber("height", height);
            bool overlayHistograms = panels.Any(p => p.OverlaidHistograms) && !panels.Any(p => p.Traces.Any(t => t.Kind == TraceKind.Bar));
            w.WriteString("barmode", overlayHistograms ? "overlay" : "group");
            // Smaller margins than plotly's 80/100 defaults; automargin grows them where labels need room.
            w.WriteStartObject("margin");
            w.WriteNumber("l", GridLayout.MarginLeft);
            w.WriteNumber("r", GridLayout.MarginRight);
            w.WriteNumber("t", GridLayout.MarginTop(chart));
            w.WriteNumber("b", GridLayout.MarginBottom);
            w.WriteEndObject();
            if (domains is null && panels[0].HasSecondary)
                domains = [(0, 0.94, 0, 1)];   // as plotly.py's make_subplots(secondary_y=True): room for the right axis before the legend
            for (int p = 0; p < panels.Length; p++) WriteAxes(w, panels[p], p + 1, secondaryIds[p], domains?[p]);
            if (panels.Length > 1 && panels.Any(p => p.Title is not null))
            {
                // plotly has no subplot titles of its own; plotly.py and Plotly.NET use paper annotations too.
                w.WriteStartArray("annotations");
                for (int p = 0; p < panels.Length; p++)
                {
                    if (panels[p].Title is not { } text) continue;
                    var d = domains![p];
                    w.WriteStartObject();
                    w.WriteString("text", text);
                    w.WriteString("xref", "paper");
                    w.WriteString("yref", "paper");
                    w.WriteNumber("x", (d.X0 + d.X1) / 2);
                    w.WriteNumber("y", d.Y1);
                    w.WriteString("xanchor", "center");
                    w.WriteString("yanchor", "bottom");
                    w.WriteBoolean("showarrow", false);
                    w.WriteStartObject("font");
                    w.WriteNumber("size", 14);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();

            w.WriteStartObject("config");
            w.WriteBoolean("responsive", true);
            w.WriteBoolean("displaylogo", false);
            w.WriteEndObject();

            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Plotly axis ids: "x", "x2", …; layout keys "xaxis", "xaxis2", ….</summary>
    static string AxisId(string letter, int n) => n == 1 ? letter : letter + n;
    static string LayoutKey(string id) => id[..1] + "axis" + id[1..];

    /// <summary>Right-hand axes are numbered after the grid's own: with n cells the first is y(n+1).</summary>
    static int[] SecondaryAxisIds(Panel[] panels)
    {
        var ids = new int[panels.Length];
        int next = panels.Length + 1;
        for (int p = 0; p < panels.Length; p++) ids[p] = panels[p].HasSecondary ? next++ : 0;
        return ids;
    }

    static void WriteTrace(Utf8JsonWriter w, Trace t, bool overlaid, string xId, string yId, bool inLegend,
        (double X0, double X1, double Y0, double Y1)? domain)
    {
        w.WriteStartObject();
        switch (t.Kind)
        {
            case TraceKind.Line or TraceKind.Scatter:
                w.WriteString("type", "scatter");
                w.WriteString("mode", t.Kind == TraceKind.Line ? "lines" : "markers");
                Numbers(w, "x", t.X);
                Numbers(w, "y", t.Y);
                if (t.Kind == TraceKind.Line)
                {
                    w.WriteStartObject("line");
                    w.WriteString("color", t.Color);
                    w.WriteNumber("width", t.Faint ? 1.5 : 2);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteStartObject("marker");
                    w.WriteString("color", t.Color);
                    w.WriteNumber("size", 7);
                    w.WriteEndObject();
                }
                if (t.Faint) { w.WriteNumber("opacity", 0.3); w.WriteString("hoverinfo", "skip"); }
                break;
            case TraceKind.Bar:
                w.WriteString("type", "bar");
                Strings(w, "x", t.Labels!);
                Numbers(w, "y", t.Y);
                Marker(w, t.Color!, outline: false);
                break;
            case TraceKind.Histogram:
                w.WriteString("type", "histogram");
                Numbers(w, "x", t.X);
                var b = t.Bins!;
                w.WriteNumber("nbinsx", b.Count);
                w.WriteStartObject("xbins");
                w.WriteNumber("start", b.Start);
                w.WriteNumber("end", Math.Round(b.End, 12));
                w.WriteNumber("size", b.Size);
                w.WriteEndObject();
                Marker(w, t.Color!, outline: true);
                if (overlaid) w.WriteNumber("opacity", 0.6);
                break;
            case TraceKind.Heatmap:
                w.WriteString("type", "heatmap");
                var z = t.Z!;
                w.WriteStartArray("z");
                for (int r = 0; r < z.GetLength(0); r++)
                {
                    w.WriteStartArray();
                    for (int c = 0; c < z.GetLength(1); c++) Number(w, z[r, c]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                if (t.Labels is not null) Strings(w, "x", t.Labels);
                if (t.RowLabels is not null) Strings(w, "y", t.RowLabels);
                w.WriteStartArray("colorscale");
                foreach (var (at, color) in Colors.Scale(t.ColorScale))
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(Math.Round(at, 6));
                    w.WriteStringValue(color);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                if (domain is { } d)
                {
                    // Each cell's colour bar sits beside its own cell rather than at the page edge.
                    w.WriteStartObject("colorbar");
                    w.WriteNumber("x", Math.Round(d.X1 + 0.01, 4));
                    w.WriteNumber("y", Math.Round((d.Y0 + d.Y1) / 2, 4));
                    w.WriteNumber("len", Math.Round(d.Y1 - d.Y0, 4));
                    w.WriteNumber("thickness", 14);
                    w.WriteEndObject();
                }
                break;
        }
        if (t.Name is not null) { w.WriteString("name", t.Name); w.WriteString("legendgroup", t.Name); }
        w.WriteBoolean("showlegend", inLegend);
        if (xId != "x") w.WriteString("xaxis", xId);
        if (yId != "y") w.WriteString("yaxis", yId);
        w.WriteEndObject();
    }

    static void Marker(Utf8JsonWriter w, string color, bool outline)
    {
        w.WriteStartObject("marker");
        w.WriteString("color", color);
        if (outline)
        {
            w.WriteStartObject("line");
            w.WriteString("color", "white");
            w.WriteNumber("width", 0.5);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    static void WriteAxes(Utf8JsonWriter w, Panel p, int n, int secondaryId,
        (double X0, double X1, double Y0, double Y1)? domain)
    {
        string xId = AxisId("x", n), yId = AxisId("y", n);
        Axis(w, LayoutKey(xId), p.XTitle, p.CategoricalX, p.LogX, p.XRange, domain is { } d ? (d.X0, d.X1) : null, domain is null ? null : yId);
        Axis(w, LayoutKey(yId), p.YTitle, p.CategoricalY, p.LogY, p.YRange, domain is { } e ? (e.Y0, e.Y1) : null, domain is null ? null : xId);
        if (secondaryId == 0) return;
        w.WriteStartObject(LayoutKey(AxisId("y", secondaryId)));
        if (p.Y2Title is not null) Title(w, "title", p.Y2Title);
        w.WriteString("overlaying", yId);
        w.WriteString("side", "right");
        w.WriteString("anchor", xId);
        w.WriteBoolean("showgrid", false);
        w.WriteBoolean("zeroline", false);
        w.WriteBoolean("automargin", true);
        w.WriteEndObject();
    }

    static void Axis(Utf8JsonWriter w, string key, string? title, bool categorical, bool log,
        (double Min, double Max)? range, (double, double)? domain, string? anchor)
    {
        w.WriteStartObject(key);
        if (title is not null) Title(w, "title", title);
        if (categorical) w.WriteString("type", "category");
        else if (log) w.WriteString("type", "log");
        if (range is { } r && !categorical)
        {
            // plotly gives log-axis ranges in log10 units.
            w.WriteStartArray("range");
            Number(w, log ? Math.Log10(r.Min) : r.Min);
            Number(w, log ? Math.Log10(r.Max) : r.Max);
            w.WriteEndArray();
        }
        if (domain is { } d)
        {
            w.WriteStartArray("domain");
            w.WriteNumberValue(d.Item1);
            w.WriteNumberValue(d.Item2);
            w.WriteEndArray();
            w.WriteString("anchor", anchor);
        }
        w.WriteString("gridcolor", Colors.Grid);
        w.WriteString("zerolinecolor", Colors.Axis);
        w.WriteBoolean("automargin", true);
        w.WriteEndObject();
    }

    static void Title(Utf8JsonWriter w, string key, string text)
    {
        w.WriteStartObject(key);
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    static void Numbers(Utf8JsonWriter w, string key, double[] values)
    {
        w.WriteStartArray(key);
        foreach (var v in values) Number(w, v);
        w.WriteEndArray();
    }

    static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }

    static void Strings(Utf8JsonWriter w, string key, string[] values)
    {
        w.WriteStartArray(key);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
