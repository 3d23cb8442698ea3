using R1.Tables;

namespace R1.Tests.Tables;

public class TableTests
{
    static Table Read(string csv) => Table.ReadCsv(new StringReader(csv));

    static Table Metrics() => new Table()
        .AddColumn("step", new long[] { 1, 2, 3, 4, 5, 6 })
        .AddColumn("task", new[] { "add", "mul", "add", "add", "mul", "sub" })
        .AddColumn("reward", new[] { 0.5, 1.0, double.NaN, 0.25, 0.0, 0.75 });

    [Fact]
    public void InfersLongDoubleAndStringColumns()
    {
        var t = Read("step,reward,kl,name,flag\n1,0.5,,a,1\n2,1e-3,nan,b,x\n-3,2,inf,c,2\n");
        Assert.Equal(3, t.Rows);
        Assert.Equal(new[] { "long", "double", "double", "string", "string" }, t.Columns.Select(c => c.TypeName));
        Assert.Equal(new long[] { 1, 2, -3 }, t.Column<long>("step"));
        Assert.Equal(new[] { 0.5, 0.001, 2 }, t.Column<double>("reward"));
        var kl = t.Column<double>("kl");
        Assert.True(double.IsNaN(kl[0]) && double.IsNaN(kl[1]) && double.IsPositiveInfinity(kl[2]));
        Assert.Equal(new[] { "1", "x", "2" }, t.Column<string>("flag"));
    }

    [Fact]
    public void ParsesQuotedFieldsPerRfc4180()
    {
        var t = Read("id,text,n\r\n1,\"a, b\",3\r\n2,\"say \"\"hi\"\"\",4\r\n\r\n3,\"two\nlines\",5\r\n4,\"\",6");
        Assert.Equal(4, t.Rows);
        Assert.Equal(new[] { "a, b", "say \"hi\"", "two\nlines", "" }, t.Column<string>("text"));
        Assert.Equal(new long[] { 3, 4, 5, 6 }, t.Column<long>("n"));
    }

