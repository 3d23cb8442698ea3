using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace R1.Charts;

/// <summary>
/// The HTML form of a chart: a div holding the static SVG, the plotly.js script tag, and a call that swaps the
/// SVG for the interactive chart once plotly.js has loaded. Where scripts don't run (GitHub, an offline page
/// with no plotly.js) the SVG stays, so the chart is never blank.
/// </summary>
internal static class ChartHtml
{
    /// <summary>The script tag exactly as the book looks for it when it rewrites charts to a local plotly.js.</summary>
    public const string CdnScript = "<script src=\"https://cdn.plot.ly/plotly-2.35.2.min.js\"></script>";

    static long counter;

    public static string Fragment(Chart chart, string? plotlyScript)
    {
        var json = chart.ToJson();   // JSON's default encoder escapes <, > and &, so it is safe inside <script>
        var id = ElementId(json);
        var (_, height) = GridLayout.Size(chart);
        var script = plotlyScript is null ? CdnScript : $"<script src=\"{WebUtility.HtmlEncode(plotlyScript)}\"></script>";
        return $$"""
            <div id="{{id}}" class="r1-chart" style="width:100%;min-height:{{height}}px">{{chart.ToSvg()}}</div>
            {{script}}
            <script>(function () {
              var fig = {{json}}, tries = 0;
              (function draw() {
                if (window.Plotly) { document.getElementById("{{id}}").innerHTML = ""; Plotly.newPlot("{{id}}", fig.data, fig.layout, fig.config); }
                else if (++tries < 200) setTimeout(draw, 50);
              })();
            })();</script>
            """;
    }

    public static string Page(Chart chart, string? plotlyScript)
    {
        var title = WebUtility.HtmlEncode(chart.Title ?? "Chart");
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>{title}</title></head>
            <body style="margin:16px;font-family:sans-serif">
            {Fragment(chart, plotlyScript)}
            </body>
            </html>

            """;
    }

    /// <summary>An id that is deterministic within a run (display counter + figure hash), unique per display.</summary>
    static string ElementId(string json)
    {
        var n = Interlocked.Increment(ref counter);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{n}:{json}"));
        return "r1-chart-" + Convert.ToHexStringLower(hash.AsSpan(0, 6));
    }
}
