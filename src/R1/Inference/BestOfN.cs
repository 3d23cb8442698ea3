using R1.Tasks;

namespace R1.Inference;

/// <summary>
/// Best-of-N: sample N completions and keep the one a scorer likes best — a verifier (an oracle: best-of-N by
/// verifier is correct whenever any sample is, i.e. pass@N) or a reward model (which can be fooled, see notebook 07).
/// Ties go to the earliest sample.
/// </summary>
public static class BestOfN
{
    /// <summary>Index of the highest score; the earliest one on a tie. Scores must be finite (NaN has no rank).</summary>
    public static int Select(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("Best-of-N needs at least one score.", nameof(scores));
        int best = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"Score {i} is {scores[i]}; scores must be finite.", nameof(scores));
            if (scores[i] > scores[best]) best = i;
        }
        return best;
    }

    /// <summary>The completion with the best <paramref name="score"/> (e.g. a reward model's <c>rm.AsRewardFunc(tok).Invoke</c>).</summary>
    public static int Select(Example example, IReadOnlyList<string> completions, Func<Example, string, double> score)
    {
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(score);
        return Select(completions.Select(c => score(example, c)).ToList());
    }

    /// <summary>The first completion the verifier accepts (the first one if none is accepted).</summary>
    public static int ByVerifier(Example example, IReadOnlyList<string> completions, Func<Example, string, bool>? verify = null)
    {
        verify ??= Voting.Verify;
        return Select(example, completions, (e, c) => verify(e, c) ? 1.0 : 0.0);
    }

    /// <summary>
    /// Best-of-k accuracy for one example from n ≥ k scored samples, with the same disjoint blocks as
    /// <see cref="Voting.MajAtK"/>: the share of the ⌊n/k⌋ blocks whose best-scored completion is correct.
    /// </summary>
    public static double AtK(Example example, IReadOnlyList<string> completions, IReadOnlyList<double> scores, int k, Func<Example, string, bool>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != completions.Count) throw new ArgumentException($"Got {completions.Count} completions but {scores.Count} scores.", nameof(scores));
        Voting.CheckK(k, completions.Count);
        verify ??= Voting.Verify;
        int blocks = completions.Count / k, right = 0;
        for (int b = 0; b < blocks; b++)
        {
            int best = b * k + Select(scores.Skip(b * k).Take(k).ToList());
            if (verify(example, completions[best])) right++;
        }
        return (double)right / blocks;
    }
}