    [Fact]
    public void CsvRoundTripKeepsValuesAndTypes()
    {
        var t = new Table()
            .AddColumn("step", new long[] { 1, 2, 3, 4 })
            .AddColumn("loss", new[] { 3.0, double.NaN, 0.1 + 0.2, -1e-20 })
            .AddColumn("text", new[] { "plain", "comma, inside", "quote \" and\nnewline", "" })
            .AddColumn("pad", new[] { " lead", "trail ", "x", "y" });
        var path = Path.Combine(Path.GetTempPath(), $"r1-table-{Guid.NewGuid():N}.csv");
        try
        {
            t.SaveCsv(path);
            var back = Table.LoadCsv(path);
            Assert.Equal(t.ColumnNames, back.ColumnNames);
            Assert.Equal(t.Columns.Select(c => c.TypeName), back.Columns.Select(c => c.TypeName));   // 3.0 stays a double
            Assert.Equal(t.Column<long>("step"), back.Column<long>("step"));
            Assert.Equal(t.Column<double>("loss").ToArray(), back.Column<double>("loss").ToArray());   // exact, NaN included
            Assert.Equal(t.Column<string>("text"), back.Column<string>("text"));
            Assert.Equal(t.Column<string>("pad"), back.Column<string>("pad"));
            var lines = File.ReadAllText(path).Split('\n');
            Assert.Equal("step,loss,text,pad", lines[0]);
            Assert.Equal("1,3.0,plain,\" lead\"", lines[1]);
            Assert.Equal("2,,\"comma, inside\",\"trail \"", lines[2]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RaggedRowNamesItsLineAndTheExpectedCount()
    {
        // The quoted line break makes record 2 span lines 3-4, so the bad record starts on line 5.
        var e = Assert.Throws<FormatException>(() => Read("a,b,c\n1,2,3\n4,\"x\ny\",6\n7,8\n"));
        Assert.Contains("line 5", e.Message);
        Assert.Contains("expected 3 fields (a,b,c) but found 2", e.Message);
    }

    [Fact]
    public void MalformedCsvIsRejectedClearly()
    {
        Assert.Contains("never closed", Assert.Throws<FormatException>(() => Read("a,b\n1,\"open\n")).Message);
        Assert.Contains("twice", Assert.Throws<FormatException>(() => Read("a,a\n1,2\n")).Message);
        Assert.Contains("empty", Assert.Throws<FormatException>(() => Read("")).Message);
        Assert.Contains("line 2", Assert.Throws<FormatException>(() => Read("a\n\"x\"y\n")).Message);
        Assert.Throws<FileNotFoundException>(() => Table.LoadCsv("/nonexistent/metrics.csv"));
    }

    [Fact]
    public void UnknownColumnListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics().Column<double>("rewrd"));
        Assert.Contains("No column 'rewrd'; the table has: step, task, reward.", e.Message);
    }

    [Fact]
    public void TypeMismatchSaysWhatTheColumnHolds()
    {
        var t = Metrics();
        var e = Assert.Throws<InvalidOperationException>(() => t.Column<string>("reward"));
        Assert.Contains("Column 'reward' holds double values, not string.", e.Message);
        Assert.Equal(new[] { 1.0, 2, 3, 4, 5, 6 }, t.Column<double>("step"));   // long widens to double
        Assert.Contains("6 values but the table has 2 rows",
            Assert.Throws<ArgumentException>(() => new Table().AddColumn("a", new[] { 1, 2 }).AddColumn("b", new double[6])).Message);
        Assert.Contains("already has a column 'step'", Assert.Throws<ArgumentException>(() => t.AddColumn("step", new long[6])).Message);
        Assert.Throws<ArgumentException>(() => t.AddColumn("flags", new bool[6]));
    }

    [Fact]
    public void SelectFilterHeadTail()
    {
        var t = Metrics();
        Assert.Equal(new[] { "reward", "step" }, t.Select("reward", "step").ColumnNames);
        var good = t.Filter(r => r.Get<double>("reward") >= 0.5 && (string)r["task"]! != "sub");
        Assert.Equal(new long[] { 1, 2 }, good.Column<long>("step"));
        Assert.Equal(new long[] { 2, 4, 6 }, t.Filter(r => r.Get<double>("step") % 2 == 0).Column<long>("step"));
        Assert.Equal(new long[] { 1, 2 }, t.Head(2).Column<long>("step"));
        Assert.Equal(new long[] { 5, 6 }, t.Tail(2).Column<long>("step"));
        Assert.Equal(6, t.Head(100).Rows);
        Assert.Throws<InvalidOperationException>(() => t.Filter(r => r.Get<long>("task") > 0));
    }

    [Fact]
    public void GroupByAggregatesByHand()
    {
        var g = Metrics().GroupBy("task").Agg(("reward", "mean"), ("reward", "count"), ("step", "sum"),
            ("reward", "max"), ("reward", "last"), ("step", "min"), ("reward", "std"));
        // add: steps 1,3,4 rewards 0.5,NaN,0.25 · mul: steps 2,5 rewards 1,0 · sub: step 6 reward 0.75
        Assert.Equal(new[] { "add", "mul", "sub" }, g.Column<string>("task"));
        Assert.Equal(new[] { 0.375, 0.5, 0.75 }, g.Column<double>("reward_mean"));
        Assert.Equal(new long[] { 2, 2, 1 }, g.Column<long>("reward_count"));
        Assert.Equal(new long[] { 8, 7, 6 }, g.Column<long>("step_sum"));
        Assert.Equal(new[] { 0.5, 1, 0.75 }, g.Column<double>("reward_max"));
        Assert.Equal(new[] { 0.25, 0, 0.75 }, g.Column<double>("reward_last"));   // last non-missing
        Assert.Equal(new long[] { 1, 2, 6 }, g.Column<long>("step_min"));
        var std = g.Column<double>("reward_std");
        Assert.Equal(Math.Sqrt(0.03125), std[0], 12);   // (0.125² · 2) / 1
        Assert.Equal(Math.Sqrt(0.5), std[1], 12);
        Assert.True(double.IsNaN(std[2]));
        Assert.Contains("Unknown aggregation 'median'", Assert.Throws<ArgumentException>(() => Metrics().GroupBy("task").Agg(("reward", "median"))).Message);
        Assert.Contains("holds strings", Assert.Throws<InvalidOperationException>(() => Metrics().GroupBy("step").Agg(("task", "mean"))).Message);
    }

    [Fact]
    public void RollingMeanByHand()
    {
        // window 3 over 0.5, 1, NaN, 0.25, 0, 0.75: [0.5] [0.5,1] [0.5,1,NaN] [1,NaN,0.25] [NaN,0.25,0] [0.25,0,0.75]
        var r = Metrics().RollingMean("reward", 3);
        Assert.Equal(new[] { 0.5, 0.75, 0.75, 0.625, 0.125 }, r[..5]);
        Assert.Equal(1.0 / 3, r[5], 15);
        Assert.Equal(new[] { 1.0, 1.5, 2.5, 3.5, 4.5, 5.5 }, Metrics().RollingMean("step", 2));
        Assert.Throws<InvalidOperationException>(() => Metrics().RollingMean("task", 2));
    }

    [Fact]
    public void DescribeByHand()
    {
        var d = Metrics().Describe();
        Assert.Equal(new[] { "stat", "step", "reward" }, d.ColumnNames);
        var r = d.Column<double>("reward");
        Assert.Equal(5, r[0]);        // count of non-missing
        Assert.Equal(0.5, r[1], 12);  // mean of 0.5, 1, 0.25, 0, 0.75
        Assert.Equal(Math.Sqrt(0.625 / 4), r[2], 12);
        Assert.Equal(0, r[3]);
        Assert.Equal(1, r[4]);
    }

    [Fact]
    public void TextDisplayIsAligned()
    {
        var text = Metrics().Head(3).ToString();
        var lines = text.Split('\n');
        Assert.Equal("   step  task  reward", lines[0].TrimEnd());
        Assert.Equal("0     1  add      0.5", lines[1]);
        Assert.Equal("2     3  add      NaN", lines[3]);
        Assert.Equal("[3 rows × 3 columns]", lines[^1]);
        var longText = new Table().AddColumn("i", Enumerable.Range(0, 100)).ToString().Split('\n');
        Assert.Equal(1 + 10 + 1 + 5 + 1, longText.Length);
        Assert.Equal("99  99", longText[^2]);
    }

    [Fact]
    public void HtmlPagesLongTables()
    {
        var small = Metrics().ToHtml();
        Assert.DoesNotContain("<tr hidden>", small);
        Assert.DoesNotContain("<script", small);
        Assert.Contains("<td class=\"num na\">NaN</td>", small);

        var paged = new Table().AddColumn("i", Enumerable.Range(0, 50)).ToHtml();
        Assert.Equal(50, CountOf(paged, "<td class=\"idx\">"));
        Assert.Equal(30, CountOf(paged, "<tr hidden>"));   // the first page of 20 shows without JavaScript
        Assert.Contains("<script>", paged);
        Assert.Contains("50 rows × 1 columns", paged);

        var huge = new Table().AddColumn("i", Enumerable.Range(0, 1000)).ToHtml();
        Assert.Contains("980 more rows", huge);
        Assert.Equal(21, CountOf(huge, "<td class=\"idx\">"));
        Assert.Contains("&lt;b&gt;", new Table().AddColumn("s", new[] { "<b>" }).ToHtml());
        Assert.Equal(new[] { "text/html", "text/plain" }, Metrics().ToMimeBundle().Keys.Order());
    }

    static int CountOf(string s, string part) => (s.Length - s.Replace(part, "").Length) / part.Length;
}
