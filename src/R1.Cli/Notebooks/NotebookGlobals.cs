namespace R1.Cli.Notebooks;

/// <summary>
/// What a cell sees besides its imports: <c>display(x)</c> as in Polyglot Notebooks, the notebook's path and
/// the <c>-p</c> overrides of this run. (The parameters themselves are ordinary variables of the parameters cell.)
/// </summary>
public sealed class NotebookGlobals
{
    readonly Func<CellRecorder> currentCell;

    internal NotebookGlobals(string notebookPath, IReadOnlyDictionary<string, string> parameters, Func<CellRecorder> currentCell)
    {
        NotebookPath = notebookPath;
        Parameters = parameters;
        this.currentCell = currentCell;
    }

    /// <summary>Shows <paramref name="value"/> under the running cell: rich when it is an IDisplayable.</summary>
    public DisplayHandle display(object? value) => currentCell().DisplayWithHandle(value);

    /// <summary>Full path of the notebook being run.</summary>
    public string NotebookPath { get; }

    /// <summary>The <c>-p name=value</c> overrides given to this run, as typed on the command line.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }
}
