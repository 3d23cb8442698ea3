using System.Text.RegularExpressions;
using R1.Tasks;

namespace R1.Rewards;

/// <summary>
/// The built-in reward functions, each a pure function of (example, completion). Definitions follow open-r1 and
/// TinyZero (see SPEC.md); lengths are in tokens of the character-level tokenizer (<see cref="TextStats.TokenLength"/>).
/// A trailing &lt;eos&gt;/&lt;pad&gt; and surrounding whitespace are ignored, so a decoded completion scores the same
/// with or without its end marker.
/// </summary>
public static class RewardFunctions
{
    /// <summary>1 if the task's verifier accepts the final answer, else 0.</summary>
    public static double Accuracy(Example example, string completion) =>
        TaskRegistry.Verify(example, completion).Correct ? 1.0 : 0.0;

    // Exactly one think block then exactly one answer block, nothing else but whitespace between and around.
    static readonly Regex FormatRegex = new(
        @"^<think>(?:(?!</?think>|</?answer>)[\s\S])*</think>\s*<answer>(?:(?!</?think>|</?answer>)[\s\S])*</answer>$",
        RegexOptions.CultureInvariant);

    /// <summary>1 if the completion is "&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;" (blocks may be empty, no nested or extra tags), else 0.</summary>
    public static double Format(Example example, string completion) => FormatRegex.IsMatch(Clean(completion)) ? 1.0 : 0.0;

    /// <summary>0.25 for each of &lt;think&gt;, &lt;/think&gt;, &lt;answer&gt;, &lt;/answer&gt; that occurs exactly once.</summary>
    public static double TagCount(Example example, string completion)
    {
        double r = 0;
        foreach (var tag in (string[])["<think>", "</think>", "<answer>", "</answer>"])
            if (Occurrences(completion, tag) == 1) r += 0.25;
        return r;
    }

    /// <summary>
    /// min(1, steps / <paramref name="expected"/>), where a step is a sentence of the chain of thought that
    /// computes something (contains "="); sentences end at ". " (not a decimal point), "。", "!", "?", ";", "；" or a
    /// new line. open-r1 counts markers like "Step 1:" instead; our traces are written as computed sentences.
    /// </summary>
    public static RewardFunc ReasoningSteps(int expected = 3)
    {
        if (expected < 1) throw new ArgumentOutOfRangeException(nameof(expected), expected, "Expected step count must be at least 1.");
        return (example, completion) => Math.Min(1.0, CountSteps(TextStats.ThinkText(completion)) / (double)expected);
    }

    /// <summary>Number of sentences containing "=" in <paramref name="thought"/>.</summary>
    public static int CountSteps(string? thought)
    {
        if (string.IsNullOrEmpty(thought)) return 0;
        int steps = 0;
        bool hasEquals = false;
        for (int i = 0; i < thought.Length; i++)
        {
            char c = thought[i];
            if (c == '=') hasEquals = true;
            bool end = c is '。' or '!' or '?' or ';' or '；' or '\n'
                || (c == '.' && !(i > 0 && char.IsAsciiDigit(thought[i - 1]) && i + 1 < thought.Length && char.IsAsciiDigit(thought[i + 1])));
            if (end) { if (hasEquals) steps++; hasEquals = false; }
        }
        return hasEquals ? steps + 1 : steps;
    }

    /// <summary>
    /// Share of the chain of thought's letters in the prompt's language (DeepSeek-R1's language-consistency
    /// reward): Chinese letters for "zh" prompts, Latin for "en". 0 without a thought (no &lt;think&gt; block, or
    /// only whitespace); 1 for a thought with no letters (digits and symbols are in no language).
    /// </summary>
    public static double LanguageConsistency(Example example, string completion)
    {
        var thought = TextStats.ThinkText(completion);
        return string.IsNullOrWhiteSpace(thought) ? 0.0 : TextStats.LanguageShare(thought, example.Language);
    }

