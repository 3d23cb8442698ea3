using System.Globalization;
using System.Text;
using System.Text.Json;
using R1.Tables;

namespace R1.RL;

/// <summary>
/// Per-step metrics of a run: kept in memory for charts (<see cref="this[string]"/> gives a column) and, when the
/// run has a folder, appended to its <c>metrics.csv</c> as they arrive (so a crashed run keeps its curve).
/// Columns are fixed by the first row; metric names follow the reference trainers (reward, kl, clip_ratio/low_mean…).
/// </summary>
public sealed class RunHistory
{
    readonly List<int> steps = [];
    readonly List<double[]> rows = [];
    readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
    readonly string? csvPath;
    string[] columns = [];

    /// <param name="csvPath">metrics.csv to write (created, truncated); null keeps the history in memory only.</param>
    public RunHistory(string? csvPath = null)
    {
        this.csvPath = csvPath;
        if (csvPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(csvPath))!);
            File.WriteAllText(csvPath, "");
        }
    }

    /// <summary>Metric names, in column order (without "step").</summary>
    public IReadOnlyList<string> Columns => columns;
    public int Count => rows.Count;
    public IReadOnlyList<int> Steps => steps;

    /// <summary>The series of one metric, one value per logged step.</summary>
    public double[] this[string metric] => index.TryGetValue(metric, out var c)
        ? rows.Select(r => r[c]).ToArray()
        : throw new KeyNotFoundException($"no metric '{metric}'; the run logged: {string.Join(", ", columns)}.");

    /// <summary>The last value of a metric.</summary>
    public double Last(string metric) => this[metric][^1];

    /// <summary>The history as a table ("step" then one column per metric) to display, filter or chart.</summary>
    public Table ToTable()
    {
        var t = new Table().AddColumn("step", steps);
        foreach (var c in columns) t.AddColumn(c, this[c]);
        return t;
    }

    /// <summary>Log one step. The first call fixes the columns; later calls must carry the same metric names.</summary>
    public void Add(int step, IReadOnlyDictionary<string, double> metrics)
    {
        if (rows.Count == 0)
        {
            columns = metrics.Keys.ToArray();
            for (int i = 0; i < columns.Length; i++) index[columns[i]] = i;
            if (csvPath is not null) File.AppendAllText(csvPath, "step," + string.Join(",", columns) + "\n");
        }
        else if (metrics.Count != columns.Length || metrics.Keys.Any(k => !index.ContainsKey(k)))
            throw new ArgumentException($"step {step} logs [{string.Join(", ", metrics.Keys)}]; expected the columns [{string.Join(", ", columns)}].", nameof(metrics));
        var row = new double[columns.Length];
        foreach (var (k, v) in metrics) row[index[k]] = v;
        steps.Add(step);
        rows.Add(row);
        if (csvPath is not null)
        {
            var sb = new StringBuilder().Append(step.ToString(CultureInfo.InvariantCulture));
            foreach (var v in row) sb.Append(',').Append(v.ToString("G7", CultureInfo.InvariantCulture));
            File.AppendAllText(csvPath, sb.Append('\n').ToString());
        }
    }

    /// <summary>Read a metrics.csv back (e.g. a finished run's folder) into a history.</summary>
    public static RunHistory Load(string csvPath)
    {
        var lines = File.ReadAllLines(csvPath);
        if (lines.Length == 0 || !lines[0].StartsWith("step,", StringComparison.Ordinal))
            throw new InvalidDataException($"{csvPath}: expected a header line starting with 'step,'.");
        var names = lines[0].Split(',')[1..];
        var h = new RunHistory();
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != names.Length + 1)
                throw new InvalidDataException($"{csvPath} line {i + 1}: {cells.Length} cells, expected {names.Length + 1}.");
            var m = new Dictionary<string, double>();
            for (int c = 0; c < names.Length; c++) m[names[c]] = double.Parse(cells[c + 1], CultureInfo.InvariantCulture);
            h.Add(int.Parse(cells[0], CultureInfo.InvariantCulture), m);
        }
        return h;
    }
}

/// <summary>Appends sampled completions with their rewards to a run's <c>samples.jsonl</c>, one JSON object a line.</summary>
public sealed class SampleLog
{
    // snake_case like the datasets' JSONL ("example_id", "completion"); readable Chinese text, not \u escapes
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    readonly string? path;

    public SampleLog(string? path)
    {
        this.path = path;
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, "");
        }
    }

    public void Add(object record)
    {
        if (path is not null) File.AppendAllText(path, JsonSerializer.Serialize(record, Options) + "\n");
    }
}
