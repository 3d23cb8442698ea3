namespace R1.RL;

/// <summary>Where advantages come from in <see cref="GrpoTrainer"/> (the rest of the loop is shared).</summary>
public enum AdvantageEstimator
{
    /// <summary>Group mean baseline, scaled per <see cref="GrpoConfig.ScaleRewards"/>.</summary>
    Grpo,
    /// <summary>Leave-one-out mean of the other G−1 completions of the prompt, no scaling.</summary>
    Rloo,
    /// <summary>Mean reward of the whole batch as the baseline, no scaling.</summary>
    Reinforce,
}

/// <summary>
/// Settings of a GRPO run. Defaults suit the tiny character-level GPTs of this package on a CPU; each non-obvious
/// one says why. Batch size per step = <see cref="PromptsPerStep"/> × <see cref="NumGenerations"/> completions.
/// </summary>
public sealed record GrpoConfig
{
    /// <summary>GRPO steps. Each samples a fresh batch of prompts, then makes μ optimizer steps on it.</summary>
    public int Steps { get; init; } = 100;
    /// <summary>G, completions per prompt. The group is the baseline: too small (2-4) and the mean is noisy and many
    /// groups are all-correct or all-wrong (zero advantage); 8 is the usual small-scale choice.</summary>
    public int NumGenerations { get; init; } = 8;
    /// <summary>Prompts per step.</summary>
    public int PromptsPerStep { get; init; } = 8;
    /// <summary>Most completion tokens sampled (the &lt;eos&gt; included); longer completions are cut and flagged truncated.</summary>
    public int MaxCompletionLength { get; init; } = 128;
    /// <summary>Sampling temperature for rollouts. 1 samples the policy itself, so old log-probs, the ratio and the KL
    /// all refer to the distribution actually sampled (the log-probs are temperature-1 ones either way).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>μ, policy updates per batch of rollouts. 1 is on-policy: the ratio is exactly 1 and clipping never bites
    /// (so the loss reads 0 with β = 0 — watch the reward). μ > 1 reuses the batch; the clip keeps it near the sampler.</summary>
    public int NumIterations { get; init; } = 1;
    /// <summary>β, weight of the KL to the frozen initial model. 0 (recent TRL, DAPO, Dr. GRPO) skips the reference
    /// model and its forward pass; 0.04 was the original GRPO value.</summary>
    public double Beta { get; init; } = 0.0;
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K3;
    public double EpsLow { get; init; } = 0.2;
    /// <summary>DAPO's clip-higher (0.28) lets unlikely tokens with positive advantage grow, slowing entropy collapse.</summary>
    public double EpsHigh { get; init; } = 0.28;
    /// <summary>Token-level aggregation (DAPO): every token weighs the same, so long wrong answers are not let off lightly.</summary>
    public LossType LossType { get; init; } = LossType.Dapo;
    public AdvantageEstimator Advantage { get; init; } = AdvantageEstimator.Grpo;
    /// <summary>Std scaling of GRPO advantages: per group (published GRPO), batch, or none (Dr. GRPO).</summary>
    public AdvantageScale ScaleRewards { get; init; } = AdvantageScale.Group;
    /// <summary>Much higher than an LLM's 1e-6: these models have ~1M parameters and few steps.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Linear warm-up steps (optimizer steps), then constant.</summary>
    public int WarmupSteps { get; init; } = 0;
    public double WeightDecay { get; init; } = 0.0;
    /// <summary>AdamW β2 0.99 rather than 0.999: RL gradients are noisy and non-stationary, a shorter memory adapts faster.</summary>
    public double Beta2 { get; init; } = 0.99;
    /// <summary>Global gradient-norm clip; rare huge advantages × low-probability tokens otherwise make spikes.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Rows per forward/backward pass (gradient accumulation over the batch); 0 = the whole batch at once.</summary>
    public int MicroBatchSize { get; init; } = 0;
    /// <summary>DAPO dynamic sampling: drop groups whose rewards are all equal (zero advantage, no signal). DAPO then
    /// samples more to refill the batch; here the batch just shrinks (the step is skipped if nothing is left).</summary>
    public bool DynamicSampling { get; init; } = false;
    /// <summary>Overlong filtering: truncated completions get no gradient rather than the penalty of an unfinished answer.</summary>
    public bool MaskTruncated { get; init; } = false;
    public int Seed { get; init; } = 0;
    /// <summary>Evaluate every this many steps (and after the last); 0 = never. Needs eval examples.</summary>
    public int EvalInterval { get; init; } = 0;
    /// <summary>Samples per eval example; pass@1 is their mean correctness (one greedy sample when EvalTemperature is 0).</summary>
    public int EvalSamples { get; init; } = 1;
    /// <summary>0 = greedy, reproducible. Set &gt; 0 with several EvalSamples for a pass@1 averaged over samples.</summary>
    public double EvalTemperature { get; init; } = 0.0;
    /// <summary>Completion groups written to samples.jsonl per step (all G completions of the first prompts).</summary>
    public int SampleGroupsPerStep { get; init; } = 1;
    /// <summary>Run folder for metrics.csv, samples.jsonl and the final checkpoint; null keeps everything in memory.</summary>
    public string? RunDir { get; init; }

    internal void Validate()
    {
        void Check(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Check(Steps >= 1, $"Steps must be ≥ 1; got {Steps}.");
        Check(NumGenerations >= 2, $"NumGenerations (G) must be ≥ 2: the group mean is the baseline; got {NumGenerations}.");
        Check(PromptsPerStep >= 1, $"PromptsPerStep must be ≥ 1; got {PromptsPerStep}.");
        Check(MaxCompletionLength >= 1, $"MaxCompletionLength must be ≥ 1; got {MaxCompletionLength}.");
        Check(Temperature > 0, $"Temperature must be > 0 for rollouts (GRPO needs diverse samples); got {Temperature}.");
        Check(NumIterations >= 1, $"NumIterations (μ) must be ≥ 1; got {NumIterations}.");
        Check(Beta >= 0, $"Beta must be ≥ 0; got {Beta}.");
        Check(EpsLow is >= 0 and < 1 && EpsHigh >= 0, $"EpsLow must be in [0, 1) and EpsHigh ≥ 0; got {EpsLow}, {EpsHigh}.");
        Check(LearningRate > 0, $"LearningRate must be > 0; got {LearningRate}.");
        Check(MicroBatchSize >= 0, $"MicroBatchSize must be ≥ 0 (0 = whole batch); got {MicroBatchSize}.");
        Check(EvalInterval >= 0 && EvalSamples >= 1 && EvalTemperature >= 0, $"EvalInterval ≥ 0, EvalSamples ≥ 1, EvalTemperature ≥ 0 expected; got {EvalInterval}, {EvalSamples}, {EvalTemperature}.");
        Check(SampleGroupsPerStep >= 0, $"SampleGroupsPerStep must be ≥ 0; got {SampleGroupsPerStep}.");
    }
}
