using R1.IO;
using System.Text;
using System.Text.Json;

namespace R1.Models;

/// <summary>
/// Character-level tokenizer. Ids 0..6 are the special tokens (<c>&lt;pad&gt;</c> is 0), then one id per
/// character (Unicode scalar value, so a character outside the BMP is still one token) in ordinal order.
/// Special tokens are matched greedily as literal strings, so <c>Decode(Encode(s)) == s</c> for every s whose
/// characters are in the vocabulary. The vocabulary travels with a checkpoint as <c>tokenizer.json</c>.
/// </summary>
public sealed class Tokenizer
{
    public const string Pad = "<pad>", Bos = "<bos>", Eos = "<eos>";
    public const string Think = "<think>", ThinkEnd = "</think>", Answer = "<answer>", AnswerEnd = "</answer>";

    /// <summary>The special tokens in id order; <c>&lt;pad&gt;</c> is 0 so zero-filled buffers read as padding.</summary>
    public static readonly IReadOnlyList<string> SpecialTokens = [Pad, Bos, Eos, Think, ThinkEnd, Answer, AnswerEnd];

    readonly string[] tokens;                       // id → token text
    readonly Dictionary<int, int> charIds = new();  // Unicode scalar → id
    readonly (string Text, int Id)[] specialsLongestFirst;

    Tokenizer(IEnumerable<int> scalars)
    {
        var list = new List<string>(SpecialTokens);
        foreach (var s in scalars.Distinct().Order())
        {
            charIds[s] = list.Count;
            list.Add(char.ConvertFromUtf32(s));
        }
        tokens = list.ToArray();
        specialsLongestFirst = SpecialTokens.Select((t, i) => (t, i)).OrderByDescending(p => p.t.Length).ToArray();
    }

    /// <summary>
    /// Builds the vocabulary from every character occurring in <paramref name="texts"/> (special-token strings
    /// in them count as specials, not as characters). With <paramref name="includeAsciiPrintable"/> the printable
    /// ASCII range and '\n' are always included, so prompts typed later never hit an unknown character.
    /// </summary>
    public static Tokenizer FromTexts(IEnumerable<string> texts, bool includeAsciiPrintable = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var set = new HashSet<int>();
        if (includeAsciiPrintable)
        {
            for (int c = 32; c < 127; c++) set.Add(c);
            set.Add('\n');
        }
        var probe = new Tokenizer([]);
        foreach (var text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            for (int i = 0; i < text.Length;)
            {
                if (probe.MatchSpecial(text, i) is (_, int len)) { i += len; continue; }
                int scalar = ReadScalar(text, i, out int width);
                set.Add(scalar);
                i += width;
            }
        }
        return new Tokenizer(set);
    }

    public int VocabSize => tokens.Length;
    public int PadId => 0;
    public int BosId => 1;
    public int EosId => 2;
    public int ThinkId => 3;
    public int ThinkEndId => 4;
    public int AnswerId => 5;
    public int AnswerEndId => 6;

    /// <summary>Token text by id, in id order.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    public bool IsSpecial(int id) => id >= 0 && id < SpecialTokens.Count;

    /// <summary>The id of one token (a special token's text or a single character).</summary>
    public int TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        for (int i = 0; i < SpecialTokens.Count; i++) if (SpecialTokens[i] == token) return i;
        if (token.Length > 0 && ReadScalar(token, 0, out int w) is int s && w == token.Length && charIds.TryGetValue(s, out int id)) return id;
        throw new ArgumentException($"'{token}' is not a token of this vocabulary ({VocabSize} tokens).", nameof(token));
    }

    public int[] Encode(string text, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length + 2);
        if (addBos) ids.Add(BosId);
        for (int i = 0; i < text.Length;)
        {
            if (MatchSpecial(text, i) is (int sid, int len)) { ids.Add(sid); i += len; continue; }
            int scalar = ReadScalar(text, i, out int width);
            if (!charIds.TryGetValue(scalar, out int id))
                throw new ArgumentException(
                    $"Cannot encode character '{char.ConvertFromUtf32(scalar)}' (U+{scalar:X4}) at position {i}: " +
                    $"it is not in the tokenizer's vocabulary ({VocabSize} tokens). Build the tokenizer from texts that contain it.",
                    nameof(text));
            ids.Add(id);
            i += width;
        }
        if (addEos) ids.Add(EosId);
        return ids.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false)
    {
        var sb = new StringBuilder(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} at position {i} is out of range: the vocabulary has {VocabSize} tokens (ids 0..{VocabSize - 1}).");
            if (skipSpecial && IsSpecial(id)) continue;
            sb.Append(tokens[id]);
        }
        return sb.ToString();
    }

    /// <summary>JSON form: the special tokens and the characters, each list in id order.</summary>
    public string ToJson() => JsonSerializer.Serialize(new TokenizerJson("char", SpecialTokens.ToArray(), tokens[SpecialTokens.Count..]),
        new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static Tokenizer FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        TokenizerJson? t;
        try { t = JsonSerializer.Deserialize<TokenizerJson>(json); }
        catch (JsonException e) { throw new FormatException($"Tokenizer JSON is malformed: {e.Message}", e); }
        if (t is null || t.Chars is null || t.Specials is null) throw new FormatException("Tokenizer JSON must be an object with 'specials' and 'chars' arrays.");
        if (t.Type != "char") throw new FormatException($"Tokenizer JSON has type '{t.Type}', expected 'char'.");
        if (!t.Specials.SequenceEqual(SpecialTokens))
            throw new FormatException($"Tokenizer JSON lists specials [{string.Join(", ", t.Specials)}], expected [{string.Join(", ", SpecialTokens)}].");
        var scalars = new List<int>(t.Chars.Length);
        for (int i = 0; i < t.Chars.Length; i++)
        {
            var c = t.Chars[i];
            if (string.IsNullOrEmpty(c) || ReadScalar(c, 0, out int w) is var s && w != c.Length)
                throw new FormatException($"Tokenizer JSON char #{i} ('{c}') is not a single character.");
            if (i > 0 && s <= scalars[^1]) throw new FormatException($"Tokenizer JSON chars must be distinct and in ordinal order; #{i} ('{c}') is not.");
            scalars.Add(s);
        }
        return new Tokenizer(scalars);
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static Tokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Tokenizer file not found: {path}", path);
        try { return FromJson(File.ReadAllText(path)); }
        catch (FormatException e) { throw new FormatException($"{path}: {e.Message}", e); }
    }

    (int Id, int Length)? MatchSpecial(string text, int i)
    {
        if (text[i] != '<') return null;
        foreach (var (t, id) in specialsLongestFirst)
            if (text.AsSpan(i).StartsWith(t, StringComparison.Ordinal)) return (id, t.Length);
        return null;
    }

    static int ReadScalar(string text, int i, out int width)
    {
        if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(text[i], text[i + 1]);
        }
        if (char.IsSurrogate(text[i]))
            throw new ArgumentException($"Unpaired surrogate U+{(int)text[i]:X4} at position {i}: text must be valid UTF-16.", nameof(text));
        width = 1;
        return text[i];
    }

    sealed record TokenizerJson(
        [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
        [property: System.Text.Json.Serialization.JsonPropertyName("specials")] string[] Specials,
        [property: System.Text.Json.Serialization.JsonPropertyName("chars")] string[] Chars);
}
