using System.Text.Json.Nodes;
using R1.Charts;

namespace R1.Tests.Charts;

public class ChartJsonTests
{
    static JsonNode Figure(Chart c) => JsonNode.Parse(c.ToJson())!;
    static double?[] Numbers(JsonNode? array) => array!.AsArray().Select(n => n is null ? (double?)null : n.GetValue<double>()).ToArray();

    [Fact]
    public void LineWritesScatterTraceWithLinesModeAndTitles()
    {
        var fig = Figure(Chart.Line(new[] { 1, 2, 3 }, new[] { 0.5, 0.25, 0.125 }, "loss")
            .WithTitle("Training").WithXTitle("step").WithYTitle("loss"));

        var trace = fig["data"]![0]!;
        Assert.Single(fig["data"]!.AsArray());
        Assert.Equal("scatter", (string)trace["type"]!);
        Assert.Equal("lines", (string)trace["mode"]!);
        Assert.Equal("loss", (string)trace["name"]!);
        Assert.Equal(new double?[] { 1, 2, 3 }, Numbers(trace["x"]));
        Assert.Equal(new double?[] { 0.5, 0.25, 0.125 }, Numbers(trace["y"]));
        Assert.Equal("#636efa", (string)trace["line"]!["color"]!);
        Assert.Equal("Training", (string)fig["layout"]!["title"]!["text"]!);
        Assert.Equal("step", (string)fig["layout"]!["xaxis"]!["title"]!["text"]!);
        Assert.Equal("loss", (string)fig["layout"]!["yaxis"]!["title"]!["text"]!);
        Assert.False((bool)fig["layout"]!["showlegend"]!);   // one series: no legend, as plotly
        Assert.True((bool)fig["config"]!["responsive"]!);
    }

    [Fact]
    public void NonFiniteValuesBecomeNull()
    {
        var fig = Figure(Chart.Line(new[] { 0.0, 1, 2, 3 }, new[] { 1, double.NaN, double.PositiveInfinity, 4 }));
        Assert.Equal(new double?[] { 1, null, null, 4 }, Numbers(fig["data"]![0]!["y"]));
        Assert.Contains("[1,null,null,4]", Chart.Line(new[] { 1.0, double.NaN, double.NegativeInfinity, 4 }).ToJson());
    }

