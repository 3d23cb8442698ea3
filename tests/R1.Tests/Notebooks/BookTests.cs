using System.Diagnostics;
using R1.Cli.Book;
using R1.Cli.Notebooks;

namespace R1.Tests.Notebooks;

[Collection(NotebookCollection.Name)]
public sealed class BookTests : IDisposable
{
    readonly TempNotebooks temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A hand-written plotly figure, shown as charts show themselves: a div, the CDN script, newPlot.</summary>
    const string ChartCell = """
        record Figure(string Json) : IDisplayable
        {
            public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
            {
                ["text/html"] = "<div id=\"chart-1\" style=\"width:600px;height:400px\"></div>\n" +
                    "<script src=\"https://cdn.plot.ly/plotly-2.35.2.min.js\" charset=\"utf-8\"></script>\n" +
                    $"<script>Plotly.newPlot('chart-1', {Json});</script>",
                ["image/svg+xml"] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
            };
        }
        display(new Figure(quick
            ? "{\"data\":[{\"type\":\"scatter\",\"mode\":\"lines\",\"x\":[1,2,3],\"y\":[3,1,2]}],\"layout\":{\"title\":{\"text\":\"loss\"}}}"
            : "{}"));
        """;

    string WriteBook(string folder)
    {
        Directory.CreateDirectory(folder);
        var notebooks = new TempNotebooks();
        foreach (var (name, cells) in new[]
                 {
                     ("01-chart.ipynb", new[] { "#md # A chart\n\nSome $x_i^2$ math and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |", "#parameters\nvar quick = false;", ChartCell }),
                     ("02-fails.ipynb", new[] { "#md # Fails", "#parameters\nvar quick = false;", "throw new InvalidOperationException(\"expected failure\");" }),
                     ("03-no-quick.ipynb", new[] { "1" }),
                 })
            File.Move(notebooks.Write(name, cells), Path.Combine(folder, name));
        notebooks.Dispose();
        return folder;
    }

    [Fact]
    public async Task BookRunsEveryNotebookAndReportsFailures()
    {
        var notebooks = WriteBook(Path.Combine(temp.Folder, "notebooks"));
        var outFolder = Path.Combine(temp.Folder, "book");
        var result = await BookBuilder.BuildAsync(new BookOptions
        {
            NotebooksFolder = notebooks, OutFolder = outFolder, Quick = true, WebFolder = Path.Combine(Repository.Root, "tools", "web"),
        });

        Assert.Null(result.PlotlyProblem);
        Assert.False(result.Succeeded);
        Assert.Equal(["01-chart.ipynb", "02-fails.ipynb", "03-no-quick.ipynb"], result.Entries.Select(e => e.File));
        Assert.Equal([true, false, false], result.Entries.Select(e => e.Succeeded));
        Assert.Equal("A chart", result.Entries[0].Title);
        Assert.Equal("cell 4: InvalidOperationException: expected failure", result.Entries[1].Error);   // counted in the executed notebook, injected cell included
        Assert.Contains("-p quick given, but no code cell is tagged 'parameters'", result.Entries[2].Error);   // every notebook declares quick

        var page = File.ReadAllText(Path.Combine(outFolder, "01-chart.html"));
        Assert.False(PlotlyAsset.UsesCdn(page));   // the source cell still shows the URL, escaped
        Assert.Contains("<script src=\"plotly.min.js\"></script>", page);
        Assert.Contains("<table>", page);
        Assert.Contains("x_i^2", page);   // math kept as text, not turned into emphasis
        Assert.True(File.Exists(Path.Combine(outFolder, "plotly.min.js")));
        Assert.True(File.Exists(Path.Combine(outFolder, "01-chart.ipynb")));
        Assert.Contains("expected failure", File.ReadAllText(Path.Combine(outFolder, "02-fails.html")));

        var index = File.ReadAllText(result.IndexPath);
        Assert.Contains("<a href=\"01-chart.html\">A chart</a>", index);
        Assert.Contains("status-failed", index);
        Assert.Contains("3 notebooks, 2 failed", index);
    }

    [ChromiumFact]
    public async Task ChartIsDrawnInHeadlessChromium()
    {
        var notebooks = WriteBook(Path.Combine(temp.Folder, "notebooks"));
        var outFolder = Path.Combine(temp.Folder, "book");
        var result = await BookBuilder.BuildAsync(new BookOptions
        {
            NotebooksFolder = notebooks, OutFolder = outFolder, Quick = true, Only = "01-*",
            WebFolder = Path.Combine(Repository.Root, "tools", "web"),
        });
        Assert.True(result.Succeeded);

        var page = Path.Combine(outFolder, "01-chart.html");
        var dom = DumpDom(page, Path.Combine(temp.Folder, "chromium-profile"));
        Assert.Contains("class=\"main-svg\"", dom);   // plotly.js ran offline and drew the figure
        Assert.Contains(">loss<", dom);                // with its title
    }

    static string DumpDom(string page, string profile)
    {
        var args = $"--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking " +
                   $"--disable-component-update --disable-sync --user-data-dir={profile} --virtual-time-budget=5000 " +
                   $"--dump-dom file://{page}";
        var start = new ProcessStartInfo(ChromiumFactAttribute.Chromium, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000)) process.Kill(entireProcessTree: true);
        Assert.True(dom.Length > 0, $"chromium printed no DOM: {stderr.Result}");
        return dom;
    }

    [Fact]
    public void CdnScriptsAreStripped()
    {
        var html = "<div></div><script src=\"https://cdn.plot.ly/plotly-2.35.2.min.js\" charset=\"utf-8\"></script><script>Plotly.newPlot()</script>";
        Assert.True(PlotlyAsset.StripCdnScripts(ref html));
        Assert.Equal("<div></div><script>Plotly.newPlot()</script>", html);
        Assert.False(PlotlyAsset.StripCdnScripts(ref html));
    }

    [Fact]
    public void MarkdownKeepsMathAsText()
    {
        Assert.Equal("<p>loss <span class=\"math\">a*b*c</span> here</p>\n", HtmlPage.MarkdownToHtml("loss $a*b*c$ here"));
    }

    [Fact]
    public void CodeIsHighlightedAndEscaped()
    {
        Assert.Equal("<span class=\"k\">var</span> s = <span class=\"s\">&quot;&lt;b&gt;&quot;</span>; <span class=\"c\">// 1</span>",
            CodeHighlighter.ToHtml("var s = \"<b>\"; // 1"));
    }
}
