using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;
using R1.Cli.Notebooks;

namespace R1.Cli.Book;

/// <summary>
/// One executed notebook as a standalone HTML page: markdown through Markdig (pipe tables; math kept as its
/// text), code lightly highlighted, outputs as a notebook viewer shows them — HTML inserted, SVG inline, streams
/// and plain text in &lt;pre&gt;, errors in red. Chart scripts follow <see cref="PlotlyAsset"/>'s rewrite rule.
/// </summary>
public static partial class HtmlPage
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseMathematics()   // keeps $...$ away from emphasis parsing; shown as text (no math renderer offline)
        .UseAutoLinks()
        .Build();

    /// <summary>Navigation links around a page (all optional).</summary>
    public sealed record Links(string? Index = null, string? Previous = null, string? Next = null, string? Notebook = null);

    public static string Render(Notebook notebook, string title, Links links, bool localPlotly)
    {
        var body = new StringBuilder();
        bool needsPlotly = false;
        foreach (var cell in notebook.Cells)
        {
            if (cell.Language == Languages.Markdown) body.Append($"<section class=\"md\">{MarkdownToHtml(cell.Source)}</section>\n");
            else if (cell.IsCode) body.Append(CodeCell(cell, localPlotly, ref needsPlotly));
            else body.Append($"<pre class=\"raw\">{Encode(cell.Source)}</pre>\n");
        }
        var head = needsPlotly ? $"<script src=\"{PlotlyAsset.FileName}\"></script>\n" : "";
        return Document(title, head, Navigation(links) + "<main>\n" + body + "</main>\n" + Navigation(links));
    }

    public static string Document(string title, string head, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Encode(title)}</title>
        <style>{Css}</style>
        {head}</head>
        <body>
        {body}
        </body>
        </html>

        """;

    public static string MarkdownToHtml(string markdown)
    {
        var html = Markdig.Markdown.ToHtml(markdown, Markdown);
        // Markdig wraps math in \( \) and \[ \] for a client-side renderer; without one, show the bare text.
        return MathDelimiters().Replace(html, m => m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value);
    }

    static string CodeCell(Cell cell, bool localPlotly, ref bool needsPlotly)
    {
        var html = new StringBuilder();
        var tags = cell.Tags.Where(t => t is Parameters.Tag or Parameters.InjectedTag).ToList();
        var count = cell.Json["execution_count"] is JsonValue v ? v.ToString() : " ";
        var seconds = cell.Metadata["papermill"]?["duration"] is JsonValue d && d.TryGetValue(out double s) ? $"{s:0.00} s" : "";
        html.Append("<div class=\"cell\">\n<div class=\"in\">");
        html.Append($"<span class=\"prompt\">[{Encode(count)}]</span>");
        foreach (var tag in tags) html.Append($"<span class=\"tag\">{Encode(tag)}</span>");
        if (seconds.Length > 0) html.Append($"<span class=\"time\">{seconds}</span>");
        html.Append($"</div>\n<pre class=\"code\"><code>{CodeHighlighter.ToHtml(cell.Source.TrimEnd())}</code></pre>\n");
        foreach (var output in cell.Outputs.OfType<JsonObject>())
            html.Append(Output(output, localPlotly, ref needsPlotly));
        html.Append("</div>\n");
        return html.ToString();
    }

    static string Output(JsonObject output, bool localPlotly, ref bool needsPlotly)
    {
        switch ((string?)output["output_type"])
        {
            case "stream":
                var name = (string?)output["name"] == "stderr" ? "stderr" : "stdout";
                return $"<pre class=\"out {name}\">{Encode(Nbjson.JoinText(output["text"]))}</pre>\n";
            case "error":
                var traceback = output["traceback"] is JsonArray lines ? string.Join("\n", lines.Select(l => (string?)l)) : "";
                return $"<div class=\"out error\"><strong>{Encode((string?)output["ename"] ?? "")}</strong>: " +
                       $"{Encode((string?)output["evalue"] ?? "")}<pre>{Encode(traceback)}</pre></div>\n";
            case "display_data" or "execute_result" when output["data"] is JsonObject data:
                return $"<div class=\"out rich\">{RichData(data, localPlotly, ref needsPlotly)}</div>\n";
            default:
                return "";
        }
    }

    /// <summary>The richest representation a browser can show, as Jupyter picks it.</summary>
    static string RichData(JsonObject data, bool localPlotly, ref bool needsPlotly)
    {
        if (data["text/html"] is { } htmlNode)
        {
            var html = Nbjson.JoinText(htmlNode);
            if (localPlotly && PlotlyAsset.StripCdnScripts(ref html)) needsPlotly = true;
            return html;
        }
        if (data["image/svg+xml"] is { } svg) return Nbjson.JoinText(svg);
        if (data["image/png"] is { } png) return $"<img src=\"data:image/png;base64,{Nbjson.JoinText(png).Replace("\n", "")}\">";
        if (data["text/markdown"] is { } md) return MarkdownToHtml(Nbjson.JoinText(md));
        if (data["text/plain"] is { } text) return $"<pre>{Encode(Nbjson.JoinText(text))}</pre>";
        return "";
    }

    static string Navigation(Links links)
    {
        var parts = new List<string>();
        if (links.Index is not null) parts.Add($"<a href=\"{links.Index}\">Contents</a>");
        if (links.Previous is not null) parts.Add($"<a href=\"{links.Previous}\">← Previous</a>");
        if (links.Next is not null) parts.Add($"<a href=\"{links.Next}\">Next →</a>");
        if (links.Notebook is not null) parts.Add($"<a href=\"{links.Notebook}\">Executed notebook (.ipynb)</a>");
        return parts.Count == 0 ? "" : $"<nav>{string.Join(" · ", parts)}</nav>\n";
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex(@"(<(?:span|div) class=""math"">)\s*\\[\(\[]([\s\S]*?)\\[\)\]]\s*(</(?:span|div)>)")]
    private static partial Regex MathDelimiters();

    const string Css = """
        body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0; background: #fff; }
        main { max-width: 1000px; margin: 0 auto; padding: 0 1.5rem 3rem; }
        nav { max-width: 1000px; margin: 0 auto; padding: .8rem 1.5rem; font-size: .9rem; }
        a { color: #0969da; }
        h1, h2, h3 { line-height: 1.25; }
        table { border-collapse: collapse; margin: .8rem 0; }
        th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; }
        code, pre { font: 13.5px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        .math { font-family: "Times New Roman", serif; font-style: italic; }
        div.math { text-align: center; margin: .8rem 0; }
        .cell { margin: 1.2rem 0; }
        .in { font-size: .8rem; color: #57606a; margin-bottom: .2rem; }
        .prompt { font-family: ui-monospace, monospace; margin-right: .6rem; }
        .tag { background: #ddf4ff; color: #0550ae; border-radius: 1rem; padding: 0 .5rem; margin-right: .4rem; }
        .time { float: right; }
        pre.code { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .7rem .9rem; overflow-x: auto; margin: 0; }
        .c { color: #6e7781; font-style: italic; } .s { color: #0a3069; } .n { color: #0550ae; }
        .k { color: #cf222e; } .d { color: #8250df; }
        .out { margin: .4rem 0 0 0; overflow-x: auto; }
        pre.out, .out pre { background: #fff; border-left: 3px solid #d0d7de; padding: .3rem .8rem; margin: .4rem 0 0 0; white-space: pre-wrap; }
        pre.stderr { border-left-color: #bf8700; background: #fff8c5; }
        .error { border: 1px solid #ff8182; background: #ffebe9; color: #82071e; border-radius: 6px; padding: .5rem .8rem; }
        .error pre { background: transparent; border: 0; color: #82071e; }
        .r1-progress progress { width: 14rem; vertical-align: middle; }
        .r1-progress span { font-family: ui-monospace, monospace; font-size: .85rem; }
        table.toc td.status-ok { color: #1a7f37; font-weight: 600; }
        table.toc td.status-failed { color: #cf222e; font-weight: 600; }
        """;
}
