using R1.Inference;
using R1.Models;
using R1.Rewards;
using R1.Tables;
using R1.Tasks;

namespace R1.RL;

/// <summary>Why a sampled completion was not kept. Each completion is charged to the first filter it fails, in this order.</summary>
public enum DropReason
{
    /// <summary>Longer than <see cref="RejectionSamplingConfig.MaxCompletionTokens"/> (a truncated generation lands here).</summary>
    Overlong,
    /// <summary>Not "&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;" (the format reward is 0): unreadable.</summary>
    Malformed,
    /// <summary>The verifier rejects the final answer.</summary>
    Incorrect,
    /// <summary>The chain of thought is under <see cref="TextStats.MixedThreshold"/> in the prompt's language.</summary>
    MixedLanguage,
    /// <summary>The same text (after trimming and removing &lt;eos&gt;) as an earlier sample of this prompt that passed the filters above.</summary>
    Duplicate,
    /// <summary>Good, but the prompt already has <see cref="RejectionSamplingConfig.MaxKeptPerPrompt"/> kept completions.</summary>
    OverLimit,
}

/// <summary>Settings of <see cref="RejectionSampling"/>; every filter can be switched off for an ablation.</summary>
public sealed record RejectionSamplingConfig
{
    /// <summary>k, completions sampled per prompt.</summary>
    public int SamplesPerPrompt { get; init; } = 8;
    /// <summary>Most completions kept per prompt (the first ones that pass); 0 keeps every distinct passing one.
    /// A cap stops easy prompts from crowding the SFT set.</summary>
    public int MaxKeptPerPrompt { get; init; } = 0;
    /// <summary>Longest completion kept, in tokens (without &lt;eos&gt;). The model overload samples one token more, so a
    /// generation cut before &lt;eos&gt; is always overlong.</summary>
    public int MaxCompletionTokens { get; init; } = 192;
    public bool FilterMalformed { get; init; } = true;
    public bool FilterMixedLanguage { get; init; } = true;
    public bool Deduplicate { get; init; } = true;

    internal void Validate()
    {
        if (SamplesPerPrompt < 1) throw new ArgumentException($"SamplesPerPrompt must be ≥ 1; got {SamplesPerPrompt}.");
        if (MaxKeptPerPrompt < 0) throw new ArgumentException($"MaxKeptPerPrompt must be ≥ 0 (0 = no cap); got {MaxKeptPerPrompt}.");
        if (MaxCompletionTokens < 1) throw new ArgumentException($"MaxCompletionTokens must be ≥ 1; got {MaxCompletionTokens}.");
    }
}

/// <summary>What rejection sampling did: completions sampled, kept, dropped by reason, and kept per prompt (in prompt order).</summary>
public sealed record RejectionStats(int Prompts, int Generated, int Kept, IReadOnlyDictionary<DropReason, int> Dropped, int[] KeptPerPrompt)
{
    /// <summary>Prompts with nothing kept (too hard for the sampler, or every answer filtered).</summary>
    public int PromptsWithNone => KeptPerPrompt.Count(k => k == 0);
    public double KeptRate => Generated == 0 ? 0 : (double)Kept / Generated;

    /// <summary>One row per outcome: "kept", then each drop reason, with its count and share of all samples.</summary>
    public Table ToTable()
    {
        var names = new List<string> { "kept" };
        var counts = new List<int> { Kept };
        foreach (var r in Enum.GetValues<DropReason>()) { names.Add(ReasonName(r)); counts.Add(Dropped[r]); }
        return new Table()
            .AddColumn("outcome", names)
            .AddColumn("count", counts)
            .AddColumn("share", counts.Select(c => Generated == 0 ? 0.0 : (double)c / Generated));
    }

    public override string ToString() =>
        $"{Prompts} prompts, {Generated} samples: kept {Kept} ({KeptRate:P1}); dropped " +
        string.Join(", ", Enum.GetValues<DropReason>().Select(r => $"{ReasonName(r)} {Dropped[r]}")) +
        $"; {PromptsWithNone} prompts with nothing kept";

    /// <summary>snake_case names for tables and metrics: "overlong", "mixed_language", "over_limit", ….</summary>
    public static string ReasonName(DropReason reason) => reason switch
    {
        DropReason.MixedLanguage => "mixed_language",
        DropReason.OverLimit => "over_limit",
        _ => reason.ToString().ToLowerInvariant(),
    };
}

/// <summary>The kept completions (as SFT demonstrations, style "rejection_sampled") and the statistics.</summary>
public sealed record RejectionResult(List<Demonstration> Kept, RejectionStats Stats);

