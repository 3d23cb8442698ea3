namespace R1.Rewards;

/// <summary>
/// Text measurements shared by rewards and notebooks: token length for the character-level tokenizer,
/// the chain of thought, language shares, reflection phrases.
/// </summary>
public static class TextStats
{
    /// <summary>Strings the tokenizer treats as single tokens.</summary>
    public static readonly string[] SpecialTokens = ["<think>", "</think>", "<answer>", "</answer>", "<bos>", "<eos>", "<pad>"];

    /// <summary>English and Chinese phrases that mark reflection (the R1-Zero "aha" vocabulary).</summary>
    public static readonly string[] ReflectionPhrases = ["wait", "let me check", "let me verify", "double-check", "recheck", "hmm", "等等", "检查", "验算"];

    /// <summary>
    /// A thought is "mixed" when less than this share of its letters are in the prompt's language.
    /// </summary>
    public const double MixedThreshold = 0.9;

    /// <summary>
    /// Length in tokens of the character-level tokenizer: one per Unicode code point, one per special token.
    /// </summary>
    public static int TokenLength(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        int n = 0;
        for (int i = 0; i < text.Length; n++)
        {
            int special = text[i] == '<' ? SpecialAt(text, i) : 0;
            if (special > 0) i += special;
            else i += char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
        }
        return n;
    }

    static int SpecialAt(string text, int i)
    {
        foreach (var t in SpecialTokens)
            if (string.CompareOrdinal(text, i, t, 0, t.Length) == 0) return t.Length;
        return 0;
    }

    /// <summary>
    /// The chain of thought: the text of every &lt;think&gt; block joined by newlines; an unclosed last block runs
    /// to the end of the text (a truncated generation still has a thought). Special tokens inside are dropped, so
    /// tag names never count as words. Null when there is no &lt;think&gt;.
    /// </summary>
    public static string? ThinkText(string? completion)
    {
        if (string.IsNullOrEmpty(completion)) return null;
        const string open = "<think>", close = "</think>";
        int at = completion.IndexOf(open, StringComparison.Ordinal);
        if (at < 0) return null;
        var parts = new List<string>();
        while (at >= 0)
        {
            int start = at + open.Length;
            int end = completion.IndexOf(close, start, StringComparison.Ordinal);
            if (end < 0) { parts.Add(WithoutSpecialTokens(completion[start..])); break; }
            parts.Add(WithoutSpecialTokens(completion[start..end]));
            at = completion.IndexOf(open, end + close.Length, StringComparison.Ordinal);
        }
        return string.Join("\n", parts);
    }

    static string WithoutSpecialTokens(string text)
    {
        if (!text.Contains('<')) return text;
        foreach (var t in SpecialTokens) text = text.Replace(t, "", StringComparison.Ordinal);
        return text;
    }

    /// <summary>Letters in CJK ideographs (Chinese), in Latin script (English), and in any other script.</summary>
    public static (int Chinese, int Latin, int Other) CountLetters(string? text)
    {
        int zh = 0, en = 0, other = 0;
        foreach (char c in text ?? "")
        {
            if (IsCjk(c)) zh++;
            else if (char.IsLetter(c)) { if (c < '\u0250') en++; else other++; }
        }
        return (zh, en, other);
    }

    /// <summary>
    /// Share of the letters of <paramref name="text"/> written in <paramref name="language"/> ("en" = Latin script,
    /// "zh" = CJK ideographs); digits, symbols and spaces are ignored. 1 when there are no letters at all (nothing
    /// is in another language).
    /// </summary>
    public static double LanguageShare(string? text, string language)
    {
        var (zh, en, other) = CountLetters(text);
        int total = zh + en + other;
        if (total == 0) return 1.0;
        return language switch
        {
            "en" => (double)en / total,
            "zh" => (double)zh / total,
            _ => throw new ArgumentException($"Unknown language '{language}'. Expected \"en\" or \"zh\".", nameof(language)),
        };
    }

    /// <summary>True when under <see cref="MixedThreshold"/> of the letters are in <paramref name="language"/>.</summary>
    public static bool IsLanguageMixed(string? text, string language) => LanguageShare(text, language) < MixedThreshold;

    /// <summary>
    /// Occurrences of <see cref="ReflectionPhrases"/>, case-insensitive; English phrases must stand as whole words
    /// ("wait" counts, "await" does not).
    /// </summary>
    public static int ReflectionCount(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        int count = 0;
        foreach (var phrase in ReflectionPhrases)
        {
            bool latin = char.IsAsciiLetter(phrase[0]);
            for (int at = text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = text.IndexOf(phrase, at + phrase.Length, StringComparison.OrdinalIgnoreCase))
            {
                if (latin && ((at > 0 && char.IsAsciiLetter(text[at - 1])) ||
                              (at + phrase.Length < text.Length && char.IsAsciiLetter(text[at + phrase.Length])))) continue;
                count++;
            }
        }
        return count;
    }

    static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}
