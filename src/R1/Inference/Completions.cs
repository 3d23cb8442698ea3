using R1.Display;
using R1.Models;
using R1.Tasks;

namespace R1.Inference;

/// <summary>
/// Many sampled completions per example from a model — the raw material of pass@k, majority voting, best-of-N and
/// rejection sampling. Texts are decoded without the final &lt;eos&gt;; a completion that never produced &lt;eos&gt;
/// was cut at <see cref="SamplingOptions.MaxNewTokens"/> tokens.
/// </summary>
public static class Completions
{
    /// <summary>Most sequences per <see cref="GPT.Generate"/> call (bounds the KV cache: rows × context × layers × 2C floats).</summary>
    public const int MaxBatchRows = 256;

    /// <summary>
    /// <paramref name="n"/> completions for each example (result[i][j] = sample j of example i). Examples go to the
    /// model in chunks of whole groups; chunk c samples with a seed derived from options.Seed and c, so results are
    /// reproducible (and nearby seeds do not share chunks).
    /// </summary>
    public static string[][] Sample(GPT model, Tokenizer tokenizer, IReadOnlyList<Example> examples, int n, SamplingOptions? options = null,
        bool reportProgress = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(examples);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n (samples per example) must be at least 1.");
        options ??= new SamplingOptions { StopToken = tokenizer.EosId };
        var result = new string[examples.Count][];
        int perChunk = Math.Max(1, MaxBatchRows / n);
        using var progress = reportProgress ? Progress.Start($"sampling {n} per prompt", examples.Count) : null;
        for (int start = 0, chunk = 0; start < examples.Count; start += perChunk, chunk++)
        {
            int count = Math.Min(perChunk, examples.Count - start);
            var prompts = new List<int[]>(count * n);
            for (int i = 0; i < count; i++)
            {
                var ids = tokenizer.Encode(examples[start + i].Prompt, addBos: true);
                for (int j = 0; j < n; j++) prompts.Add(ids);
            }
            var gen = model.Generate(prompts, options with { Seed = Rng.ForStream(options.Seed, $"completions/{chunk}").NextUInt64() });
            for (int i = 0; i < count; i++)
                result[start + i] = Enumerable.Range(0, n).Select(j => Decode(tokenizer, gen.Tokens[i * n + j], options.StopToken)).ToArray();
            progress?.Report(start + count);
        }
        return result;
    }

    /// <summary>
    /// The per-example sampler <see cref="R1.RL.RejectionSampling"/> takes: (example, k) → k completions, seeded by
    /// options.Seed and the example's id (so every example gets its own random streams, whatever the call order).
    /// </summary>
    public static Func<Example, int, IReadOnlyList<string>> Sampler(GPT model, Tokenizer tokenizer, SamplingOptions? options = null)
    {
        var o = options ?? new SamplingOptions { StopToken = tokenizer.EosId };
        return (example, k) => Sample(model, tokenizer, [example], k, o with { Seed = Rng.ForStream(o.Seed, example.Id).NextUInt64() }, reportProgress: false)[0];
    }

    static string Decode(Tokenizer tokenizer, int[] tokens, int stop) =>
        tokenizer.Decode(tokens.AsSpan(0, tokens.Length > 0 && tokens[^1] == stop ? tokens.Length - 1 : tokens.Length));
}
