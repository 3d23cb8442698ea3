using R1.Rewards;
using R1.Tasks;

namespace R1.Experiments;

/// <summary>
/// What the R1-Zero notebook charts about a set of completions, each a share or a mean over the completions:
/// length (tokens of the character-level tokenizer), the "aha" vocabulary, language mixing, and how the model chose
/// to answer (worked steps vs a bare guess).
/// </summary>
/// <param name="Count">Completions measured.</param>
/// <param name="MeanLength">Mean completion length in tokens.</param>
/// <param name="ReflectionRate">Share of completions with at least one reflection phrase (<see cref="TextStats.ReflectionPhrases"/>).</param>
/// <param name="ReflectionsPerCompletion">Mean number of reflection phrases per completion.</param>
/// <param name="MixedRate">Share of completions whose chain of thought is language-mixed (<see cref="TextStats.IsLanguageMixed"/>); no thought counts as not mixed.</param>
/// <param name="WorkedRate">Share whose chain of thought holds at least one computed step (a sentence with "="): worked rather than guessed.</param>
/// <param name="FormatRate">Share in the exact <c>&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;</c> format.</param>
/// <param name="AnswerRate">Share with a closed final answer block.</param>
/// <param name="Accuracy">Share the task's verifier accepts.</param>
public sealed record CompletionStats(int Count, double MeanLength, double ReflectionRate, double ReflectionsPerCompletion,
    double MixedRate, double WorkedRate, double FormatRate, double AnswerRate, double Accuracy)
{
    public static CompletionStats Of(IEnumerable<(Example Example, string Completion)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        int n = 0, reflective = 0, reflections = 0, mixed = 0, worked = 0, format = 0, answered = 0, correct = 0;
        long length = 0;
        foreach (var (ex, c) in items)
        {
            n++;
            length += TextStats.TokenLength(c);
            var thought = TextStats.ThinkText(c);
            int r = TextStats.ReflectionCount(c);
            reflections += r;
            if (r > 0) reflective++;
            if (thought is not null && TextStats.IsLanguageMixed(thought, ex.Language)) mixed++;
            if (RewardFunctions.CountSteps(thought) > 0) worked++;
            if (RewardFunctions.Format(ex, c) > 0) format++;
            var v = TaskRegistry.Verify(ex, c);
            if (v.HasAnswer) answered++;
            if (v.Correct) correct++;
        }
        double Share(int k) => n == 0 ? 0 : k / (double)n;
        return new CompletionStats(n, n == 0 ? 0 : length / (double)n, Share(reflective), Share(reflections), Share(mixed),
            Share(worked), Share(format), Share(answered), Share(correct));
    }

    /// <summary>Stats of completions all written for one example list, completion i for example i.</summary>
    public static CompletionStats Of(IReadOnlyList<Example> examples, IReadOnlyList<string> completions)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(completions);
        if (examples.Count != completions.Count)
            throw new ArgumentException($"Got {examples.Count} examples but {completions.Count} completions; pass one example per completion.");
        return Of(examples.Zip(completions));
    }
}
