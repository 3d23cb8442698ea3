using R1.Charts;
using R1.Display;

namespace R1.Tables;

/// <summary>
/// A small columnar table — the part of Microsoft.Data.Analysis' DataFrame this project needs: typed columns
/// (double with NaN for missing, long, string), CSV in and out, select, filter, group-by aggregates and a
/// rolling mean. <see cref="AddColumn{T}"/> adds to this table; every other operation returns a new table
/// (columns are never changed in place, so tables share them freely).
/// </summary>
public sealed partial class Table : IDisplayable
{
    readonly List<TableColumn> columns = [];

    public Table() { }

    internal Table(IEnumerable<TableColumn> cols)
    {
        foreach (var c in cols) Append(c);
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; private set; }
    public IReadOnlyList<TableColumn> Columns => columns;
    public IReadOnlyList<string> ColumnNames => columns.ConvertAll(c => c.Name);

    /// <summary>The column called <paramref name="name"/>; the error lists the known names.</summary>
    public TableColumn this[string name] =>
        columns.Find(c => c.Name == name)
        ?? throw new ArgumentException($"No column '{name}'; the table has: {string.Join(", ", ColumnNames)}.", nameof(name));

    /// <summary>
    /// The column as <typeparamref name="T"/>. A long column may be read as double (converted); any other
    /// mismatch is an error naming the column's real type.
    /// </summary>
    public TableColumn<T> Column<T>(string name)
    {
        var c = this[name];
        if (c is TableColumn<T> typed) return typed;
        if (typeof(T) == typeof(double) && c is TableColumn<long>)
            return (TableColumn<T>)(object)new TableColumn<double>(name, c.AsDoubles());
        throw new InvalidOperationException($"Column '{name}' holds {c.TypeName} values, not {TableColumn.TypeNameOf(typeof(T))}.");
    }

    /// <summary>
    /// Adds a column (double, float, long, int or string values; floats and ints are widened). Its length must
    /// match <see cref="Rows"/> unless the table has no columns yet. Returns this table for chaining.
    /// </summary>
    public Table AddColumn<T>(string name, IEnumerable<T> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        TableColumn column = values switch
        {
            IEnumerable<double> d => new TableColumn<double>(name, d.ToArray()),
            IEnumerable<float> f => new TableColumn<double>(name, f.Select(v => (double)v).ToArray()),
            IEnumerable<long> l => new TableColumn<long>(name, l.ToArray()),
            IEnumerable<int> i => new TableColumn<long>(name, i.Select(v => (long)v).ToArray()),
            IEnumerable<string> s => new TableColumn<string>(name, s.ToArray()),
            _ => throw new ArgumentException($"Column '{name}': values of type {typeof(T).Name} are not supported; use double, float, long, int or string.", nameof(values)),
        };
        Append(column);
        return this;
    }

    internal void Append(TableColumn c)
    {
        if (columns.Exists(existing => existing.Name == c.Name))
            throw new ArgumentException($"The table already has a column '{c.Name}'.");
        if (columns.Count > 0 && c.Length != Rows)
            throw new ArgumentException($"Column '{c.Name}' has {c.Length} values but the table has {Rows} rows.");
        columns.Add(c);
        Rows = c.Length;
    }

    /// <summary>A table with just these columns, in this order.</summary>
    public Table Select(params string[] names) => new(names.Select(n => this[n]));

    /// <summary>The rows for which <paramref name="predicate"/> is true: <c>t.Filter(r =&gt; r.Get&lt;double&gt;("reward") &gt; 0.5)</c>.</summary>
    public Table Filter(Func<Row, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var keep = new List<int>();
        for (int i = 0; i < Rows; i++) if (predicate(new Row(this, i))) keep.Add(i);
        return TakeRows(keep.ToArray());
    }

    public Table Head(int n = 5) => TakeRows(Enumerable.Range(0, Math.Clamp(n, 0, Rows)).ToArray());
    public Table Tail(int n = 5) => TakeRows(Enumerable.Range(Rows - Math.Clamp(n, 0, Rows), Math.Clamp(n, 0, Rows)).ToArray());

    internal Table TakeRows(int[] rows) => new(columns.Select(c => c.Take(rows))) { Rows = rows.Length };

    /// <summary>Rows grouped by the values of <paramref name="key"/>, for <see cref="GroupedTable.Agg"/>.</summary>
    public GroupedTable GroupBy(string key) => new(this, this[key]);

    /// <summary>
    /// Trailing mean over the last <paramref name="window"/> rows (fewer at the start; NaNs skipped) — pandas'
    /// <c>rolling(window, min_periods=1).mean()</c>. Add it back with <see cref="AddColumn{T}"/> or chart it.
    /// </summary>
    public double[] RollingMean(string column, int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "Window must be at least 1 row.");
        return Smoothing.RollingMean(Numeric(column).AsDoubles(), window);
    }

    /// <summary>count (non-missing), mean, std (sample), min and max of every numeric column.</summary>
    public Table Describe()
    {
        var result = new Table().AddColumn("stat", new[] { "count", "mean", "std", "min", "max" });
        foreach (var c in columns.Where(c => c.IsNumeric))
        {
            var v = c.AsDoubles().Where(x => !double.IsNaN(x)).ToArray();
            double mean = v.Length > 0 ? v.Average() : double.NaN;
            double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : double.NaN;
            result.AddColumn(c.Name, new[] { v.Length, mean, std, v.Length > 0 ? v.Min() : double.NaN, v.Length > 0 ? v.Max() : double.NaN });
        }
        return result;
    }

    internal TableColumn Numeric(string name)
    {
        var c = this[name];
        return c.IsNumeric ? c : throw new InvalidOperationException($"Column '{name}' holds strings; a number column is needed.");
    }
}

/// <summary>One row of a table, as seen by <see cref="Table.Filter"/>.</summary>
public readonly struct Row
{
    readonly Table table;

    internal Row(Table table, int index) { this.table = table; Index = index; }

    public int Index { get; }

    /// <summary>The value in <paramref name="column"/>, boxed (double, long or string).</summary>
    public object? this[string column] => table[column].GetValue(Index);

    /// <summary>The value as <typeparamref name="T"/>; a long may be read as double.</summary>
    public T Get<T>(string column)
    {
        var value = this[column];
        if (value is T t) return t;
        if (typeof(T) == typeof(double) && value is long l) return (T)(object)(double)l;
        throw new InvalidOperationException($"Column '{column}' holds {table[column].TypeName} values, not {TableColumn.TypeNameOf(typeof(T))}.");
    }
}
