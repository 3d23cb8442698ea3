using R1.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace R1.Tasks;

/// <summary>
/// JSON Lines files: one object per line, UTF-8 without BOM, "\n" line ends, camelCase names, CJK and
/// "&lt;think&gt;" written as-is (not \u-escaped), null fields left out. Writes are atomic (temp file + rename);
/// reads report the file and line number of a malformed line.
/// </summary>
public static class Jsonl
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        WriteIndented = false,
    };

    static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Serialize<T>(T item) => JsonSerializer.Serialize(item, Options);

    /// <summary>Write all items, one per line; the file appears complete or not at all.</summary>
    public static void Write<T>(string path, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        AtomicFile.WriteText(path, w => { foreach (var item in items) w.WriteLine(Serialize(item)); });
    }

    /// <summary>Read every non-blank line as a <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not valid JSON for <typeparamref name="T"/>; the message names file and line.</exception>
    public static List<T> Read<T>(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"JSONL file not found: {Path.GetFullPath(path)}", path);
        var list = new List<T>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path, Utf8NoBom))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            T? item;
            try { item = JsonSerializer.Deserialize<T>(line, Options); }
            catch (JsonException e)
            {
                throw new InvalidDataException(
                    $"{path}:{lineNo}: malformed {typeof(T).Name} record: {e.Message} Line starts: {Shorten(line, 120)}", e);
            }
            if (item is null) throw new InvalidDataException($"{path}:{lineNo}: expected a JSON object for {typeof(T).Name}, got null.");
            list.Add(item);
        }
        return list;
    }

    static string Shorten(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}
