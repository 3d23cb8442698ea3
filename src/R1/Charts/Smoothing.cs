namespace R1.Charts;

/// <summary>
/// How <see cref="Chart.Line{TX,TY}"/> smooths a noisy curve (rewards, losses). The smoothed curve is drawn
/// in full colour and the raw one stays faint behind it, as TensorBoard does.
/// </summary>
public readonly record struct Smoothing
{
    readonly double weight;
    readonly int window;

    Smoothing(double weight, int window) { this.weight = weight; this.window = window; }

    /// <summary>
    /// Exponential moving average with TensorBoard's weight (0 = none, 0.9 = strong) and its debiasing,
    /// so the first points are not pulled towards zero. NaN points stay NaN and don't enter the average.
    /// </summary>
    public static Smoothing Ema(double weight) =>
        weight is >= 0 and < 1 ? new(weight, 0)
        : throw new ArgumentOutOfRangeException(nameof(weight), weight, "EMA weight must be in [0, 1).");

    /// <summary>Trailing moving average over the last <paramref name="size"/> points (fewer at the start), NaNs skipped.</summary>
    public static Smoothing Window(int size) =>
        size >= 1 ? new(0, size)
        : throw new ArgumentOutOfRangeException(nameof(size), size, "Window size must be at least 1.");

    public override string ToString() => window > 0 ? $"window {window}" : $"EMA {weight}";

    /// <summary>The smoothed copy of <paramref name="y"/>.</summary>
    public double[] Apply(ReadOnlySpan<double> y) => window > 0 ? RollingMean(y, window) : Ema(y, weight);

    static double[] Ema(ReadOnlySpan<double> y, double weight)
    {
        var result = new double[y.Length];
        double last = 0, debias = 1;
        for (int i = 0; i < y.Length; i++)
        {
            if (!double.IsFinite(y[i])) { result[i] = y[i]; continue; }
            last = last * weight + (1 - weight) * y[i];
            debias *= weight;
            result[i] = last / (1 - debias);
        }
        return result;
    }

    /// <summary>Trailing mean over the last <paramref name="window"/> entries, ignoring NaNs (pandas' rolling mean with min_periods=1).</summary>
    internal static double[] RollingMean(ReadOnlySpan<double> y, int window)
    {
        var result = new double[y.Length];
        double sum = 0;
        int count = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (!double.IsNaN(y[i])) { sum += y[i]; count++; }
            if (i >= window && !double.IsNaN(y[i - window])) { sum -= y[i - window]; count--; }
            result[i] = count > 0 ? sum / count : double.NaN;
        }
        return result;
    }
}
