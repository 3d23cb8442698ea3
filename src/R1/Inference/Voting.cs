using System.Globalization;
using R1.Tasks;

namespace R1.Inference;

/// <summary>The outcome of a vote: the winning answer key, the first sample that gave it, its votes, and how many samples voted.</summary>
/// <param name="Answer">The winning key (null when no sample had an answer).</param>
/// <param name="Index">The first sample with the winning key — the representative to verify or show (−1 when none).</param>
public sealed record Vote(string? Answer, int Index, int Count, int Voters);

/// <summary>
/// Majority voting (self-consistency, Wang et al. 2022): sample several chains of thought, read each one's final
/// answer, and return the most frequent answer. Samples without an answer do not vote.
/// <para>Ties go to the answer that appeared first in sample order — deterministic, and with samples drawn
/// independently it is as good as a random pick.</para>
/// </summary>
public static class Voting
{
    /// <summary>The most frequent non-null key; a tie goes to the key whose first occurrence comes earliest.</summary>
    public static Vote Majority(IReadOnlyList<string?> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var counts = new Dictionary<string, (int Count, int First)>(StringComparer.Ordinal);
        int voters = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] is not { } key) continue;
            voters++;
            counts[key] = counts.TryGetValue(key, out var s) ? (s.Count + 1, s.First) : (1, i);
        }
        if (voters == 0) return new Vote(null, -1, 0, 0);
        var (answer, (count, first)) = counts.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Value.First).First();
        return new Vote(answer, first, count, voters);
    }

    /// <summary>Majority vote over completions of one example, keyed by <see cref="AnswerKey"/>.</summary>
    public static Vote Majority(Example example, IReadOnlyList<string> completions)
    {
        ArgumentNullException.ThrowIfNull(completions);
        return Majority(completions.Select(c => AnswerKey(example, c)).ToList());
    }

    /// <summary>
    /// What a completion's final answer says, normalised so equal answers vote together; null when there is no closed
    /// answer block (or it is empty). Numeric tasks: the number ("1,234", "１２３４" and "1234.0" all give "1234"); text
    /// that is not one number votes as itself. Countdown: an equation over exactly the given numbers votes for its value
    /// ("=46"), so "25+3*7" and "7*3+25" agree; other equations vote as their text without spaces. General prompts: the
    /// answer text, lower-cased.
    /// </summary>
    public static string? AnswerKey(Example example, string completion)
    {
        ArgumentNullException.ThrowIfNull(example);
        var text = AnswerParser.ExtractAnswer(completion);
        if (string.IsNullOrEmpty(text)) return null;
        switch (example.Task)
        {
            case "arithmetic" or "wordproblems":
                return AnswerParser.TryParseNumber(text, out var v, out _) ? v.ToString("R", CultureInfo.InvariantCulture) : text;
            case "countdown":
                {
                    var lhs = AnswerParser.Normalize(text).Split('=')[0];
                    var eval = CountdownExpression.Evaluate(lhs);
                    bool sameNumbers = eval.Ok && eval.NumbersUsed.Order().SequenceEqual(example.Numbers.Order());
                    return sameNumbers
                        ? (eval.Denominator == 1 ? $"={eval.Numerator}" : $"={eval.Numerator}/{eval.Denominator}")
                        : string.Concat(AnswerParser.Normalize(text).Where(ch => !char.IsWhiteSpace(ch)));
                }
            default:
                return text.ToLowerInvariant();
        }
    }

    /// <summary>
    /// maj@k for one example from n ≥ k samples: the n samples are cut into ⌊n/k⌋ consecutive blocks of k, each block
    /// votes (<see cref="Majority(Example, IReadOnlyList{string})"/>), and the result is the share of blocks whose winner
    /// is correct (a block where nobody answered counts as wrong). Disjoint blocks use every sample once, so the
    /// estimate has less variance than one vote over the first k. <paramref name="verify"/> defaults to the task's
    /// verifier (<see cref="Verify"/>).
    /// </summary>
    public static double MajAtK(Example example, IReadOnlyList<string> completions, int k, Func<Example, string, bool>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(completions);
        CheckK(k, completions.Count);
        verify ??= Verify;
        int blocks = completions.Count / k, right = 0;
        for (int b = 0; b < blocks; b++)
        {
            var block = completions.Skip(b * k).Take(k).ToList();
            var vote = Majority(example, block);
            if (vote.Index >= 0 && verify(example, block[vote.Index])) right++;
        }
        return (double)right / blocks;
    }

    /// <summary>The rule-based verdict for any example: the task verifier, or <see cref="GeneralPrompts.Verify"/> for general prompts.</summary>
    public static bool Verify(Example example, string completion) =>
        example.Task == GeneralPrompts.TaskName ? GeneralPrompts.Verify(example, completion).Correct : TaskRegistry.Verify(example, completion).Correct;

    internal static void CheckK(int k, int n)
    {
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {n}] (the number of samples given).");
    }
}