    [Fact]
    public void EmaSmoothingAddsSmoothedTraceOverFaintRaw()
    {
        // TensorBoard's debiased EMA with weight 0.5 over [1, 3, NaN, 5], by hand:
        // 0.5/0.5 = 1; (0.25 + 1.5)/0.75 = 7/3; NaN stays; (0.875 + 2.5)/0.875 = 27/7.
        var fig = Figure(Chart.Line(new[] { 0, 1, 2, 3 }, new[] { 1, 3, double.NaN, 5 }, "reward", Smoothing.Ema(0.5)));
        var data = fig["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        var (raw, smooth) = (data[0]!, data[1]!);
        Assert.Equal(0.3, (double)raw["opacity"]!);
        Assert.False((bool)raw["showlegend"]!);
        Assert.True((bool)smooth["showlegend"]!);
        Assert.Equal(new double?[] { 1, 3, null, 5 }, Numbers(raw["y"]));
        var s = Numbers(smooth["y"]);
        Assert.Equal(1, s[0]!.Value, 12);
        Assert.Equal(7.0 / 3, s[1]!.Value, 12);
        Assert.Null(s[2]);
        Assert.Equal(27.0 / 7, s[3]!.Value, 12);
        Assert.Equal((string)raw["line"]!["color"]!, (string)smooth["line"]!["color"]!);   // same series, same colour
        Assert.Equal("reward", (string)raw["legendgroup"]!);
    }

    [Fact]
    public void WindowSmoothingIsTrailingMeanSkippingNaN()
    {
        var fig = Figure(Chart.Line(new[] { 1, 3, double.NaN, 5, 7 }, "r", Smoothing.Window(2)));
        // windows: [1] [1,3] [3,NaN] [NaN,5] [5,7]
        Assert.Equal(new double?[] { 1, 2, 3, 5, 6 }, Numbers(fig["data"]![1]!["y"]));
        Assert.Equal(new double?[] { 0, 1, 2, 3, 4 }, Numbers(fig["data"]![0]!["x"]));
    }

    [Fact]
    public void ScatterUsesMarkersMode()
    {
        var trace = Figure(Chart.Scatter(new[] { 1.0, 2 }, new[] { 3f, 4f }, "pts"))["data"]![0]!;
        Assert.Equal("scatter", (string)trace["type"]!);
        Assert.Equal("markers", (string)trace["mode"]!);
        Assert.Equal(new double?[] { 3, 4 }, Numbers(trace["y"]));
    }

    [Fact]
    public void BarsAddedTogetherAreGroupedWithPaletteColours()
    {
        string[] cats = ["add", "sub"];
        var fig = Figure(Chart.Bar(cats, new[] { 0.5, 0.7 }, "before").Add(Chart.Bar(cats, new[] { 0.6, 0.9 }, "after")));
        var data = fig["data"]!.AsArray();
        Assert.All(data, t => Assert.Equal("bar", (string)t!["type"]!));
        Assert.Equal(new[] { "add", "sub" }, data[0]!["x"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(new double?[] { 0.6, 0.9 }, Numbers(data[1]!["y"]));
        Assert.Equal("#636efa", (string)data[0]!["marker"]!["color"]!);
        Assert.Equal("#EF553B", (string)data[1]!["marker"]!["color"]!);
        Assert.Equal("group", (string)fig["layout"]!["barmode"]!);
        Assert.Equal("category", (string)fig["layout"]!["xaxis"]!["type"]!);
        Assert.True((bool)fig["layout"]!["showlegend"]!);
    }

    [Fact]
    public void HistogramCarriesExactBins()
    {
        // Integers 0..9 in about 5 bins: raw width 1.8 → whole-number width 2, bins [0,2) … [8,10).
        var trace = Figure(Chart.Histogram(Enumerable.Range(0, 10), bins: 5))["data"]![0]!;
        Assert.Equal("histogram", (string)trace["type"]!);
        Assert.Equal(10, trace["x"]!.AsArray().Count);
        Assert.Equal(5, (int)trace["nbinsx"]!);
        Assert.Equal(0, (double)trace["xbins"]!["start"]!);
        Assert.Equal(2, (double)trace["xbins"]!["size"]!);
        Assert.Equal(10, (double)trace["xbins"]!["end"]!);
    }

    [Fact]
    public void HistogramBinsIncludeTheMaximum()
    {
        // Fractional data 0..1 in 10 bins: width 0.1; plotly's bins are left-closed, so 1.0 needs an 11th bin.
        var values = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
        var trace = Figure(Chart.Histogram(values, bins: 10))["data"]![0]!;
        Assert.Equal(0.1, (double)trace["xbins"]!["size"]!, 12);
        Assert.Equal(11, (int)trace["nbinsx"]!);
        Assert.Equal(1.1, (double)trace["xbins"]!["end"]!, 12);
    }

    [Fact]
    public void OverlaidHistogramsShareBins()
    {
        // 0..4 and 6..10 asked in 5 bins each: alone they would get width 1; together the range 0..10 gives width 2.
        var fig = Figure(Chart.Histogram(new[] { 0, 4 }, 5, "a").Add(Chart.Histogram(new[] { 6, 10 }, 5, "b")));
        var data = fig["data"]!.AsArray();
        foreach (var t in data)
        {
            Assert.Equal(0, (double)t!["xbins"]!["start"]!);
            Assert.Equal(2, (double)t["xbins"]!["size"]!);
            Assert.Equal(0.6, (double)t["opacity"]!);
        }
        Assert.Equal("overlay", (string)fig["layout"]!["barmode"]!);
    }

    [Fact]
    public void HeatmapWritesRowsLabelsAndColourScale()
    {
        var z = new double[,] { { 1, 2, 3 }, { 4, double.NaN, 6 } };
        var fig = Figure(Chart.Heatmap(z, ["a", "b", "c"], ["r0", "r1"], "Blues"));
        var t = fig["data"]![0]!;
        Assert.Equal("heatmap", (string)t["type"]!);
        Assert.Equal(new double?[] { 1, 2, 3 }, Numbers(t["z"]![0]));
        Assert.Equal(new double?[] { 4, null, 6 }, Numbers(t["z"]![1]));
        Assert.Equal(new[] { "a", "b", "c" }, t["x"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(new[] { "r0", "r1" }, t["y"]!.AsArray().Select(n => (string)n!));
        var scale = t["colorscale"]!.AsArray();
        Assert.Equal(0, (double)scale[0]![0]!);
        Assert.Equal("#f7fbff", (string)scale[0]![1]!);
        Assert.Equal(1, (double)scale[^1]![0]!);
        Assert.Equal("category", (string)fig["layout"]!["yaxis"]!["type"]!);
    }

    [Fact]
    public void SecondaryAxisOverlaysOnTheRight()
    {
        var fig = Figure(Chart.Line(new[] { 1, 2 }, new[] { 0.1, 0.2 }, "reward")
            .WithSecondaryY(Chart.Line(new[] { 1, 2 }, new[] { 5.0, 6 }, "kl"), "KL"));
        var data = fig["data"]!.AsArray();
        Assert.Null(data[0]!["yaxis"]);
        Assert.Equal("y2", (string)data[1]!["yaxis"]!);
        var y2 = fig["layout"]!["yaxis2"]!;
        Assert.Equal("y", (string)y2["overlaying"]!);
        Assert.Equal("right", (string)y2["side"]!);
        Assert.Equal("x", (string)y2["anchor"]!);
        Assert.Equal("KL", (string)y2["title"]!["text"]!);
        Assert.False((bool)y2["showgrid"]!);
    }

    [Fact]
    public void GridPlacesEachChartOnItsOwnAxes()
    {
        var a = Chart.Line(new[] { 1, 2 }, new[] { 1.0, 2 }, "train").WithTitle("loss");
        var b = Chart.Line(new[] { 1, 2 }, new[] { 3.0, 4 }, "train").WithTitle("accuracy")
            .WithSecondaryY(Chart.Line(new[] { 1, 2 }, new[] { 9.0, 8 }, "lr"));
        var fig = Figure(Chart.Grid(1, 2, a, b).WithTitle("overview"));
        var data = fig["data"]!.AsArray();
        var layout = fig["layout"]!;

        Assert.Null(data[0]!["xaxis"]);
        Assert.Equal("x2", (string)data[1]!["xaxis"]!);
        Assert.Equal("y2", (string)data[1]!["yaxis"]!);
        Assert.Equal("y3", (string)data[2]!["yaxis"]!);   // the right-hand axis is numbered after the grid's own
        Assert.Equal("y2", (string)layout["yaxis3"]!["overlaying"]!);
        Assert.Equal("x2", (string)layout["yaxis3"]!["anchor"]!);

        var x1 = Numbers(layout["xaxis"]!["domain"]);
        var x2 = Numbers(layout["xaxis2"]!["domain"]);
        Assert.Equal(0, x1[0]);
        Assert.Equal(1, x2[1]);
        Assert.True(x1[1] < x2[0]);                       // a gap between the cells
        Assert.Equal("y2", (string)layout["xaxis2"]!["anchor"]!);
        Assert.Equal(new double?[] { 0, 1 }, Numbers(layout["yaxis2"]!["domain"]));

        var titles = layout["annotations"]!.AsArray().Select(n => (string)n!["text"]!).ToArray();
        Assert.Equal(new[] { "loss", "accuracy" }, titles);
        Assert.Equal("overview", (string)layout["title"]!["text"]!);

        // "train" appears in both cells: one colour, one legend entry.
        Assert.Equal((string)data[0]!["line"]!["color"]!, (string)data[1]!["line"]!["color"]!);
        Assert.True((bool)data[0]!["showlegend"]!);
        Assert.False((bool)data[1]!["showlegend"]!);
        Assert.True((bool)data[2]!["showlegend"]!);
    }

    [Fact]
    public void TwoByTwoGridDomainsRunRowMajorFromTheTop()
    {
        var cells = Enumerable.Range(0, 4).Select(i => Chart.Line(new[] { 0.0, i })).ToArray();
        var layout = Figure(Chart.Grid(2, 2, cells))["layout"]!;
        var y1 = Numbers(layout["yaxis"]!["domain"]);
        var y3 = Numbers(layout["yaxis3"]!["domain"]);
        Assert.Equal(1, y1[1]);
        Assert.Equal(0, y3[0]);
        Assert.Equal(Numbers(layout["xaxis"]!["domain"]), Numbers(layout["xaxis3"]!["domain"]));
    }

    [Fact]
    public void LogAxisAndFixedRangeUsePlotlyUnits()
    {
        var layout = Figure(Chart.Line(new[] { 1.0, 2 }, new[] { 1.0, 100 }).WithLogY().WithYRange(1, 1000).WithSize(500, 300))["layout"]!;
        Assert.Equal("log", (string)layout["yaxis"]!["type"]!);
        Assert.Equal(new double?[] { 0, 3 }, Numbers(layout["yaxis"]!["range"]));   // log10 units
        Assert.Equal(500, (int)layout["width"]!);
        Assert.Equal(300, (int)layout["height"]!);
    }

    [Fact]
    public void ChartsAreImmutable()
    {
        var a = Chart.Line(new[] { 1.0, 2 });
        var b = a.WithTitle("t").Add(Chart.Line(new[] { 3.0, 4 }));
        Assert.Null(JsonNode.Parse(a.ToJson())!["layout"]!["title"]);
        Assert.Single(JsonNode.Parse(a.ToJson())!["data"]!.AsArray());
        Assert.Equal(2, JsonNode.Parse(b.ToJson())!["data"]!.AsArray().Count);
    }

    [Fact]
    public void BadInputsGetClearMessages()
    {
        var e = Assert.Throws<ArgumentException>(() => Chart.Line(new[] { 1, 2, 3 }, new[] { 1.0, 2 }));
        Assert.Contains("x has 3 values, y has 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => Chart.Bar(["a"], new[] { 1.0, 2 }));
        Assert.Contains("1 categories and 2 values", e.Message);
        e = Assert.Throws<ArgumentException>(() => Chart.Heatmap(new double[1, 1], colorScale: "Rainbow"));
        Assert.Contains("Viridis", e.Message);
        e = Assert.Throws<ArgumentException>(() => Chart.Grid(1, 1, Chart.Line(new[] { 1.0 }), Chart.Line(new[] { 2.0 })));
        Assert.Contains("don't fit a 1×1 grid", e.Message);
        var grid = Chart.Grid(1, 2, Chart.Line(new[] { 1.0 }), Chart.Line(new[] { 2.0 }));
        Assert.Throws<InvalidOperationException>(() => grid.Add(Chart.Line(new[] { 3.0 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => Smoothing.Ema(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Chart.Histogram(new[] { 1.0 }, bins: 0));
    }

    [Fact]
    public void MimeBundleHasHtmlSvgPlotlyJsonAndText()
    {
        var chart = Chart.Line(new[] { 1.0, 2 }, "loss").WithTitle("T");
        var bundle = chart.ToMimeBundle();
        Assert.Equal(new[] { "application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain" }, bundle.Keys.Order());
        var html = bundle["text/html"];
        Assert.Contains("<script src=\"https://cdn.plot.ly/plotly-2.35.2.min.js\"></script>", html);
        var id = System.Text.RegularExpressions.Regex.Match(html, "<div id=\"(r1-chart-[0-9a-f]+)\"").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains($"Plotly.newPlot(\"{id}\", fig.data, fig.layout, fig.config)", html);
        Assert.Contains("<svg", html);   // the static fallback sits inside the div until plotly.js replaces it
        Assert.NotNull(JsonNode.Parse(bundle["application/vnd.plotly.v1+json"])!["data"]);
        Assert.Equal("Chart \"T\": line \"loss\" (2 points)", bundle["text/plain"]);
        Assert.NotEqual(id, System.Text.RegularExpressions.Regex.Match(chart.ToHtml(), "<div id=\"(r1-chart-[0-9a-f]+)\"").Groups[1].Value);
    }

    [Fact]
    public void TitlesAreEscapedInsideScriptAndHtml()
    {
        var html = Chart.Line(new[] { 1.0 }).WithTitle("</script><b>x & y</b>").ToHtml();
        Assert.DoesNotContain("</script><b>", html);
        Assert.Contains("&lt;/script&gt;&lt;b&gt;x &amp; y&lt;/b&gt;", html);   // in the SVG text
    }

    [Fact]
    public void SaveHtmlAndSvgWriteCompleteFilesAtomically()
    {
        var dir = Directory.CreateTempSubdirectory("r1-chart-").FullName;
        try
        {
            var chart = Chart.Bar(["a", "b"], new[] { 1, 2 }).WithTitle("saved");
            chart.SaveHtml(Path.Combine(dir, "c.html"), "plotly.min.js");
            chart.SaveSvg(Path.Combine(dir, "sub", "c.svg"));
            var page = File.ReadAllText(Path.Combine(dir, "c.html"));
            Assert.StartsWith("<!DOCTYPE html>", page);
            Assert.Contains("<script src=\"plotly.min.js\"></script>", page);
            Assert.DoesNotContain("cdn.plot.ly", page);
            System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(dir, "sub", "c.svg")));
            Assert.Equal(new[] { "c.html", "sub" }, Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
            Assert.Equal(new[] { "c.svg" }, Directory.GetFiles(Path.Combine(dir, "sub")).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