    /// <summary>
    /// open-r1's cosine length scaling: with p = min(1, L / maxLength), a correct answer gets
    /// minCorrect + ½(maxCorrect − minCorrect)(1 + cos πp) — 1 when short, 0.5 at maxLength — and a wrong one
    /// maxWrong + ½(minWrong − maxWrong)(1 + cos πp) — −1 when short, −0.5 at maxLength — so short is best when
    /// right and long is least bad when wrong. (open-r1 does not clamp p; we do, so the reward stays monotone.)
    /// </summary>
    public static RewardFunc CosineLength(int maxLength = 200, double minWrong = -1.0, double maxWrong = -0.5, double minCorrect = 0.5, double maxCorrect = 1.0)
    {
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be positive.");
        return (example, completion) =>
        {
            bool correct = TaskRegistry.Verify(example, completion).Correct;
            double p = Math.Min(1.0, TextStats.TokenLength(Clean(completion)) / (double)maxLength);
            double cos = Math.Cos(Math.PI * p);
            var (lo, hi) = correct ? (minCorrect, maxCorrect) : (maxWrong, minWrong);
            return lo + 0.5 * (hi - lo) * (1.0 + cos);
        };
    }

    /// <summary>
    /// open-r1's repetition penalty: (1 − unique n-grams / total n-grams) · maxPenalty over word n-grams
    /// (lower-cased whitespace-separated words; each Chinese character is its own word). 0 for text with fewer
    /// than n words.
    /// </summary>
    public static RewardFunc Repetition(int ngramSize = 3, double maxPenalty = -1.0)
    {
        if (ngramSize < 1) throw new ArgumentOutOfRangeException(nameof(ngramSize), ngramSize, "n-gram size must be at least 1.");
        if (maxPenalty > 0 || !double.IsFinite(maxPenalty)) throw new ArgumentOutOfRangeException(nameof(maxPenalty), maxPenalty, "maxPenalty must be finite and not positive.");
        return (example, completion) =>
        {
            var words = Words(Clean(completion));
            if (words.Count < ngramSize) return 0.0;
            var unique = new HashSet<string>(StringComparer.Ordinal);
            int total = words.Count - ngramSize + 1;
            for (int i = 0; i < total; i++) unique.Add(string.Join('\u0001', words.GetRange(i, ngramSize)));
            return (1.0 - (double)unique.Count / total) * maxPenalty;
        };
    }

    /// <summary>
    /// DAPO's soft overlong punishment with L = token length: 0 if L ≤ maxLength − cache; (maxLength − cache − L) / cache
    /// inside the buffer; −1 beyond maxLength.
    /// </summary>
    public static RewardFunc SoftOverlong(int maxLength, int cache)
    {
        if (cache < 1 || cache > maxLength) throw new ArgumentOutOfRangeException(nameof(cache), cache, $"cache must be in [1, maxLength={maxLength}].");
        return (example, completion) =>
        {
            int len = TextStats.TokenLength(Clean(completion));
            if (len <= maxLength - cache) return 0.0;
            if (len <= maxLength) return (double)(maxLength - cache - len) / cache;
            return -1.0;
        };
    }

    /// <summary>TinyZero's Countdown score: 1 if right, 0.1 for an equation that is wrong or invalid, 0 with no (or an empty) answer block.</summary>
    public static double Countdown(Example example, string completion)
    {
        var v = Verifiers.Countdown(example, completion);
        return v.Correct ? 1.0 : v.HasAnswer ? 0.1 : 0.0;
    }

    /// <summary>The completion without surrounding whitespace and trailing &lt;eos&gt;/&lt;pad&gt; tokens.</summary>
    internal static string Clean(string? completion)
    {
        var s = (completion ?? "").Trim();
        while (true)
        {
            if (s.EndsWith("<eos>", StringComparison.Ordinal)) s = s[..^5].TrimEnd();
            else if (s.EndsWith("<pad>", StringComparison.Ordinal)) s = s[..^5].TrimEnd();
            else return s;
        }
    }

    static int Occurrences(string text, string tag)
    {
        int n = 0;
        for (int at = text.IndexOf(tag, StringComparison.Ordinal); at >= 0; at = text.IndexOf(tag, at + tag.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        void Flush() { if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); } }
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsWhiteSpace(c)) Flush();
            else if (c is >= '\u4E00' and <= '\u9FFF') { Flush(); words.Add(c.ToString()); }
            else current.Append(c);
        }
        Flush();
        return words;
    }
}
