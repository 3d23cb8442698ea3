using R1.Models;
using R1.Training;

namespace R1.Tasks;

/// <summary>
/// One supervised example: a task <see cref="Example"/> (the prompt and the reference, so the completion can be
/// verified again) and the completion a model should learn to write after the prompt. <see cref="Style"/> says how
/// the completion was made ("verification", "journey", "greeting", "sampled", …). Cold-start, general, journey and
/// rejection-sampled data all use this record.
/// </summary>
public sealed record Demonstration(string Id, string Style, Example Example, string Completion)
{
    /// <summary>Prompt with &lt;bos&gt;, completion with &lt;eos&gt; — the layout every stage samples and trains with.</summary>
    public SftExample ToSft(Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new SftExample(tokenizer.Encode(Example.Prompt, addBos: true), tokenizer.Encode(Completion, addEos: true));
    }
}

/// <summary>A preferred and a dispreferred completion of the same prompt, for a Bradley–Terry reward model.</summary>
/// <param name="Kind">What is wrong with <see cref="Rejected"/> (e.g. "wrong", "rude", "rambling", "unneeded_cot").</param>
public sealed record PreferencePair(string Id, string Kind, Example Example, string Chosen, string Rejected);

public static class DemonstrationExtensions
{
    /// <summary>SFT rows for <see cref="Sft.Run"/>: <c>Sft.Run(model, tok, demos.ToSft(tok), config)</c>.</summary>
    public static List<SftExample> ToSft(this IEnumerable<Demonstration> demonstrations, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(demonstrations);
        return demonstrations.Select(d => d.ToSft(tokenizer)).ToList();
    }
}
