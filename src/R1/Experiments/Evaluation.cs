using System.Globalization;
using R1.Models;
using R1.Tasks;

namespace R1.Experiments;

/// <summary>The k sampled completions for one test example, with the verifier's verdict on each.</summary>
public sealed record SampledExample(Example Example, string[] Completions, bool[] Correct)
{
    /// <summary>Share of the samples that are right: this example's pass@1 estimate.</summary>
    public double PassRate => Correct.Length == 0 ? 0 : Correct.Count(c => c) / (double)Correct.Length;

    /// <summary>Whether the majority answer over the first <paramref name="k"/> samples is right (see <see cref="Evaluation.MajorityVote"/>).</summary>
    public bool MajorityCorrect(int k) => Evaluation.MajorityVote(Example, Completions.Take(k).ToList());
}

/// <summary>An evaluation over a test split: k samples per example.</summary>
public sealed record EvalReport(IReadOnlyList<SampledExample> Items, int Samples, float Temperature)
{
    /// <summary>pass@1 averaged over the k samples of every example (the R1 paper's reported metric).</summary>
    public double PassAt1 => Evaluation.PassAt1(Items.Select(i => i.Correct));

    /// <summary>maj@k: share of examples whose majority answer over the first k samples is right.</summary>
    public double MajAt(int k) => Items.Count == 0 ? 0 : Items.Count(i => i.MajorityCorrect(k)) / (double)Items.Count;

    /// <summary>All completions, example-major, paired with their examples (for <see cref="CompletionStats"/>).</summary>
    public IEnumerable<(Example Example, string Completion)> Pairs =>
        Items.SelectMany(i => i.Completions.Select(c => (i.Example, c)));
}

/// <summary>
/// Reproducible evaluation (SPEC: "average pass@1 over several samples"): k completions per test prompt at a given
/// temperature, judged by the task's verifier; pass@1 averaged over samples and examples, and majority voting (maj@k,
/// self-consistency).
/// </summary>
public static class Evaluation
{
    /// <summary>
    /// Samples <paramref name="samples"/> completions for every example (temperature 0 = greedy, where one sample is
    /// enough) and verifies each. Prompts are encoded with &lt;bos&gt;; completions are decoded without the stop token.
    /// </summary>
    public static EvalReport Run(GPT model, Tokenizer tokenizer, IReadOnlyList<Example> examples, int samples = 4,
        float temperature = 1f, int maxNewTokens = 128, ulong seed = 0, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(examples);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Need at least one sample per example.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
        // One row per (example, sample); rows are generated in batches of whole examples.
        var rows = examples.SelectMany((e, i) => Enumerable.Repeat(i, samples)).ToArray();
        var texts = new string[rows.Length];
        var options = new SamplingOptions { MaxNewTokens = maxNewTokens, Temperature = temperature, StopToken = tokenizer.EosId };
        for (int start = 0; start < rows.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, rows.Length - start);
            var prompts = Enumerable.Range(start, n).Select(r => tokenizer.Encode(examples[rows[r]].Prompt, addBos: true)).ToList();
            var gen = model.Generate(prompts, options with { Seed = seed + (ulong)start });
            for (int b = 0; b < n; b++) texts[start + b] = Decode(tokenizer, gen.Tokens[b]);
        }
        var items = new List<SampledExample>(examples.Count);
        for (int i = 0; i < examples.Count; i++)
        {
            var completions = texts.AsSpan(i * samples, samples).ToArray();
            items.Add(new SampledExample(examples[i], completions, completions.Select(c => TaskRegistry.Verify(examples[i], c).Correct).ToArray()));
        }
        return new EvalReport(items, samples, temperature);
    }

    /// <summary>A completion's text: the tokens decoded, a final stop token dropped.</summary>
    public static string Decode(Tokenizer tokenizer, int[] tokens)
    {
        int n = tokens.Length > 0 && tokens[^1] == tokenizer.EosId ? tokens.Length - 1 : tokens.Length;
        return tokenizer.Decode(tokens.AsSpan(0, n));
    }

    /// <summary>Mean over examples of the share of correct samples (each inner array is one example's samples).</summary>
    public static double PassAt1(IEnumerable<bool[]> correct)
    {
        ArgumentNullException.ThrowIfNull(correct);
        double sum = 0;
        int n = 0;
        foreach (var c in correct)
        {
            if (c.Length == 0) throw new ArgumentException($"Example {n} has no samples; pass@1 needs at least one per example.", nameof(correct));
            sum += c.Count(x => x) / (double)c.Length;
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    /// <summary>
    /// The key a completion votes with: its final answer normalised so that equal answers agree — the numeric value
    /// for numeric tasks ("1,234" and "1234" vote together), the equation without spaces for Countdown. Null when
    /// there is no usable answer (such a completion does not vote).
    /// </summary>
    public static string? VoteKey(Example example, string completion)
    {
        var text = AnswerParser.ExtractAnswer(completion);
        if (string.IsNullOrEmpty(text)) return null;
        if (example.Target is not null) return string.Concat(AnswerParser.Normalize(text).Where(c => !char.IsWhiteSpace(c)));
        return AnswerParser.TryParseNumber(text, out var v, out _) ? v.ToString("R", CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// The most frequent non-null key and its count. Ties go to the key that appeared first, so the result does not
    /// depend on hash order. (null, 0) when no key is given.
    /// </summary>
    public static (string? Key, int Votes) Majority(IReadOnlyList<string?> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var counts = new Dictionary<string, int>();
        var order = new List<string>();
        foreach (var k in keys)
        {
            if (k is null) continue;
            if (!counts.TryAdd(k, 1)) counts[k]++;
            else order.Add(k);
        }
        string? best = null;
        int votes = 0;
        foreach (var k in order)   // first-seen order: a later key must beat, not tie, the leader
            if (counts[k] > votes) { best = k; votes = counts[k]; }
        return (best, votes);
    }

    /// <summary>
    /// Self-consistency: the majority answer among the completions (ties to the first seen), judged by the task's
    /// verifier on a completion that gave it. False when no completion has an answer.
    /// </summary>
    public static bool MajorityVote(Example example, IReadOnlyList<string> completions)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(completions);
        var keys = completions.Select(c => VoteKey(example, c)).ToList();
        var (winner, _) = Majority(keys);
        return winner is not null && TaskRegistry.Verify(example, completions[keys.IndexOf(winner)]).Correct;
    }
}
