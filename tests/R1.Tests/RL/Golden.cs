using System.Text.Json;

namespace R1.Tests.RL;

/// <summary>Reads tests/R1.Tests/RL/Golden/grpo_golden.json, written by tools/golden/rl_golden.py (PyTorch, float64).</summary>
static class Golden
{
    static readonly Lazy<JsonElement> root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "R1Notebooks.sln"))) dir = dir.Parent;
        if (dir is null) throw new FileNotFoundException("R1Notebooks.sln not found above " + AppContext.BaseDirectory);
        var path = Path.Combine(dir.FullName, "tests", "R1.Tests", "RL", "Golden", "grpo_golden.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    });

    public static JsonElement Root => root.Value;

    public static double[] Vector(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>A (rows, cols) matrix flattened row-major.</summary>
    public static double[] Matrix(JsonElement e) => e.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(x => x.GetDouble())).ToArray();

    public static void Close(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
