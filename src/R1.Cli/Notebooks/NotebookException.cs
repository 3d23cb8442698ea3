namespace R1.Cli.Notebooks;

/// <summary>
/// A notebook that can't be read or run as asked: the message names the file and, where one is at fault,
/// the cell (1-based, as a reader counts them in an editor).
/// </summary>
public sealed class NotebookException(string message, Exception? inner = null) : Exception(message, inner)
{
    public static NotebookException InFile(string path, string problem, Exception? inner = null) =>
        new($"{path}: {problem}", inner);

    public static NotebookException InCell(string path, int cellIndex, string problem, Exception? inner = null) =>
        new($"{path}: cell {cellIndex + 1}: {problem}", inner);
}
