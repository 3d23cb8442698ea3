namespace R1.Tables;

/// <summary>A table's rows grouped by a key column (groups in order of first appearance).</summary>
public sealed class GroupedTable
{
    static readonly string[] Ops = ["count", "sum", "mean", "std", "min", "max", "first", "last"];

    readonly Table table;
    readonly TableColumn key;
    readonly int[][] groups;   // row indices of each group

    internal GroupedTable(Table table, TableColumn key)
    {
        this.table = table;
        this.key = key;
        var index = new Dictionary<object, List<int>>();   // boxed double.Equals treats NaN as equal, so NaN keys group together
        var order = new List<List<int>>();
        for (int r = 0; r < table.Rows; r++)
        {
            var k = key.GetValue(r) ?? "";
            if (!index.TryGetValue(k, out var rows)) { index[k] = rows = []; order.Add(rows); }
            rows.Add(r);
        }
        groups = order.Select(g => g.ToArray()).ToArray();
    }

    /// <summary>Number of groups.</summary>
    public int Count => groups.Length;

    /// <summary>
    /// One row per group: the key column, then one column per aggregation named "{column}_{op}".
    /// Ops: count (non-missing values), sum, mean, std (sample, n−1), min, max, first, last; NaNs are skipped
    /// as pandas does. count gives long; sum/min/max/first/last keep a long column long; mean and std give double;
    /// strings allow only count, first and last.
    /// </summary>
    public Table Agg(params (string Column, string Op)[] aggregations)
    {
        ArgumentNullException.ThrowIfNull(aggregations);
        var firstRows = groups.Select(g => g[0]).ToArray();
        var result = new Table(new[] { key.Take(firstRows) });
        foreach (var (column, op) in aggregations)
        {
            if (!Ops.Contains(op))
                throw new ArgumentException($"Unknown aggregation '{op}'; use one of: {string.Join(", ", Ops)}.", nameof(aggregations));
            result.Append(Aggregate(table[column], op, $"{column}_{op}"));
        }
        return result;
    }

    TableColumn Aggregate(TableColumn c, string op, string name)
    {
        if (op == "count")
            return new TableColumn<long>(name, groups.Select(g => (long)g.Count(r => !IsMissing(c, r))).ToArray());
        if (op is "first" or "last")
        {
            var pick = groups.Select(g =>
            {
                var present = g.Where(r => !IsMissing(c, r));
                return present.Any() ? (op == "first" ? present.First() : present.Last()) : (op == "first" ? g[0] : g[^1]);
            }).ToArray();
            return c.Take(pick).Renamed(name);
        }
        if (!c.IsNumeric)
            throw new InvalidOperationException($"Aggregation '{op}' needs a number column; '{c.Name}' holds strings (use count, first or last).");
        if (c is TableColumn<long> longs && op is "sum" or "min" or "max")
            return new TableColumn<long>(name, groups.Select(g => op switch
            {
                "sum" => g.Sum(r => longs[r]),
                "min" => g.Min(r => longs[r]),
                _ => g.Max(r => longs[r]),
            }).ToArray());

        var values = c.AsDoubles();
        return new TableColumn<double>(name, groups.Select(g =>
        {
            var v = g.Select(r => values[r]).Where(x => !double.IsNaN(x)).ToArray();
            if (v.Length == 0) return op == "sum" ? 0 : double.NaN;
            double mean = v.Average();
            return op switch
            {
                "sum" => v.Sum(),
                "mean" => mean,
                "std" => v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : double.NaN,
                "min" => v.Min(),
                _ => v.Max(),
            };
        }).ToArray());
    }

    static bool IsMissing(TableColumn c, int row) => c.GetValue(row) is double d && double.IsNaN(d);
}
