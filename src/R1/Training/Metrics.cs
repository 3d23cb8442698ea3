using System.Globalization;
using System.Text;

namespace R1.Training;

/// <summary>One optimisation step as logged to <c>metrics.csv</c> (names as the reference trainers log them).</summary>
public sealed record StepMetrics(int Step, float Loss, double Lr, float GradNorm, double TokensPerSecond, double StepTime, float? EvalLoss = null);

/// <summary>
/// <c>metrics.csv</c> under a run folder: a header, then one line per step, each flushed to disk as it is written
/// so a crashed or stopped run keeps every completed step. <c>eval_loss</c> is empty on steps without evaluation.
/// </summary>
public sealed class MetricsCsv : IDisposable
{
    public const string FileName = "metrics.csv";
    public const string Header = "step,loss,lr,grad_norm,tokens_per_s,step_time,eval_loss";
    readonly FileStream stream;

    public string Path { get; }

    /// <summary>Starts a fresh <c>metrics.csv</c> in <paramref name="runDir"/> (an earlier one is replaced).</summary>
    public MetricsCsv(string runDir)
    {
        Directory.CreateDirectory(runDir);
        Path = System.IO.Path.Combine(runDir, FileName);
        stream = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read);
        WriteLine(Header);
    }

    public void Append(StepMetrics m)
    {
        var c = CultureInfo.InvariantCulture;
        WriteLine(string.Join(",",
            m.Step.ToString(c), m.Loss.ToString("R", c), m.Lr.ToString("R", c), m.GradNorm.ToString("R", c),
            m.TokensPerSecond.ToString("F1", c), m.StepTime.ToString("F6", c), m.EvalLoss?.ToString("R", c) ?? ""));
    }

    void WriteLine(string line)
    {
        stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
        stream.Flush(flushToDisk: true);
    }

    public void Dispose() => stream.Dispose();

    /// <summary>Reads a metrics.csv back (for notebooks and tests).</summary>
    public static List<StepMetrics> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header) throw new FormatException($"{path}: expected the header '{Header}'.");
        var c = CultureInfo.InvariantCulture;
        var rows = new List<StepMetrics>();
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != 7) throw new FormatException($"{path} line {i + 1}: expected 7 fields, found {f.Length}.");
            rows.Add(new StepMetrics(int.Parse(f[0], c), float.Parse(f[1], c), double.Parse(f[2], c), float.Parse(f[3], c),
                double.Parse(f[4], c), double.Parse(f[5], c), f[6].Length == 0 ? null : float.Parse(f[6], c)));
        }
        return rows;
    }
}
