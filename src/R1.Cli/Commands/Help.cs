namespace R1.Cli.Commands;

/// <summary>The --help text: every command and option in one place.</summary>
static class Help
{
    public const string Text = """
        r1 — run R1Notebooks notebooks and build the book

        Usage (from the repository root):
          dotnet run --project src/R1.Cli -- book [--quick] [--out DIR] [--only PATTERN] [--notebooks DIR]
          dotnet run --project src/R1.Cli -- run NOTEBOOK... [-p name=value]... [--out PATH | --inplace]
          dotnet run --project src/R1.Cli -- --help

        book   Runs every notebooks/*.ipynb in name order and writes DIR (default artifacts/book):
               the executed notebooks, one HTML page per notebook and index.html. Works offline.
                 --quick           set every notebook's `quick` parameter (small, fast settings; CI uses it)
                 --out DIR         where to write the book
                 --only PATTERN    only notebooks whose file name contains PATTERN (or matches it, with * and ?)
                 --notebooks DIR   read notebooks from DIR instead of notebooks/

        run    Runs notebooks (.ipynb or .dib) and writes each executed notebook, with its outputs, to
               artifacts/run/NAME.ipynb. The source is never modified unless --inplace is given.
                 -p name=value     override a variable of the cell tagged `parameters` (repeatable)
                 --out PATH        output file (one notebook, PATH ends in .ipynb) or folder
                 --inplace         write outputs back into the source notebook

        Exit status: 0 all notebooks ran, 1 a notebook failed, 2 bad usage.
        """;

    public static int Print(TextWriter writer)
    {
        writer.WriteLine(Text);
        return 0;
    }
}

/// <summary>A mistake on the command line: reported with a hint to --help, exit status 2.</summary>
sealed class UsageException(string message) : Exception(message);
