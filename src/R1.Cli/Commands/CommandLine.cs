namespace R1.Cli.Commands;

/// <summary>
/// A command's arguments: positionals, flags (--quick) and options with a value (--out DIR, -p a=b, repeatable).
/// Hand-rolled because the grammar is this small; anything unexpected is a <see cref="UsageException"/>.
/// </summary>
sealed class CommandLine
{
    readonly Dictionary<string, List<string>> options = [];
    readonly HashSet<string> flags = [];

    public List<string> Positionals { get; } = [];

    public static CommandLine Parse(string command, string[] args, string[] flagNames, string[] optionNames)
    {
        var line = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=')
                ? (arg[..arg.IndexOf('=')], arg[(arg.IndexOf('=') + 1)..])
                : (arg, null);
            if (flagNames.Contains(name))
            {
                if (inline is not null) throw new UsageException($"{command}: {name} takes no value");
                line.flags.Add(name);
            }
            else if (optionNames.Contains(name))
            {
                var value = inline ?? (i + 1 < args.Length ? args[++i] : throw new UsageException($"{command}: {name} needs a value"));
                if (!line.options.TryGetValue(name, out var list)) line.options[name] = list = [];
                list.Add(value);
            }
            else if (arg.StartsWith('-') && arg.Length > 1)
                throw new UsageException($"{command}: unknown option '{arg}' (known: {string.Join(", ", flagNames.Concat(optionNames))})");
            else line.Positionals.Add(arg);
        }
        return line;
    }

    public bool Flag(string name) => flags.Contains(name);

    public IReadOnlyList<string> All(string name) => options.TryGetValue(name, out var list) ? list : [];

    /// <summary>The option's value when given once, null when not given; twice is a mistake.</summary>
    public string? Single(string command, string name) => All(name) switch
    {
        [] => null,
        [var one] => one,
        _ => throw new UsageException($"{command}: {name} given more than once"),
    };
}
