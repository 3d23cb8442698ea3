using R1.Cli.Notebooks;
using Spectre.Console;

namespace R1.Cli;

/// <summary>
/// Live progress on the terminal while a notebook runs: a bar for the cells and one per progress id that the
/// notebook's code reports. Drawn on standard error, and only when that is a terminal (never in CI logs).
/// </summary>
sealed class TerminalProgress(ProgressContext context, string title) : IRunObserver
{
    readonly ProgressTask cells = context.AddTask(title, maxValue: 1);
    readonly Dictionary<string, ProgressTask> tasks = [];
    readonly Lock gate = new();

    public static async Task<T> Show<T>(string title, Func<IRunObserver?, Task<T>> run)
    {
        if (Console.IsErrorRedirected) return await run(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ConsoleRouter.OriginalError) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(context => run(new TerminalProgress(context, title)));
    }

    public void CellStarted(int codeCellNumber, int codeCellCount)
    {
        cells.MaxValue = codeCellCount;
        cells.Value = codeCellNumber - 1;
        cells.Description = Markup.Escape($"{title}: cell {codeCellNumber}/{codeCellCount}");
    }

    public void Progress(string id, string description, long done, long total, string? detail, bool finished)
    {
        ProgressTask? task;
        lock (gate)
            if (!tasks.TryGetValue(id, out task)) tasks[id] = task = context.AddTask(Markup.Escape(description));
        task.MaxValue = Math.Max(total, 1);
        task.Value = done;
        task.Description = Markup.Escape(string.IsNullOrWhiteSpace(detail) ? description : $"{description} · {detail}");
        if (finished) task.StopTask();
    }
}
