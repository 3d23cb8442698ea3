namespace R1.Inference;

/// <summary>
/// pass@k, the chance that at least one of k samples is correct, estimated without bias from n ≥ k samples of which
/// c are correct (Chen et al. 2021, the Codex paper): pass@k = 1 − C(n−c, k) / C(n, k). Taking the first k samples
/// instead would be unbiased too but wastes the other n − k; 1 − (1 − c/n)^k is biased low.
/// </summary>
public static class PassAtK
{
    /// <summary>
    /// 1 − C(n−c, k)/C(n, k), computed as 1 − Π_{i=n−c+1..n} (1 − k/i): no factorials, so no overflow, and every factor
    /// lies in [0, 1). Exactly 1 when n − c &lt; k (every k-subset holds a correct sample).
    /// </summary>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n (samples) must be at least 1.");
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), c, $"c (correct samples) must be in [0, n = {n}].");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, n = {n}]: pass@k needs at least k samples per problem.");
        if (n - c < k) return 1.0;
        double miss = 1.0;   // C(n−c, k) / C(n, k), the chance a random k-subset holds no correct sample
        for (int i = n - c + 1; i <= n; i++) miss *= 1.0 - (double)k / i;
        return 1.0 - miss;
    }

    /// <summary>Mean pass@k over problems, each given as its verdicts (one per sample; problems may have different n ≥ k).</summary>
    public static double Mean(IEnumerable<IReadOnlyList<bool>> correctPerProblem, int k)
    {
        ArgumentNullException.ThrowIfNull(correctPerProblem);
        double sum = 0;
        int problems = 0;
        foreach (var verdicts in correctPerProblem)
        {
            sum += Estimate(verdicts.Count, verdicts.Count(v => v), k);
            problems++;
        }
        if (problems == 0) throw new ArgumentException("No problems to average over.", nameof(correctPerProblem));
        return sum / problems;
    }
}
