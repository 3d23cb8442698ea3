namespace R1.Tasks;

/// <summary>The built-in tasks by name, and verification of any example by its <see cref="Example.Task"/>.</summary>
public static class TaskRegistry
{
    public static readonly ArithmeticTask Arithmetic = new();
    public static readonly WordProblemTask WordProblems = new();
    public static readonly CountdownTask Countdown = new();

    public static IReadOnlyList<ITask> All { get; } = [Arithmetic, WordProblems, Countdown];

    public static ITask Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"Unknown task '{name}'. Known tasks: {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));

    /// <summary>Verify with the example's own task.</summary>
    public static VerifyResult Verify(Example example, string completion) => Get(example.Task).Verify(example, completion);
}
