using System.Text.RegularExpressions;

namespace R1.Cli.Notebooks;

/// <summary>
/// Polyglot's kernel names and magic lines. A line <c>#!csharp</c> or <c>#!markdown</c> starts a section in that
/// language (inside a cell, and between cells in a .dib file). This runner executes C# and passes markdown
/// through; the other Polyglot kernels are recognised only to say clearly that they aren't supported.
/// </summary>
public static partial class Languages
{
    public const string CSharp = "csharp", Markdown = "markdown";

    static readonly string[] CSharpNames = ["csharp", "c#", "cs", ".net-csharp"];
    static readonly string[] MarkdownNames = ["markdown", "md"];
    static readonly string[] ForeignNames =
        ["fsharp", "f#", "fs", "pwsh", "powershell", "javascript", "js", "html", "sql", "kql", "mermaid", "python",
         "python3", "r", "http", "value", "vscode", "webview", "java", "go", "typescript"];

    /// <summary>The canonical name ("csharp", "markdown") for a kernel name or alias, else null.</summary>
    public static string? Canonical(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (CSharpNames.Contains(n)) return CSharp;
        if (MarkdownNames.Contains(n)) return Markdown;
        return null;
    }

    /// <summary>True for a name Polyglot knows as a kernel (supported here or not).</summary>
    public static bool IsKernelName(string name) =>
        Canonical(name) is not null || ForeignNames.Contains(name.Trim().ToLowerInvariant());

    public static string Unsupported(string name) =>
        $"language '{name}' isn't supported: this runner executes C# (kernel 'csharp') and passes markdown through";

    /// <summary>The kernel named by a magic line such as <c>#!csharp</c>, or null when the line is no kernel magic.</summary>
    public static string? MagicKernel(string line)
    {
        var m = MagicLine().Match(line);
        return m.Success && IsKernelName(m.Groups[1].Value) ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^#!([A-Za-z0-9#.\-]+)\s*$")]
    private static partial Regex MagicLine();

    /// <summary>
    /// Splits a cell's source at kernel magic lines (dropped). Each section knows its first line in the cell,
    /// so compiler messages can count lines from the top of the cell.
    /// </summary>
    public static List<Section> Sections(string source, string defaultLanguage)
    {
        var lines = source.Split('\n');
        var sections = new List<Section>();
        var language = defaultLanguage;
        int first = 0;
        for (int i = 0; i <= lines.Length; i++)
        {
            var magic = i < lines.Length ? MagicKernel(lines[i].TrimEnd('\r')) : null;
            if (magic is null && i < lines.Length) continue;
            var body = string.Join('\n', lines[first..i]);
            if (body.Trim().Length > 0) sections.Add(new Section(language, body, first));
            if (magic is null) break;
            language = Canonical(magic) ?? magic;
            first = i + 1;
        }
        return sections;
    }

    /// <summary>A run of one language inside a cell; <see cref="FirstLine"/> is its 0-based line in the cell.</summary>
    public sealed record Section(string Language, string Text, int FirstLine);
}
