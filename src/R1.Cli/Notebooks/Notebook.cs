using System.Text.Json.Nodes;

namespace R1.Cli.Notebooks;

/// <summary>
/// An nbformat 4.5 notebook held as its JSON tree, so metadata this runner doesn't know survives a round trip.
/// Cells are wrapped for typed access; <see cref="ToJson"/> puts them back in order.
/// Read with <see cref="NotebookReader"/>, write with <see cref="NotebookWriter"/>.
/// </summary>
public sealed class Notebook
{
    public const int Major = 4, Minor = 5;

    readonly JsonObject root;

    internal Notebook(string path, JsonObject root, List<Cell> cells)
    {
        Path = path;
        this.root = root;
        Cells = cells;
    }

    /// <summary>Where the notebook was read from (used in every message).</summary>
    public string Path { get; }

    public List<Cell> Cells { get; }

    public JsonObject Metadata => (JsonObject)(root["metadata"] ??= new JsonObject());

    /// <summary>A new, empty notebook with the Polyglot C# metadata VS Code writes.</summary>
    public static Notebook Create(string path) => new(path, new JsonObject
    {
        ["metadata"] = PolyglotMetadata(),
        ["nbformat"] = Major,
        ["nbformat_minor"] = Minor,
    }, []);

    /// <summary>Notebook-level metadata of a Polyglot C# notebook (kernelspec, language_info, kernelInfo).</summary>
    public static JsonObject PolyglotMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        },
    };

    /// <summary>The notebook as nbformat JSON (a fresh tree; the notebook itself is unchanged).</summary>
    public JsonObject ToJson()
    {
        var json = (JsonObject)root.DeepClone();
        json["cells"] = new JsonArray(Cells.Select(c => (JsonNode)c.Json.DeepClone()).ToArray());
        json["nbformat"] = Major;
        json["nbformat_minor"] = Math.Max(Minor, (int?)root["nbformat_minor"] ?? Minor);
        return json;
    }

    /// <summary>A cell id that no cell uses yet (nbformat 4.5 ids: [a-zA-Z0-9-_], 1 to 64 characters).</summary>
    public string NewCellId(string? preferred = null)
    {
        var used = Cells.Select(c => c.Id).ToHashSet();
        if (preferred is not null && !used.Contains(preferred)) return preferred;
        while (true)
        {
            var id = Guid.NewGuid().ToString("N")[..8];
            if (!used.Contains(id)) return id;
        }
    }
}

/// <summary>One cell: its JSON plus the language the runner resolved for it.</summary>
public sealed class Cell
{
    internal Cell(JsonObject json, string language)
    {
        Json = json;
        Language = language;
    }

    public JsonObject Json { get; }

    /// <summary>"csharp", "markdown" or "raw" — anything else was rejected when the notebook was read.</summary>
    public string Language { get; }

    public string CellType => (string)Json["cell_type"]!;

    public bool IsCode => CellType == "code";

    public string Id => (string)Json["id"]!;

    public JsonObject Metadata => (JsonObject)(Json["metadata"] ??= new JsonObject());

    /// <summary>The source as one string (nbformat stores either a string or a list of lines).</summary>
    public string Source
    {
        get => Nbjson.JoinText(Json["source"]);
        set => Json["source"] = Nbjson.SplitLines(value);
    }

    public JsonArray Outputs => (JsonArray)(Json["outputs"] ??= new JsonArray());

    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? "").ToList() : [];

    public static Cell Code(string id, string source, params string[] tags)
    {
        var metadata = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } };
        if (tags.Length > 0) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray());
        return new Cell(new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = id,
            ["metadata"] = metadata,
            ["outputs"] = new JsonArray(),
            ["source"] = Nbjson.SplitLines(source),
        }, "csharp");
    }

    public static Cell Markdown(string id, string source) => new(new JsonObject
    {
        ["cell_type"] = "markdown",
        ["id"] = id,
        ["metadata"] = new JsonObject(),
        ["source"] = Nbjson.SplitLines(source),
    }, "markdown");
}

/// <summary>nbformat's text conventions: multi-line strings are stored as a list of lines, each keeping its "\n".</summary>
public static class Nbjson
{
    public static JsonArray SplitLines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            int end = nl < 0 ? text.Length : nl + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    public static string JoinText(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        _ => node.GetValue<string>(),
    };
}
