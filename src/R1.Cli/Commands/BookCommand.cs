namespace R1.Cli.Commands;

static class BookCommand
{
    public static Task<int> ExecuteAsync(string[] args) => Task.FromResult(0);
}
