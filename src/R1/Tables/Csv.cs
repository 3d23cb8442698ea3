using R1.IO;
using System.Globalization;
using System.Text;
using R1.Charts;

namespace R1.Tables;

public sealed partial class Table
{
    /// <summary>Loads a CSV file with a header row; see <see cref="ReadCsv"/>.</summary>
    public static Table LoadCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No CSV file at '{path}'.", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path);
    }

    /// <summary>
    /// Reads RFC 4180 CSV: a header row, comma separators, fields in double quotes may hold commas, quotes ("")
    /// and line breaks; LF or CRLF line ends; blank lines skipped. Column types are inferred: all whole
    /// numbers → long; all numbers (empty, nan and inf allowed) → double with NaN for empty; otherwise string.
    /// </summary>
    public static Table ReadCsv(TextReader reader, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var where = source ?? "CSV";
        using var records = Records(reader, where).GetEnumerator();
        if (!records.MoveNext()) throw new FormatException($"{where} is empty: a header row is needed.");
        var header = records.Current.Fields;
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new FormatException($"{where}: the header names column '{duplicate.Key}' twice.");

        var cells = header.Select(_ => new List<string>()).ToArray();
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Count != header.Count)
                throw new FormatException($"{where}, line {line}: expected {header.Count} fields ({string.Join(",", header)}) but found {fields.Count}.");
            for (int i = 0; i < fields.Count; i++) cells[i].Add(fields[i]);
        }
        return new Table(header.Select((name, i) => Infer(name, cells[i])));
    }

    /// <summary>Writes the table as CSV (atomically: a temp file renamed into place). NaN is written as an empty cell.</summary>
    public void SaveCsv(string path) =>
        AtomicFile.WriteText(path, WriteCsv);

    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(",", columns.Select(c => Quote(c.Name))));
        writer.Write('\n');
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                if (c > 0) writer.Write(',');
                var text = columns[c].Csv(r);
                writer.Write(columns[c].DataType == typeof(string) ? Quote(text) : text);
            }
            writer.Write('\n');
        }
    }

    static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])))
            ? "\"" + s.Replace("\"", "\"\"") + "\""
            : s;

    static TableColumn Infer(string name, List<string> cells)
    {
        bool allLong = true, allDouble = true;
        foreach (var cell in cells)
        {
            if (cell.Length == 0) { allLong = false; continue; }   // a missing value: only a double column can hold it
            allLong &= long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
            allDouble &= TryParseDouble(cell, out _);
            if (!allDouble) break;
        }
        if (allLong && cells.Count > 0)
            return new TableColumn<long>(name, cells.Select(c => long.Parse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray());
        if (allDouble)
            return new TableColumn<double>(name, cells.Select(c => c.Length == 0 ? double.NaN : TryParseDouble(c, out var d) ? d : double.NaN).ToArray());
        return new TableColumn<string>(name, cells.ToArray());
    }

    static bool TryParseDouble(string s, out double value)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        // Python and pandas write nan / inf / -inf.
        switch (s.Trim().ToLowerInvariant())
        {
            case "nan": value = double.NaN; return true;
            case "inf" or "+inf" or "infinity" or "+infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
            default: return false;
        }
    }

    /// <summary>Splits CSV text into records, each with the line number it starts on.</summary>
    static IEnumerable<(int Line, List<string> Fields)> Records(TextReader reader, string where)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1;
        bool quoted = false, wasQuoted = false, any = false;
        while (true)
        {
            int ch = reader.Read();
            if (quoted)
            {
                if (ch == -1) throw new FormatException($"{where}, line {recordLine}: a quoted field is never closed.");
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append((char)ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0 && !wasQuoted:
                    quoted = wasQuoted = any = true;
                    break;
                case '"' when wasQuoted:
                    throw new FormatException($"{where}, line {line}: unexpected quote after a closed quoted field.");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    any = true;
                    break;
                case '\r' or '\n' or -1:
                    if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                    if (any || field.Length > 0)   // blank lines are skipped
                    {
                        fields.Add(field.ToString());
                        yield return (recordLine, fields);
                        fields = [];
                    }
                    field.Clear();
                    wasQuoted = any = false;
                    if (ch == -1) yield break;
                    recordLine = ++line;
                    break;
                default:
                    if (wasQuoted) throw new FormatException($"{where}, line {line}: unexpected text after a closed quoted field.");
                    field.Append((char)ch);
                    break;
            }
        }
    }
}
