using System.Globalization;

namespace R1.Charts;

/// <summary>Trace colours (plotly's default colourway) and heatmap colour scales.</summary>
internal static class Colors
{
    /// <summary>Plotly's default qualitative palette, in order.</summary>
    public static readonly string[] Palette =
        ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"];

    public const string Text = "#2a3f5f";   // plotly template font colour
    public const string Grid = "#EBF0F8";   // plotly_white grid colour
    public const string Axis = "#C8D4E3";   // plotly_white zero line / axis line

    /// <summary>Named colour scales as (position, colour) stops; written into the figure JSON explicitly so
    /// plotly.js and the SVG renderer use exactly the same colours.</summary>
    static readonly Dictionary<string, (double At, string Color)[]> scales = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Viridis"] = Even("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"),
        ["Blues"] = Even("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"),
        ["RdBu"] = Even("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
        ["Greys"] = Even("#ffffff", "#d9d9d9", "#969696", "#525252", "#000000"),
    };

    public static IReadOnlyCollection<string> ScaleNames => scales.Keys;

    public static (double At, string Color)[] Scale(string name) =>
        scales.TryGetValue(name, out var s) ? s
        : throw new ArgumentException($"Unknown colour scale '{name}'; known: {string.Join(", ", scales.Keys)}.", nameof(name));

    static (double, string)[] Even(params string[] colors) =>
        colors.Select((c, i) => ((double)i / (colors.Length - 1), c)).ToArray();

    /// <summary>The colour at position t in [0, 1] of a scale, linearly interpolated in RGB.</summary>
    public static string Interpolate((double At, string Color)[] scale, double t)
    {
        t = Math.Clamp(t, 0, 1);
        int i = 1;
        while (i < scale.Length - 1 && scale[i].At < t) i++;
        var (a, ca) = scale[i - 1];
        var (b, cb) = scale[i];
        double f = b > a ? (t - a) / (b - a) : 0;
        var (r1, g1, b1) = Rgb(ca);
        var (r2, g2, b2) = Rgb(cb);
        return Hex(r1 + f * (r2 - r1), g1 + f * (g2 - g1), b1 + f * (b2 - b1));
    }

    static (int R, int G, int B) Rgb(string hex) => (
        int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber),
        int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber),
        int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber));

    static string Hex(double r, double g, double b) =>
        $"#{(int)Math.Round(r):x2}{(int)Math.Round(g):x2}{(int)Math.Round(b):x2}";
}