/// <summary>
/// Rejection sampling (DeepSeek-R1, stage 3): sample k completions per prompt from the RL checkpoint, keep only those
/// whose final answer is verified correct, and drop the unreadable ones — overlong, malformed, mixed-language, and
/// repeats — so the SFT set that follows teaches clean, right reasoning. The paper kept ~600k such samples.
/// </summary>
public static class RejectionSampling
{
    /// <summary>Samples with <paramref name="sample"/> (example, k) → k completions, then <see cref="Filter"/>s them. The sampler is
    /// any function: a model (<see cref="Completions.Sampler"/>) or a fake in a test.</summary>
    public static RejectionResult Run(IReadOnlyList<Example> prompts, Func<Example, int, IReadOnlyList<string>> sample,
        RejectionSamplingConfig? config = null, Func<Example, string, bool>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(sample);
        config ??= new RejectionSamplingConfig();
        config.Validate();
        var samples = new IReadOnlyList<string>[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            samples[i] = sample(prompts[i], config.SamplesPerPrompt)
                ?? throw new InvalidOperationException($"The sampler returned null for example '{prompts[i].Id}'.");
            if (samples[i].Count != config.SamplesPerPrompt)
                throw new InvalidOperationException($"The sampler returned {samples[i].Count} completions for example '{prompts[i].Id}'; asked for {config.SamplesPerPrompt}.");
        }
        return Filter(prompts, samples, config, verify);
    }

    /// <summary>
    /// Samples from <paramref name="model"/> in batches (<see cref="Completions.Sample"/>) with at most
    /// MaxCompletionTokens + 1 new tokens, then <see cref="Filter"/>s. <paramref name="sampling"/> sets temperature,
    /// top-k/p and seed (default: temperature 1, seed 0).
    /// </summary>
    public static RejectionResult Run(GPT model, Tokenizer tokenizer, IReadOnlyList<Example> prompts, RejectionSamplingConfig? config = null,
        SamplingOptions? sampling = null, Func<Example, string, bool>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        config ??= new RejectionSamplingConfig();
        config.Validate();
        var options = (sampling ?? new SamplingOptions()) with { MaxNewTokens = config.MaxCompletionTokens + 1, StopToken = tokenizer.EosId };
        var samples = Completions.Sample(model, tokenizer, prompts, config.SamplesPerPrompt, options);
        return Filter(prompts, samples, config, verify);
    }

    /// <summary>
    /// Applies the filters to completions already sampled (samples[i] belongs to prompts[i]). <paramref name="verify"/>
    /// defaults to the rule-based verifier of the example's task (<see cref="Voting.Verify"/>). Kept completions have
    /// surrounding whitespace and a trailing &lt;eos&gt; removed; their ids are "&lt;example id&gt;#&lt;sample index&gt;".
    /// </summary>
    public static RejectionResult Filter(IReadOnlyList<Example> prompts, IReadOnlyList<IReadOnlyList<string>> samples,
        RejectionSamplingConfig? config = null, Func<Example, string, bool>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count != prompts.Count) throw new ArgumentException($"Got {prompts.Count} prompts but samples for {samples.Count}.", nameof(samples));
        config ??= new RejectionSamplingConfig();
        config.Validate();
        verify ??= Voting.Verify;
        var dropped = Enum.GetValues<DropReason>().ToDictionary(r => r, _ => 0);
        var kept = new List<Demonstration>();
        var keptPerPrompt = new int[prompts.Count];
        int generated = 0;
        for (int i = 0; i < prompts.Count; i++)
        {
            var ex = prompts[i];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int j = 0; j < samples[i].Count; j++)
            {
                generated++;
                var text = RewardFunctions.Clean(samples[i][j] ?? throw new ArgumentException($"Sample {j} of example '{ex.Id}' is null.", nameof(samples)));
                var reason = Check(ex, text, config, verify);
                if (reason is null && config.Deduplicate && !seen.Add(text)) reason = DropReason.Duplicate;
                if (reason is null && config.MaxKeptPerPrompt > 0 && keptPerPrompt[i] == config.MaxKeptPerPrompt) reason = DropReason.OverLimit;
                if (reason is { } r) { dropped[r]++; continue; }
                keptPerPrompt[i]++;
                kept.Add(new Demonstration($"{ex.Id}#{j}", "rejection_sampled", ex, text));
            }
        }
        return new RejectionResult(kept, new RejectionStats(prompts.Count, generated, kept.Count, dropped, keptPerPrompt));
    }

    /// <summary>The first per-sample filter <paramref name="completion"/> fails (duplicates and the cap need the other samples), or null.</summary>
    public static DropReason? Check(Example example, string completion, RejectionSamplingConfig config, Func<Example, string, bool> verify)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(verify);
        var text = RewardFunctions.Clean(completion);
        if (TextStats.TokenLength(text) > config.MaxCompletionTokens) return DropReason.Overlong;
        if (config.FilterMalformed && RewardFunctions.Format(example, text) == 0) return DropReason.Malformed;
        if (!verify(example, text)) return DropReason.Incorrect;
        if (config.FilterMixedLanguage && TextStats.IsLanguageMixed(TextStats.ThinkText(text), example.Language)) return DropReason.MixedLanguage;
        return null;
    }
}
