namespace R1.Tasks;

/// <summary>The two rule-based verifiers: numeric answers and Countdown equations. Neither throws on model output.</summary>
public static class Verifiers
{
    /// <summary>
    /// Numeric answer: the last closed &lt;answer&gt; block must hold exactly one number equal to
    /// <see cref="Example.Answer"/> (see <see cref="AnswerParser"/> for the accepted forms).
    /// </summary>
    /// <exception cref="ArgumentException">The example's own reference answer is not a number (a data error, not a model error).</exception>
    public static VerifyResult Numeric(Example example, string? completion)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (!AnswerParser.TryParseNumber(example.Answer, out var expected, out var why))
            throw new ArgumentException($"Example '{example.Id}': reference answer '{example.Answer}' is not a single number ({why}).", nameof(example));
        var text = AnswerParser.ExtractAnswer(completion);
        if (text is null) return VerifyResult.NoAnswer(MissingReason(completion));
        if (text.Length == 0) return VerifyResult.NoAnswer("empty answer block");
        if (!AnswerParser.TryParseNumber(text, out var got, out var reason)) return new(false, true, text, reason);
        return AnswerParser.NumbersEqual(got, expected)
            ? new(true, true, text, "correct")
            : new(false, true, text, $"{got} is not {expected}");
    }

    /// <summary>
    /// Countdown (TinyZero rules): the answer is an equation over the given numbers using each of them
    /// EXACTLY once (a multiset match; unused, reused or foreign numbers are wrong) whose exact value equals the
    /// target. An optional "= target" at the end is accepted ("25+3*7=46"); any other right-hand side is wrong.
    /// </summary>
    /// <exception cref="ArgumentException">The example has no <see cref="Example.Target"/>.</exception>
    public static VerifyResult Countdown(Example example, string? completion)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (example.Target is not int target) throw new ArgumentException($"Example '{example.Id}' is not a Countdown example (no target).", nameof(example));
        var text = AnswerParser.ExtractAnswer(completion);
        if (text is null) return VerifyResult.NoAnswer(MissingReason(completion));
        if (text.Length == 0) return VerifyResult.NoAnswer("empty answer block");

        var sides = AnswerParser.Normalize(text).Split('=');
        if (sides.Length > 2) return new(false, true, text, "more than one '='");
        if (sides.Length == 2 && sides[1].Trim().Length > 0 && sides[1].Trim() != target.ToString())
            return new(false, true, text, $"right-hand side '{Short(sides[1].Trim())}' is not the target {target}");

        var eval = CountdownExpression.Evaluate(sides[0]);
        if (!eval.Ok) return new(false, true, text, eval.Error);
        var numberError = CheckNumbers(eval.NumbersUsed, example.Numbers);
        if (numberError is not null) return new(false, true, text, numberError);
        return eval.Denominator == 1 && eval.Numerator == target
            ? new(true, true, text, "correct")
            : new(false, true, text, $"equals {(eval.Denominator == 1 ? eval.Numerator.ToString() : $"{eval.Numerator}/{eval.Denominator}")}, not {target}");
    }

    /// <summary>Null when <paramref name="used"/> is exactly the multiset <paramref name="given"/>, else what is wrong.</summary>
    static string? CheckNumbers(int[] used, int[] given)
    {
        foreach (var n in used.Distinct())
        {
            int u = used.Count(x => x == n), g = given.Count(x => x == n);
            if (g == 0) return $"{n} is not one of the given numbers";
            if (u > g) return g == 1 ? $"uses {n} more than once" : $"uses {n} {u} times, given {g}";
        }
        foreach (var n in given.Distinct())
            if (used.Count(x => x == n) < given.Count(x => x == n)) return $"does not use {n}";
        return null;
    }

    static string MissingReason(string? completion) =>
        completion is not null && completion.Contains(AnswerParser.AnswerOpen, StringComparison.Ordinal)
            ? "the last <answer> is not closed"
            : "no <answer> block";

    static string Short(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
