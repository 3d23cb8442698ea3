using System.Net;
using System.Text;

namespace R1.Tables;

public sealed partial class Table
{
    const int PageSize = 20;       // rows per page in HTML, rows shown in text
    const int PagerLimit = 500;    // up to this many rows the HTML carries them all with a pager
    const int EdgeRows = 10;       // beyond it: the first and last rows only
    const int MaxCellText = 60;
    static long displayCounter;

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        ["text/html"] = ToHtml(),
        ["text/plain"] = ToString(),
    };

    /// <summary>
    /// A styled HTML table. Up to 20 rows show whole; up to 500 rows come with a small pager (without JavaScript
    /// the first page shows, with a note of how many rows follow); longer tables show their first and last 10 rows.
    /// </summary>
    public string ToHtml()
    {
        var id = "r1-table-" + Interlocked.Increment(ref displayCounter);
        var rows = Rows <= PagerLimit ? Enumerable.Range(0, Rows).ToArray() : [.. Enumerable.Range(0, EdgeRows), -1, .. Enumerable.Range(Rows - EdgeRows, EdgeRows)];
        var html = new StringBuilder();
        html.Append($"<div id=\"{id}\" class=\"r1-table\" style=\"margin:4px 0 12px\">\n<style>")
            .Append($"#{id} table{{border-collapse:collapse;font:12px/1.5 -apple-system,'Segoe UI',Roboto,sans-serif;color:#2a3f5f}}")
            .Append($"#{id} th,#{id} td{{padding:3px 10px;border-bottom:1px solid #EBF0F8;white-space:nowrap}}")
            .Append($"#{id} th{{background:#f5f7fb;text-align:left;border-bottom:2px solid #C8D4E3}}")
            .Append($"#{id} th small{{display:block;font-weight:normal;color:#8a99b0}}#{id} th.num{{text-align:right}}")
            .Append($"#{id} td.num{{text-align:right;font-variant-numeric:tabular-nums}}")
            .Append($"#{id} td.idx{{color:#8a99b0;text-align:right}}#{id} td.na{{color:#b0b8c8}}")
            .Append($"#{id} tbody tr:nth-child(even){{background:#fafbfd}}")
            .Append($"#{id} .pager{{font:12px sans-serif;color:#506784;margin:4px 2px}}#{id} .pager button{{margin:0 4px}}")
            .Append("</style>\n<table>\n<thead><tr><th></th>");
        foreach (var c in columns)
            html.Append(c.IsNumeric ? "<th class=\"num\">" : "<th>").Append($"{Encode(c.Name)}<small>{c.TypeName}</small></th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in rows)
        {
            if (r < 0) { html.Append($"<tr><td class=\"idx\">…</td><td colspan=\"{columns.Count}\">{Rows - 2 * EdgeRows} more rows</td></tr>\n"); continue; }
            html.Append(r >= PageSize && Rows <= PagerLimit ? "<tr hidden>" : "<tr>").Append($"<td class=\"idx\">{r}</td>");
            foreach (var c in columns)
            {
                var text = Encode(Truncate(c.Display(r)));
                var cls = c.GetValue(r) is double d && double.IsNaN(d) ? "num na" : c.IsNumeric ? "num" : "";
                html.Append(cls.Length > 0 ? $"<td class=\"{cls}\">{text}</td>" : $"<td>{text}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        html.Append($"<div class=\"pager\">{Rows} rows × {columns.Count} columns");
        if (Rows > PageSize && Rows <= PagerLimit)
        {
            html.Append($"<span class=\"note\"> · showing rows 0–{PageSize - 1}</span></div>\n");
            // The pager: without JavaScript the first page and the note above stay.
            html.Append($$"""
                <script>(function () {
                  var root = document.getElementById("{{id}}"), rows = root.querySelectorAll("tbody tr"), size = {{PageSize}}, page = 0;
                  var pages = Math.ceil(rows.length / size), bar = root.querySelector(".pager"), note = bar.querySelector(".note");
                  var prev = document.createElement("button"), next = document.createElement("button");
                  prev.textContent = "‹ prev"; next.textContent = "next ›";
                  function show() {
                    rows.forEach(function (tr, i) { tr.hidden = Math.floor(i / size) !== page; });
                    note.textContent = " · page " + (page + 1) + " of " + pages;
                    prev.disabled = page === 0; next.disabled = page === pages - 1;
                  }
                  prev.onclick = function () { page--; show(); }; next.onclick = function () { page++; show(); };
                  bar.appendChild(prev); bar.appendChild(next); show();
                })();</script>
                """).Append('\n');
        }
        else html.Append(Rows > PagerLimit ? $" · showing the first and last {EdgeRows}</div>\n" : "</div>\n");
        html.Append("</div>\n");
        return html.ToString();
    }

    /// <summary>Aligned text: up to 20 rows whole, else the first 10 and last 5; a footer with the size.</summary>
    public override string ToString()
    {
        var rows = Rows <= PageSize ? Enumerable.Range(0, Rows).ToArray() : [.. Enumerable.Range(0, 10), -1, .. Enumerable.Range(Rows - 5, 5)];
        var header = new[] { "" }.Concat(columns.Select(c => c.Name)).ToArray();
        var cells = rows.Select(r => r < 0
            ? header.Select(_ => "…").ToArray()
            : new[] { r.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(columns.Select(c => Truncate(c.Display(r)))).ToArray()).ToList();
        var widths = header.Select((h, i) => cells.Select(row => row[i].Length).Append(h.Length).Max()).ToArray();
        bool[] right = [true, .. columns.Select(c => c.IsNumeric)];
        var text = new StringBuilder();
        void Line(string[] row) =>
            text.AppendLine(string.Join("  ", row.Select((s, i) => right[i] ? s.PadLeft(widths[i]) : s.PadRight(widths[i]))).TrimEnd());
        Line(header);
        foreach (var row in cells) Line(row);
        text.Append($"[{Rows} rows × {columns.Count} columns]");
        return text.ToString();
    }

    static string Truncate(string s) => s.Length <= MaxCellText ? s.Replace('\n', '↵') : s[..(MaxCellText - 1)].Replace('\n', '↵') + "…";
    static string Encode(string s) => WebUtility.HtmlEncode(s);
}
