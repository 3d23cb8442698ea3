using R1.Tasks;

namespace R1.Inference;

/// <summary>
/// maj@k and best-of-k estimated without bias from n ≥ k samples of one problem: the mean, over all C(n, k) subsets of
/// k samples, of whether the subset's vote (or its best-scored sample) is correct — the same idea as the unbiased
/// pass@k of <see cref="PassAtK"/>. The averages are computed by counting, not by enumerating or resampling subsets,
/// so every sample is used and the result has no Monte-Carlo noise. (<see cref="Voting.MajAtK"/> and
/// <see cref="BestOfN.AtK"/> use ⌊n/k⌋ disjoint blocks instead: unbiased too, but noisier, and they waste n mod k
/// samples.)
/// </summary>
public static class SubsetEstimators
{
    /// <summary>The binomial coefficient C(n, k) as a double (exact up to 2^53, then to double precision); 0 when k &lt; 0 or k &gt; n.</summary>
    public static double Choose(int n, int k)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be ≥ 0.");
        if (k < 0 || k > n) return 0;
        k = Math.Min(k, n - k);
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;   // each partial product is C(n−k+i, i), an integer
        return r < 9e15 ? Math.Round(r) : r;   // below 2^53 the true value is an integer: drop the rounding error
    }

    /// <summary>
    /// maj@k of one problem from its n samples, grouped: <paramref name="answers"/> holds each distinct answer's vote
    /// count and whether it is correct; <paramref name="abstained"/> samples gave no answer (they do not vote).
    /// A k-subset is right when a correct answer has strictly more votes than every other; a tie at the top is broken
    /// uniformly at random (so a correct answer tied with t others counts 1/(t+1)); a subset where nobody answered is
    /// wrong. This is the expected accuracy of <see cref="Voting.Majority(IReadOnlyList{string})"/> on k of the samples
    /// drawn without replacement in random order (its first-seen tie rule is then a uniform pick among the tied).
    /// </summary>
    /// <remarks>
    /// Counting: for a correct answer a with x votes in the subset, the other answers with at least x samples are its
    /// competitors (each may take 0…x votes; t of them exactly x), and all remaining samples — abstentions and answers
    /// with fewer than x samples, which can never reach x — are free. A dynamic programme over the competitors counts
    /// subsets by (votes taken s, ties t); then
    /// maj@k = Σ_a Σ_x C(c_a, x) Σ_{s,t} ways(s, t) · C(free, k − x − s) / (t + 1) / C(n, k).
    /// </remarks>
    public static double MajAtK(IReadOnlyList<(int Count, bool Correct)> answers, int abstained, int k)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (abstained < 0) throw new ArgumentOutOfRangeException(nameof(abstained), abstained, "abstained (samples with no answer) must be ≥ 0.");
        int n = abstained;
        for (int i = 0; i < answers.Count; i++)
        {
            if (answers[i].Count < 1) throw new ArgumentException($"Answer {i} has {answers[i].Count} votes; every listed answer needs at least one.", nameof(answers));
            n += answers[i].Count;
        }
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, n = {n}] (the number of samples).");
        double right = 0;
        for (int a = 0; a < answers.Count; a++)
        {
            if (!answers[a].Correct) continue;
            for (int x = 1; x <= Math.Min(answers[a].Count, k); x++)
            {
                int budget = k - x, free = abstained;
                var ways = new double[budget + 1, answers.Count + 1];   // ways[s, t]: s votes among competitors, t of them tied at x
                ways[0, 0] = 1;
                int competitors = 0;
                for (int j = 0; j < answers.Count; j++)
                {
                    if (j == a) continue;
                    int c = answers[j].Count;
                    if (c < x) { free += c; continue; }
                    competitors++;
                    var next = new double[budget + 1, answers.Count + 1];
                    for (int s = 0; s <= budget; s++)
                        for (int t = 0; t < competitors; t++)
                        {
                            double w = ways[s, t];
                            if (w == 0) continue;
                            for (int y = 0; y <= x && s + y <= budget; y++)
                                next[s + y, y == x ? t + 1 : t] += w * Choose(c, y);
                        }
                    ways = next;
                }
                double subsets = 0;
                for (int s = 0; s <= budget; s++)
                    for (int t = 0; t <= competitors; t++)
                        if (ways[s, t] != 0) subsets += ways[s, t] * Choose(free, budget - s) / (t + 1);
                right += Choose(answers[a].Count, x) * subsets;
            }
        }
        return right / Choose(n, k);
    }

    /// <summary>
    /// maj@k of one example from its completions: each votes with <see cref="Voting.AnswerKey"/> (no answer = abstains),
    /// and an answer is correct when <paramref name="verify"/> (default: the task's verifier) accepts the first
    /// completion that gave it — the representative <see cref="Voting.Majority(Example, IReadOnlyList{string})"/> returns.
    /// </summary>
    public static double MajAtK(Example example, IReadOnlyList<string> completions, int k, Func<Example, string, bool>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(completions);
        verify ??= Voting.Verify;
        var groups = new Dictionary<string, (int Count, bool Correct)>(StringComparer.Ordinal);
        var order = new List<string>();
        int abstained = 0;
        foreach (var c in completions)
        {
            if (Voting.AnswerKey(example, c) is not { } key) { abstained++; continue; }
            if (groups.TryGetValue(key, out var g)) groups[key] = (g.Count + 1, g.Correct);
            else { groups[key] = (1, verify(example, c)); order.Add(key); }
        }
        return MajAtK(order.Select(key => groups[key]).ToList(), abstained, k);
    }

    /// <summary>
    /// Best-of-k of one problem from n scored samples: the mean over k-subsets of whether the subset's highest-scored
    /// sample is correct (a score tie goes to the earlier sample, as <see cref="BestOfN.Select(IReadOnlyList{double})"/>).
    /// Rank the samples best first; the sample of rank r (0-based) is a subset's best exactly when the subset holds it
    /// and k − 1 of the n − 1 − r samples ranked below it: best-of-k = Σ_r correct_r · C(n − 1 − r, k − 1) / C(n, k).
    /// </summary>
    public static double BestOfK(IReadOnlyList<double> scores, IReadOnlyList<bool> correct, int k)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(correct);
        if (scores.Count != correct.Count) throw new ArgumentException($"Got {scores.Count} scores but {correct.Count} verdicts; pass one of each per sample.", nameof(correct));
        int n = scores.Count;
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, n = {n}] (the number of samples).");
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"Score {i} is {scores[i]}; scores must be finite.", nameof(scores));
        var ranked = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        double right = 0;
        for (int r = 0; r < n; r++)
            if (correct[ranked[r]]) right += Choose(n - 1 - r, k - 1);
        return right / Choose(n, k);
    }
}
