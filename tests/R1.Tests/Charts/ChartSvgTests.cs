using System.Xml.Linq;
using R1.Charts;

namespace R1.Tests.Charts;

public class ChartSvgTests
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static XDocument Parse(Chart c) => XDocument.Parse(c.ToSvg());   // throws unless well-formed

    static XElement[] ByClass(XDocument d, string cls) =>
        d.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cls) == true).ToArray();

    static string[] Texts(XDocument d, string cls) => ByClass(d, cls).Select(e => e.Value).ToArray();

    [Fact]
    public void LineOverZeroToTenHasNiceTicksTitlesAndOnePath()
    {
        var x = Enumerable.Range(0, 11).ToArray();
        var doc = Parse(Chart.Line(x, x.Select(v => (double)v), "y").WithTitle("Ten").WithXTitle("step").WithYTitle("value"));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var paths = doc.Descendants(Svg + "path").ToArray();
        Assert.Single(paths);
        Assert.Equal(11, paths[0].Attribute("d")!.Value.Count(ch => ch is 'M' or 'L'));
        Assert.Equal(new[] { "0", "2", "4", "6", "8", "10" }, Texts(doc, "xtick"));
        Assert.Equal(new[] { "0", "2", "4", "6", "8", "10" }, Texts(doc, "ytick"));
        Assert.Equal(new[] { "Ten" }, Texts(doc, "title"));
        Assert.Equal(new[] { "step" }, Texts(doc, "xtitle"));
        Assert.Equal(new[] { "value" }, Texts(doc, "ytitle"));
        Assert.Empty(ByClass(doc, "legend"));   // a single series has no legend
    }

    [Fact]
    public void LineBreaksAtNaN()
    {
        var doc = Parse(Chart.Line(new[] { 1.0, 2, double.NaN, 4, 5 }));
        var d = doc.Descendants(Svg + "path").Single().Attribute("d")!.Value;
        Assert.Equal(2, d.Count(ch => ch == 'M'));
        Assert.Equal(2, d.Count(ch => ch == 'L'));
    }

    [Fact]
    public void TickPixelsFollowTheData()
    {
        // Ticks at 0 and 10 sit at the ends of a line spanning exactly 0..10 (lines get no x padding).
        var doc = Parse(Chart.Line(new[] { 0.0, 10 }, new[] { 1.0, 2 }));
        var d = doc.Descendants(Svg + "path").Single().Attribute("d")!.Value;
        var ticks = ByClass(doc, "xtick");
        double X(XElement e) => double.Parse(e.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        var first = d[1..d.IndexOf(',')];
        Assert.Equal(X(ticks[0]), double.Parse(first, System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Equal("10", ticks[^1].Value);
    }

    [Fact]
    public void ScatterDrawsOneCirclePerFinitePoint()
    {
        var doc = Parse(Chart.Scatter(new[] { 1.0, 2, 3, 4 }, new[] { 1.0, double.NaN, 3, 4 }));
        Assert.Equal(3, ByClass(doc, "point").Length);
        Assert.Equal(3, doc.Descendants(Svg + "circle").Count());
    }

    [Fact]
    public void GroupedBarsDrawOneRectPerValueWithLegend()
    {
        string[] cats = ["a", "b", "c"];
        var doc = Parse(Chart.Bar(cats, new[] { 1.0, 2, 3 }, "x").Add(Chart.Bar(cats, new[] { 2.0, double.NaN, -1 }, "y")));
        var bars = ByClass(doc, "bar");
        Assert.Equal(5, bars.Length);
        Assert.Equal(new[] { "a", "b", "c" }, Texts(doc, "xtick"));
        Assert.Equal(new[] { "x", "y" }, Texts(doc, "legend-text"));
        Assert.Equal(new[] { "#636efa", "#EF553B" }, ByClass(doc, "legend-swatch").Select(e => e.Attribute("fill")!.Value));
        // Grouped: the two bars of category "a" sit side by side with equal widths.
        var w = bars.Select(b => b.Attribute("width")!.Value).Distinct();
        Assert.Single(w);
    }

    [Fact]
    public void HistogramDrawsOneRectPerNonEmptyBin()
    {
        // Width-2 bins from 0: [0,2) holds 0,1; [2,4) none; [4,6) holds 5; [8,10) holds 9.
        var doc = Parse(Chart.Histogram(new[] { 0, 1, 5, 9 }, bins: 5));
        Assert.Equal(3, ByClass(doc, "bar").Length);
    }

    [Fact]
    public void HeatmapDrawsOneCellPerFiniteValueAndAColourBar()
    {
        var z = new double[,] { { 0, 1, 2 }, { 3, double.NaN, 5 } };
        var doc = Parse(Chart.Heatmap(z, ["a", "b", "c"], ["r0", "r1"]));
        var cells = ByClass(doc, "cell");
        Assert.Equal(5, cells.Length);
        Assert.Equal("#440154", cells[0].Attribute("fill")!.Value);    // the minimum: Viridis' first stop
        Assert.Equal("#fde725", cells[^1].Attribute("fill")!.Value);   // the maximum: its last
        Assert.Single(ByClass(doc, "colorbar"));
        Assert.Equal(new[] { "r0", "r1" }, Texts(doc, "ytick"));
        // Row 0 is drawn at the bottom, as plotly does.
        double Y(XElement e) => double.Parse(e.Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Y(cells[0]) > Y(cells[^1]));
    }

    [Fact]
    public void SecondaryAxisGetsItsOwnTicksAndTitle()
    {
        var doc = Parse(Chart.Line(new[] { 0, 10 }, new[] { 0.0, 1 }, "reward")
            .WithSecondaryY(Chart.Line(new[] { 0, 10 }, new[] { 0.0, 100 }, "kl"), "KL"));
        Assert.Contains("100", Texts(doc, "y2tick"));
        Assert.Contains("1", Texts(doc, "ytick"));
        Assert.DoesNotContain("100", Texts(doc, "ytick"));
        Assert.Equal(new[] { "KL" }, Texts(doc, "y2title"));
        Assert.Equal(2, doc.Descendants(Svg + "path").Count());
    }

    [Fact]
    public void LogAxisTicksAtDecades()
    {
        var doc = Parse(Chart.Line(new[] { 0, 1, 2, 3 }, new[] { 1.0, 10, 100, 1000 }).WithLogY());
        Assert.Equal(new[] { "1", "10", "100", "1000" }, Texts(doc, "ytick"));
        var few = Parse(Chart.Line(new[] { 0, 1 }, new[] { 1.0, 10 }).WithLogY());
        Assert.Equal(new[] { "1", "2", "5", "10" }, Texts(few, "ytick"));
    }

    [Fact]
    public void GridDrawsEveryCellWithItsTitle()
    {
        var cells = new[] { "a", "b", "c" }.Select((t, i) => Chart.Line(new[] { 0.0, i + 1 }).WithTitle(t)).ToArray();
        var doc = Parse(Chart.Grid(2, 2, cells).WithTitle("all"));
        Assert.Equal(3, ByClass(doc, "panel").Length);
        Assert.Equal(new[] { "a", "b", "c" }, Texts(doc, "celltitle"));
        Assert.Equal(new[] { "all" }, Texts(doc, "title"));
        Assert.Equal(3, doc.Descendants(Svg + "path").Count());
        Assert.Equal(3, doc.Descendants(Svg + "clipPath").Count());
    }

    [Fact]
    public void SmoothedLineDrawsFaintRawUnderneath()
    {
        var doc = Parse(Chart.Line(new[] { 1.0, 3, 2, 4 }, "r", Smoothing.Ema(0.6)));
        var paths = doc.Descendants(Svg + "path").ToArray();
        Assert.Equal(2, paths.Length);
        Assert.Equal("0.3", paths[0].Attribute("stroke-opacity")!.Value);
        Assert.Null(paths[1].Attribute("stroke-opacity"));
    }

    [Fact]
    public void EmptyAndConstantDataStillRender()
    {
        Parse(Chart.Line(Array.Empty<double>()));
        var doc = Parse(Chart.Line(new[] { 5.0, 5, 5 }));
        Assert.NotEmpty(Texts(doc, "ytick"));
        Parse(Chart.Histogram(new[] { double.NaN }));
    }
}
