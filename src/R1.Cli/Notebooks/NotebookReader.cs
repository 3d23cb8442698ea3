using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace R1.Cli.Notebooks;

/// <summary>
/// Reads .ipynb (nbformat 4; 4.0–4.4 are upgraded to 4.5 by giving cells ids) and Polyglot .dib files.
/// Everything a runner would trip over later is rejected here, with the file and cell in the message.
/// </summary>
public static partial class NotebookReader
{
    public static Notebook Read(string path)
    {
        if (!File.Exists(path)) throw NotebookException.InFile(path, "file not found");
        var text = File.ReadAllText(path);
        if (text.Trim().Length == 0)
            throw NotebookException.InFile(path, "the file is empty (expected an .ipynb notebook: nbformat 4 JSON)");
        return Path.GetExtension(path).Equals(".dib", StringComparison.OrdinalIgnoreCase)
            ? ParseDib(path, text)
            : ParseIpynb(path, text);
    }

    public static Notebook ParseIpynb(string path, string text)
    {
        JsonNode? parsed;
        try { parsed = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 }); }
        catch (JsonException e)
        {
            throw NotebookException.InFile(path,
                $"not valid notebook JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}", e);
        }
        if (parsed is not JsonObject root) throw NotebookException.InFile(path, "expected a JSON object with 'cells', 'metadata' and 'nbformat'");
        if (root["nbformat"] is not JsonValue major || !major.TryGetValue(out int nbformat))
            throw NotebookException.InFile(path, "no 'nbformat' version number (expected nbformat 4)");
        if (nbformat != Notebook.Major)
            throw NotebookException.InFile(path, $"nbformat {nbformat} isn't supported (expected nbformat 4; convert it with `jupyter nbconvert --to notebook`)");
        if (root["cells"] is not JsonArray cellArray) throw NotebookException.InFile(path, "no 'cells' list");
        if (root["metadata"] is not JsonObject) root["metadata"] = new JsonObject();

        var defaultLanguage = DefaultLanguage((JsonObject)root["metadata"]!);
        var cells = new List<Cell>();
        var ids = new Dictionary<string, int>();
        for (int i = 0; i < cellArray.Count; i++)
        {
            if (cellArray[i] is not JsonObject json) throw NotebookException.InCell(path, i, "expected a JSON object");
            var cell = ReadCell(path, i, (JsonObject)json.DeepClone(), defaultLanguage);
            if (cell.Json["id"] is JsonValue idValue)
            {
                var id = idValue.TryGetValue(out string? s) ? s : null;
                if (id is null || !CellId().IsMatch(id))
                    throw NotebookException.InCell(path, i, $"cell id {idValue.ToJsonString()} is invalid (nbformat 4.5: 1 to 64 characters from a-z, A-Z, 0-9, '-', '_')");
                if (ids.TryGetValue(id, out var first))
                    throw NotebookException.InCell(path, i, $"duplicate cell id '{id}' (also used by cell {first + 1})");
                ids[id] = i;
            }
            cells.Add(cell);
        }
        root.Remove("cells");
        var notebook = new Notebook(path, root, cells);
        // nbformat < 4.5 has no cell ids; 4.5 requires them.
        foreach (var cell in cells.Where(c => c.Json["id"] is null)) cell.Json["id"] = notebook.NewCellId();
        return notebook;
    }

    static Cell ReadCell(string path, int index, JsonObject json, string defaultLanguage)
    {
        var type = json["cell_type"] is JsonValue v && v.TryGetValue(out string? t) ? t : null;
        if (type is not ("code" or "markdown" or "raw"))
            throw NotebookException.InCell(path, index, $"unknown cell_type {json["cell_type"]?.ToJsonString() ?? "(missing)"} (expected code, markdown or raw)");
        if (json["source"] is null)
            throw NotebookException.InCell(path, index, "the cell has no 'source'");
        if (!IsMultilineString(json["source"]))
            throw NotebookException.InCell(path, index, "'source' must be a string or a list of strings");
        if (json["metadata"] is not JsonObject) json["metadata"] = new JsonObject();
        if (type != "code") return new Cell(json, type == "markdown" ? Languages.Markdown : "raw");

        if (json["outputs"] is not JsonArray) json["outputs"] = new JsonArray();
        if (!json.ContainsKey("execution_count")) json["execution_count"] = null;
        var metadata = (JsonObject)json["metadata"]!;
        var named = (string?)(metadata["polyglot_notebook"]?["kernelName"] as JsonValue)
                    ?? (string?)(metadata["dotnet_interactive"]?["language"] as JsonValue);
        var language = named is null ? defaultLanguage : Languages.Canonical(named);
        if (language is null) throw NotebookException.InCell(path, index, Languages.Unsupported(named!));
        foreach (var section in Languages.Sections(Nbjson.JoinText(json["source"]), language))
            if (Languages.Canonical(section.Language) is null)
                throw NotebookException.InCell(path, index, Languages.Unsupported(section.Language));
        return new Cell(json, language);
    }

    /// <summary>The language of cells that don't name one: Polyglot's default kernel, else the kernelspec's.</summary>
    static string DefaultLanguage(JsonObject metadata)
    {
        var name = (string?)(metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"] as JsonValue)
                   ?? (string?)(metadata["kernelspec"]?["language"] as JsonValue)
                   ?? (string?)(metadata["kernelspec"]?["name"] as JsonValue)
                   ?? Languages.CSharp;
        // An unsupported default is reported per code cell, where the user can see which cells are affected.
        return Languages.Canonical(name) ?? name;
    }

    /// <summary>
    /// A .dib file: sections separated by kernel magic lines (<c>#!csharp</c>, <c>#!markdown</c>), optionally
    /// starting with a <c>#!meta</c> section holding Polyglot's notebook metadata as JSON.
    /// </summary>
    public static Notebook ParseDib(string path, string text)
    {
        var notebook = Notebook.Create(path);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? kernel = null;
        int start = 0, sectionIndex = 0;
        for (int i = 0; i <= lines.Length; i++)
        {
            var magic = i < lines.Length ? DibMagic(lines[i]) : null;
            if (magic is null && i < lines.Length) continue;
            var body = string.Join('\n', lines[start..i]).Trim('\n');
            if (kernel == "meta") ReadDibMeta(path, sectionIndex, body, notebook);
            else if (body.Trim().Length > 0 || kernel is not null)
            {
                var language = Languages.Canonical(kernel ?? Languages.CSharp);
                if (language is null) throw NotebookException.InCell(path, notebook.Cells.Count, Languages.Unsupported(kernel!));
                if (body.Trim().Length > 0)
                    notebook.Cells.Add(language == Languages.Markdown
                        ? Cell.Markdown(notebook.NewCellId(), body)
                        : Cell.Code(notebook.NewCellId(), body));
            }
            if (magic is null) break;
            kernel = magic;
            start = i + 1;
            sectionIndex++;
        }
        return notebook;
    }

    static string? DibMagic(string line) =>
        line.TrimEnd() == "#!meta" ? "meta" : Languages.MagicKernel(line.TrimEnd());

    static void ReadDibMeta(string path, int section, string body, Notebook notebook)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject meta) notebook.Metadata["polyglot_notebook"] = meta;
        }
        catch (JsonException e)
        {
            throw NotebookException.InFile(path, $"the #!meta section (section {section}) is not valid JSON: {FirstSentence(e.Message)}", e);
        }
    }

    static bool IsMultilineString(JsonNode? node) => node switch
    {
        JsonValue v => v.TryGetValue(out string? _),
        JsonArray a => a.All(x => x is JsonValue lv && lv.TryGetValue(out string? _)),
        _ => false,
    };

    static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex CellId();
}
