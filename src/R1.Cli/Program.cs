using R1.Cli.Commands;

// r1 — run notebooks, build the book. Each command lives in Commands/; this file only dispatches.
try
{
    return args.FirstOrDefault() switch
    {
        "run" => await RunCommand.ExecuteAsync(args[1..]),
        "book" => await BookCommand.ExecuteAsync(args[1..]),
        null or "help" or "--help" or "-h" => Help.Print(Console.Out),
        var other => throw new UsageException($"unknown command '{other}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("Run with --help for usage.");
    return 2;
}
