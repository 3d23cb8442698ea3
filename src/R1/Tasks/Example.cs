namespace R1.Tasks;

/// <summary>
/// One task item. <see cref="Prompt"/> is already wrapped in <see cref="PromptTemplate"/>; the model is
/// expected to continue it with <c>&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;</c>.
/// <see cref="Answer"/> is the reference: a number for arithmetic and word problems, one valid equation for
/// Countdown. <see cref="Kind"/> and <see cref="Numbers"/> keep the generator's structure (operation and
/// operands) so reasoning traces can be rebuilt; <see cref="Target"/> is set for Countdown only.
/// </summary>
public sealed record Example(
    string Id,
    string Task,
    string Language,
    string Prompt,
    string Answer,
    string Kind,
    int[] Numbers,
    int? Target = null)
{
    /// <summary>The question without the template (what sits between "Q: " and "\nA: ").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Question => PromptTemplate.QuestionOf(Prompt);
}

/// <summary>
/// A verifier's verdict. <see cref="HasAnswer"/>: a final answer was found in a closed
/// <c>&lt;answer&gt;</c> block; <see cref="Answer"/> is its text; <see cref="Reason"/> says why it was judged so.
/// </summary>
public sealed record VerifyResult(bool Correct, bool HasAnswer, string? Answer, string Reason)
{
    public static VerifyResult NoAnswer(string reason) => new(false, false, null, reason);
}

/// <summary>A task: a seeded generator plus a rule-based verifier that never throws on model output.</summary>
public interface ITask
{
    /// <summary>Dataset and <see cref="Example.Task"/> name, e.g. "arithmetic".</summary>
    string Name { get; }

    /// <summary>Draw one example; all randomness comes from <paramref name="rng"/>.</summary>
    Example Generate(Rng rng, string id);

    /// <summary>Judge a completion (the text the model wrote after the prompt).</summary>
    VerifyResult Verify(Example example, string completion);
}

/// <summary>
/// The prompt template shared by every stage (pretraining corpus, RL, SFT, evaluation), R1-Zero style but tiny:
/// <code>Q: 347+85=?
/// A: &lt;think&gt;7+5=12, carry 1, got 2. …&lt;/think&gt;&lt;answer&gt;432&lt;/answer&gt;</code>
/// The prompt ends after "A: "; the completion starts with the &lt;think&gt; (or &lt;answer&gt;) token and the
/// tokenizer adds &lt;eos&gt; after it.
/// </summary>
public static class PromptTemplate
{
    public const string Prefix = "Q: ";
    public const string Suffix = "\nA: ";

    public static string Format(string question) => Prefix + question + Suffix;

    /// <summary>The question inside a formatted prompt (the prompt itself if it does not follow the template).</summary>
    public static string QuestionOf(string prompt) =>
        prompt.StartsWith(Prefix, StringComparison.Ordinal) && prompt.EndsWith(Suffix, StringComparison.Ordinal)
            ? prompt[Prefix.Length..^Suffix.Length]
            : prompt;
}
