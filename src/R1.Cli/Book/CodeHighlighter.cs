using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace R1.Cli.Book;

/// <summary>Just enough C# highlighting for reading: comments, strings, numbers, keywords, preprocessor lines.</summary>
public static partial class CodeHighlighter
{
    public static string ToHtml(string code)
    {
        var html = new StringBuilder();
        int at = 0;
        foreach (Match m in Token().Matches(code))
        {
            html.Append(WebUtility.HtmlEncode(code[at..m.Index]));
            var kind = m.Groups["comment"].Success ? "c" : m.Groups["string"].Success ? "s" : m.Groups["number"].Success ? "n"
                : m.Groups["directive"].Success ? "d" : "k";
            html.Append($"<span class=\"{kind}\">{WebUtility.HtmlEncode(m.Value)}</span>");
            at = m.Index + m.Length;
        }
        html.Append(WebUtility.HtmlEncode(code[at..]));
        return html.ToString();
    }

    [GeneratedRegex("""
        (?<comment>//[^\n]*|/\*[\s\S]*?\*/)
        |(?<string>@"(?:[^"]|"")*"|\$?"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)')
        |(?<directive>^[ \t]*\#[a-z!]+[^\n]*)
        |(?<number>\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?[fFdDmMlLuU]?\b)
        |(?<keyword>\b(?:using|static|var|new|return|if|else|for|foreach|in|while|do|break|continue|class|record|struct|
           interface|public|private|internal|protected|readonly|const|void|int|long|float|double|bool|string|char|byte|
           object|true|false|null|this|base|async|await|switch|case|default|throw|try|catch|finally|is|as|out|ref|
           params|typeof|sizeof|lock|yield|namespace|enum|sealed|abstract|override|virtual|get|set|init|when|with|and|or|not)\b)
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.Multiline)]
    private static partial Regex Token();
}
