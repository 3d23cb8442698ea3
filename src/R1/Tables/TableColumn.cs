using System.Collections;
using System.Globalization;

namespace R1.Tables;

/// <summary>A named column of a <see cref="Table"/>: double (NaN = missing), long, or string values.</summary>
public abstract class TableColumn
{
    private protected TableColumn(string name) => Name = name;

    public string Name { get; }
    public abstract Type DataType { get; }
    public abstract int Length { get; }
    /// <summary>The value at <paramref name="row"/>, boxed (double, long or string).</summary>
    public abstract object? GetValue(int row);
    public bool IsNumeric => DataType != typeof(string);

    /// <summary>"double", "long" or "string", for messages and displays.</summary>
    public string TypeName => TypeNameOf(DataType);

    internal static string TypeNameOf(Type t) =>
        t == typeof(double) ? "double" : t == typeof(long) ? "long" : t == typeof(string) ? "string" : t.Name;

    /// <summary>The values as doubles (longs converted); only for numeric columns.</summary>
    internal abstract double[] AsDoubles();
    internal abstract TableColumn Take(int[] rows);
    internal abstract TableColumn Renamed(string name);
    /// <summary>Text for displays (short, "NaN" for missing).</summary>
    internal abstract string Display(int row);
    /// <summary>Text for CSV (round-trips; empty for a missing double).</summary>
    internal abstract string Csv(int row);
}

/// <summary>A column of <typeparamref name="T"/> (double, long or string), read-only.</summary>
public sealed class TableColumn<T> : TableColumn, IReadOnlyList<T>
{
    readonly T[] values;

    internal TableColumn(string name, T[] values) : base(name) => this.values = values;

    public override Type DataType => typeof(T);
    public override int Length => values.Length;
    public int Count => values.Length;
    public T this[int row] => values[row];
    public override object? GetValue(int row) => values[row];

    public ReadOnlySpan<T> AsSpan() => values;
    public T[] ToArray() => (T[])values.Clone();
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)values).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => values.GetEnumerator();

    internal override double[] AsDoubles() => values switch
    {
        double[] d => d,
        long[] l => Array.ConvertAll(l, v => (double)v),
        _ => throw new InvalidOperationException($"Column '{Name}' holds strings, not numbers."),
    };

    internal override TableColumn Take(int[] rows)
    {
        var taken = new T[rows.Length];
        for (int i = 0; i < rows.Length; i++) taken[i] = values[rows[i]];
        return new TableColumn<T>(Name, taken);
    }

    internal override TableColumn Renamed(string name) => new TableColumn<T>(name, values);

    internal override string Display(int row) => values[row] switch
    {
        double d => double.IsNaN(d) ? "NaN" : d.ToString("G6", CultureInfo.InvariantCulture).Replace("E+", "e+").Replace("E-", "e-"),
        long l => l.ToString(CultureInfo.InvariantCulture),
        var s => s?.ToString() ?? "",
    };

    internal override string Csv(int row) => values[row] switch
    {
        double d => FormatDouble(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        var s => s?.ToString() ?? "",
    };

    /// <summary>Shortest round-trip text; whole numbers keep ".0" so the column reloads as double, not long.</summary>
    static string FormatDouble(double d)
    {
        if (double.IsNaN(d)) return "";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.AsSpan().IndexOfAny(".E") < 0 ? s + ".0" : s;
    }
}
