namespace R1.Tasks;

/// <summary>
/// Preference pairs about correctness on the reasoning tasks, for a learned "correctness" reward model — the one
/// notebook 07 lets RL hack. Chosen: correct step-by-step work (<see cref="Traces"/>). Rejected, by kind:
/// <list type="bullet">
/// <item>"wrong_answer": the same trace with a plausible wrong number (Countdown: an equation that misses the target) in the
/// answer block — the two differ only there, so a good model must check the answer against the work;</item>
/// <item>"wrong_guess": a short wrong guess, "&lt;think&gt;it is 431.&lt;/think&gt;&lt;answer&gt;431&lt;/answer&gt;" — separable by length
/// alone, the kind of shortcut a reward model learns and a policy then exploits.</item>
/// </list>
/// Built on the fly (not committed): <c>ReasoningPairs.Build(Datasets.Load("arithmetic", "train"), new Rng(1))</c>.
/// </summary>
public static class ReasoningPairs
{
    public static readonly string[] Kinds = ["wrong_answer", "wrong_guess"];

    /// <summary>One pair per example; "wrong_guess" with probability <paramref name="guessShare"/>, else "wrong_answer".</summary>
    public static List<PreferencePair> Build(IReadOnlyList<Example> examples, Rng rng, double guessShare = 0.5)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(rng);
        if (guessShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(guessShare), guessShare, "guessShare must be in [0, 1].");
        var pairs = new List<PreferencePair>(examples.Count);
        foreach (var ex in examples)
        {
            var chosen = Traces.Write(ex, TraceStyle.Steps, rng);
            bool guess = rng.Chance(guessShare);
            var rejected = guess
                ? Traces.Write(ex, TraceStyle.ShortThought, rng, correct: false)
                : chosen[..chosen.LastIndexOf("<answer>", StringComparison.Ordinal)] + "<answer>" + Traces.WrongAnswer(ex, rng) + "</answer>";
            pairs.Add(new PreferencePair($"{ex.Id}#pair", guess ? "wrong_guess" : "wrong_answer", ex, chosen, rejected));
        }
        return pairs;
    }
}
