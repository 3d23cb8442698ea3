using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace R1.Cli.Notebooks;

/// <summary>
/// Papermill's convention in C#: the cell tagged <c>parameters</c> declares the defaults
/// (<c>var quick = false;</c>, <c>int steps = 200;</c>); the <c>-p name=value</c> overrides go into a new cell
/// tagged <c>injected-parameters</c> right after it, typed from each parameter's declaration.
/// </summary>
public static class Parameters
{
    public const string Tag = "parameters", InjectedTag = "injected-parameters";

    static readonly string[] Supported = ["bool", "int", "long", "double", "float", "string"];

    /// <summary>A parameter as declared: its name and C# type keyword ("var" is resolved from the literal).</summary>
    public sealed record Declaration(string Name, string Type);

    /// <summary>Parses "name=value" (the text after -p).</summary>
    public static KeyValuePair<string, string> ParseAssignment(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"-p expects name=value, got '{text}'");
        return KeyValuePair.Create(text[..eq].Trim(), text[(eq + 1)..]);
    }

    /// <summary>
    /// Removes an injected cell from an earlier run, then injects <paramref name="values"/> after the parameters
    /// cell. Unknown names and values that don't fit the declared type are errors naming the notebook.
    /// </summary>
    public static void Inject(Notebook notebook, IReadOnlyDictionary<string, string> values)
    {
        notebook.Cells.RemoveAll(c => c.Tags.Contains(InjectedTag));
        if (values.Count == 0) return;

        int index = notebook.Cells.FindIndex(c => c.IsCode && c.Tags.Contains(Tag));
        if (index < 0)
            throw NotebookException.InFile(notebook.Path,
                $"-p {string.Join(", ", values.Keys)} given, but no code cell is tagged '{Tag}' (metadata.tags) to declare parameters");
        var declared = Declarations(notebook.Cells[index].Source).ToDictionary(d => d.Name);
        var lines = new List<string> { "// Parameters injected by the runner (-p)" };
        foreach (var (name, value) in values)
        {
            if (!declared.TryGetValue(name, out var declaration))
                throw NotebookException.InCell(notebook.Path, index,
                    $"unknown parameter '{name}' (-p {name}=...); the parameters cell declares: " +
                    (declared.Count == 0 ? "(none)" : string.Join(", ", declared.Keys)));
            lines.Add($"{name} = {Literal(notebook.Path, declaration, value)};");
        }
        notebook.Cells.Insert(index + 1, Cell.Code(notebook.NewCellId(InjectedTag), string.Join("\n", lines), InjectedTag));
    }

    /// <summary>The variables a parameters cell declares at its top level.</summary>
    public static IEnumerable<Declaration> Declarations(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(kind: SourceCodeKind.Script));
        foreach (var member in tree.GetCompilationUnitRoot().Members)
        {
            var declaration = member switch
            {
                FieldDeclarationSyntax f => f.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } => l.Declaration,
                _ => null,
            };
            if (declaration is null) continue;
            foreach (var variable in declaration.Variables)
                yield return new Declaration(variable.Identifier.Text, TypeOf(declaration.Type, variable.Initializer?.Value));
        }
    }

    static string TypeOf(TypeSyntax type, ExpressionSyntax? initializer)
    {
        if (!type.IsVar) return type.ToString();
        var literal = initializer is PrefixUnaryExpressionSyntax { Operand: LiteralExpressionSyntax inner } ? inner : initializer as LiteralExpressionSyntax;
        return literal?.Token.Value switch
        {
            bool => "bool",
            int => "int",
            long => "long",
            double => "double",
            float => "float",
            string => "string",
            _ => "var",
        };
    }

    static string Literal(string path, Declaration declaration, string value)
    {
        var (name, type) = (declaration.Name, declaration.Type);
        var inv = CultureInfo.InvariantCulture;
        string? literal = type switch
        {
            "bool" => bool.TryParse(value, out var b) ? (b ? "true" : "false") : null,
            "int" => int.TryParse(value, NumberStyles.Integer, inv, out var i) ? i.ToString(inv) : null,
            "long" => long.TryParse(value, NumberStyles.Integer, inv, out var l) ? l.ToString(inv) + "L" : null,
            "double" => double.TryParse(value, NumberStyles.Float, inv, out var d) ? DoubleLiteral(d) : null,
            "float" => float.TryParse(value, NumberStyles.Float, inv, out var f) ? FloatLiteral(f) : null,
            "string" => SymbolDisplay.FormatLiteral(value, quote: true),
            _ => throw NotebookException.InFile(path,
                $"parameter '{name}' is declared as '{type}'; -p supports parameters declared as {string.Join(", ", Supported)} (or var with such a literal)"),
        };
        return literal ?? throw NotebookException.InFile(path, $"-p {name}={value}: '{value}' is not a valid {type}");
    }

    static string DoubleLiteral(double d) =>
        double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(d) ? "double.NegativeInfinity" : d.ToString("R", CultureInfo.InvariantCulture) + "d";

    static string FloatLiteral(float f) =>
        float.IsNaN(f) ? "float.NaN" : float.IsPositiveInfinity(f) ? "float.PositiveInfinity"
        : float.IsNegativeInfinity(f) ? "float.NegativeInfinity" : f.ToString("R", CultureInfo.InvariantCulture) + "f";
}
