using System.Collections;
using System.Globalization;
using System.Text;
using R1.Display;

namespace R1.Cli.Notebooks;

/// <summary>
/// Turns a value into a MIME bundle: an <see cref="IDisplayable"/> gives its own, anything else becomes
/// text/plain written the way C# code would write it (invariant numbers, lists as [1, 2, 3]).
/// </summary>
public static class ValueFormatter
{
    const int MaxItems = 100, MaxDepth = 4;

    public static IReadOnlyDictionary<string, string> ToMimeBundle(object? value)
    {
        if (value is IDisplayable displayable)
        {
            var bundle = new Dictionary<string, string>(displayable.ToMimeBundle());
            bundle.TryAdd("text/plain", value.ToString() ?? value.GetType().Name);
            return bundle;
        }
        return new Dictionary<string, string> { ["text/plain"] = Format(value) };
    }

    public static string Format(object? value)
    {
        var text = new StringBuilder();
        Append(text, value, 0);
        return text.ToString();
    }

    static void Append(StringBuilder text, object? value, int depth)
    {
        switch (value)
        {
            case null: text.Append("null"); return;
            case string s: text.Append(depth == 0 ? s : Quote(s)); return;
            case char c: text.Append(depth == 0 ? c.ToString() : $"'{c}'"); return;
            case bool b: text.Append(b ? "true" : "false"); return;
            case IFormattable f when value.GetType().IsPrimitive || value is decimal || value is Half:
                text.Append(f.ToString(null, CultureInfo.InvariantCulture)); return;
            case Array { Rank: 2 } grid: AppendGrid(text, grid, depth); return;
            case IDictionary dictionary: AppendDictionary(text, dictionary, depth); return;
            case IEnumerable items when !HasOwnToString(value): AppendItems(text, items, depth); return;
            case IFormattable f: text.Append(f.ToString(null, CultureInfo.InvariantCulture)); return;
            default: text.Append(value.ToString()); return;
        }
    }

    static void AppendItems(StringBuilder text, IEnumerable items, int depth)
    {
        if (depth >= MaxDepth) { text.Append("[…]"); return; }
        text.Append('[');
        int n = 0;
        foreach (var item in items)
        {
            if (n == MaxItems)
            {
                text.Append(items is ICollection all ? $", … ({all.Count - MaxItems} more)" : ", …");
                break;
            }
            if (n++ > 0) text.Append(", ");
            Append(text, item, depth + 1);
        }
        text.Append(']');
    }

    static void AppendDictionary(StringBuilder text, IDictionary dictionary, int depth)
    {
        if (depth >= MaxDepth) { text.Append("{…}"); return; }
        text.Append("{ ");
        int n = 0;
        foreach (DictionaryEntry entry in dictionary)
        {
            if (n == MaxItems) { text.Append($", … ({dictionary.Count - MaxItems} more)"); break; }
            if (n++ > 0) text.Append(", ");
            Append(text, entry.Key, depth + 1);
            text.Append(": ");
            Append(text, entry.Value, depth + 1);
        }
        text.Append(n == 0 ? "}" : " }");
    }

    static void AppendGrid(StringBuilder text, Array grid, int depth)
    {
        text.Append('[');
        int rows = grid.GetLength(0), cols = grid.GetLength(1);
        for (int i = 0; i < Math.Min(rows, MaxItems); i++)
        {
            text.Append(i == 0 ? "[" : ",\n [");
            for (int j = 0; j < Math.Min(cols, MaxItems); j++)
            {
                if (j > 0) text.Append(", ");
                Append(text, grid.GetValue(i, j), depth + 1);
            }
            text.Append(cols > MaxItems ? ", …]" : "]");
        }
        text.Append(rows > MaxItems ? ",\n …]" : "]");
    }

    /// <summary>Collections that print themselves meaningfully (records, tensors) keep their own text.</summary>
    static bool HasOwnToString(object value)
    {
        var method = value.GetType().GetMethod(nameof(ToString), Type.EmptyTypes);
        var declaring = method?.DeclaringType;
        return declaring is not null && declaring != typeof(object) && declaring.Assembly != typeof(object).Assembly;
    }

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
