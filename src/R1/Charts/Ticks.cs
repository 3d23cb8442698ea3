using System.Globalization;

namespace R1.Charts;

/// <summary>Axis tick placement ("nice" 1-2-5 steps, decades on log axes) and tick label text.</summary>
internal static class Ticks
{
    /// <summary>The smallest step of the form {1, 2, 5}·10^k that splits [min, max] into at most maxCount intervals.</summary>
    public static double NiceStep(double min, double max, int maxCount)
    {
        double raw = (max - min) / Math.Max(1, maxCount);
        if (!(raw > 0) || !double.IsFinite(raw)) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var m in (ReadOnlySpan<double>)[1, 2, 5, 10])
            if (m * magnitude >= raw * (1 - 1e-9)) return m * magnitude;
        return 10 * magnitude;
    }

    /// <summary>Tick values on a linear axis: multiples of a nice step lying inside [min, max].</summary>
    public static (double[] Values, double Step) Linear(double min, double max, int maxCount)
    {
        double step = NiceStep(min, max, maxCount);
        double eps = step * 1e-9;
        var ticks = new List<double>();
        for (double k = Math.Ceiling((min - eps) / step); k * step <= max + eps; k++)
        {
            double v = k * step;
            ticks.Add(Math.Abs(v) < eps ? 0 : Math.Round(v, 12));   // no "-0" or 0.30000000000000004
        }
        return (ticks.ToArray(), step);
    }

    /// <summary>Tick values on a log axis (given in log10 units): every decade, plus 2 and 5 when few decades show.</summary>
    public static double[] Log(double log10Min, double log10Max)
    {
        var ticks = new List<double>();
        double decades = log10Max - log10Min;
        int stride = Math.Max(1, (int)Math.Ceiling(decades / 8));
        ReadOnlySpan<double> mantissas = decades < 3 ? [1, 2, 5] : [1];
        for (int e = (int)Math.Floor(log10Min); e <= (int)Math.Ceiling(log10Max); e++)
        {
            if (e % stride != 0) continue;
            foreach (var m in mantissas)
            {
                double lv = e + Math.Log10(m);
                if (lv >= log10Min - 1e-9 && lv <= log10Max + 1e-9) ticks.Add(lv);
            }
        }
        return ticks.ToArray();
    }

    /// <summary>Tick label: decimals fitted to the step, SI suffixes (k, M, G) for large values, a true minus sign.</summary>
    public static string Format(double value, double step)
    {
        if (value == 0) return "0";
        double absMax = Math.Max(Math.Abs(value), step);
        string text;
        if (absMax >= 1e4)
        {
            (double div, string suffix) = absMax >= 1e9 ? (1e9, "G") : absMax >= 1e6 ? (1e6, "M") : (1e3, "k");
            text = Fixed(value / div, step / div) + suffix;
        }
        else if (step < 1e-4) text = value.ToString("0.###e0", CultureInfo.InvariantCulture);
        else text = Fixed(value, step);
        return text.StartsWith('-') ? "\u2212" + text[1..] : text;   // a true minus, as plotly
    }

    /// <summary>Label for a log-axis tick given in log10 units.</summary>
    public static string FormatLog(double log10Value)
    {
        double v = Math.Pow(10, log10Value);
        double decade = Math.Pow(10, Math.Floor(log10Value + 1e-9));
        return Format(Math.Round(v / decade) * decade, decade);
    }

    /// <summary>Enough decimals for the step, trailing zeros dropped as plotly does: 0, 0.2, …, 0.8, 1.</summary>
    static string Fixed(double value, double step)
    {
        int decimals = step >= 1 ? 0 : Math.Min(10, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        var text = value.ToString("F" + decimals, CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }
}
