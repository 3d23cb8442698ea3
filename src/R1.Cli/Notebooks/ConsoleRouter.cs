using System.Text;

namespace R1.Cli.Notebooks;

/// <summary>
/// Console.Out and Console.Error are process-wide, but cells of different notebooks may run at once (tests do).
/// So the console is replaced once by writers that forward to the writer of the current async flow — the
/// running cell's — and to the real console everywhere else.
/// </summary>
static class ConsoleRouter
{
    static readonly AsyncLocal<TextWriter?> outTarget = new(), errTarget = new();
    static readonly Lock gate = new();
    static TextWriter? installedOut, installedErr;

    /// <summary>The real standard error (for the terminal progress bar), whatever cell is running.</summary>
    public static TextWriter OriginalError { get; private set; } = Console.Error;

    /// <summary>Sends this flow's console output to the given writers until the result is disposed.</summary>
    public static IDisposable Capture(TextWriter stdout, TextWriter stderr)
    {
        Install();
        var (previousOut, previousErr) = (outTarget.Value, errTarget.Value);
        outTarget.Value = stdout;
        errTarget.Value = stderr;
        return new Restore(() => { outTarget.Value = previousOut; errTarget.Value = previousErr; });
    }

    static void Install()
    {
        lock (gate)
        {
            // Someone else may have called Console.SetOut since: wrap whatever is there now.
            if (!ReferenceEquals(Console.Out, installedOut))
            {
                var original = Console.Out;
                Console.SetOut(new RoutingWriter(() => outTarget.Value ?? original, original.Encoding));
                installedOut = Console.Out;
            }
            if (!ReferenceEquals(Console.Error, installedErr))
            {
                var original = Console.Error;
                OriginalError = original;
                Console.SetError(new RoutingWriter(() => errTarget.Value ?? original, original.Encoding));
                installedErr = Console.Error;
            }
        }
    }

    sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    sealed class RoutingWriter(Func<TextWriter> target, Encoding encoding) : TextWriter
    {
        public override Encoding Encoding => encoding;
        public override void Write(char value) => target().Write(value);
        public override void Write(string? value) => target().Write(value);
        public override void Write(char[] buffer, int index, int count) => target().Write(buffer, index, count);
        public override void Write(ReadOnlySpan<char> buffer) => target().Write(buffer);
        public override void WriteLine(string? value) => target().WriteLine(value);
        public override void WriteLine(ReadOnlySpan<char> buffer) => target().WriteLine(buffer);
        public override void Flush() => target().Flush();
    }
}
