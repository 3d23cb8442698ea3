using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace R1.Cli.Notebooks;

/// <summary>
/// Writes notebooks the way Jupyter and VS Code do (keys sorted, one-space indent, trailing newline) so diffs
/// stay small, and every file atomically: a temp file in the same folder, then a rename over the target.
/// </summary>
public static class NotebookWriter
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        // Keep '<', '>' and non-ASCII text readable in the file (HTML outputs, math symbols).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(Notebook notebook) => Sorted(notebook.ToJson())!.ToJsonString(Options) + "\n";

    public static void Write(Notebook notebook, string path) => WriteAtomically(path, Serialize(notebook));

    /// <summary>Writes <paramref name="text"/> so that readers see the old file or the new one, never half of one.</summary>
    public static void WriteAtomically(string path, string text) => R1.IO.AtomicFile.WriteAllText(path, text);

    static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
