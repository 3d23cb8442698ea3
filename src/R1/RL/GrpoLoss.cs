using static R1.torch;

namespace R1.RL;

/// <summary>How the per-token losses of a batch become one number (the names TRL uses).</summary>
public enum LossType
{
    /// <summary>Mean over sequences of each sequence's token mean (GRPO as published). Long completions get a
    /// smaller weight per token, so a long wrong answer is penalised less than a short one: a length bias.</summary>
    Grpo,
    /// <summary>Masked sum / tokens in this (micro-)batch: every token weighs the same.</summary>
    Bnpo,
    /// <summary>Masked sum / (B · max_completion_length): a constant denominator, no length bias (Dr. GRPO).</summary>
    DrGrpo,
    /// <summary>Masked sum / tokens in the whole generation batch (DAPO's token-level loss); equals Bnpo unless the
    /// batch is split into micro-batches.</summary>
    Dapo,
}

/// <summary>Settings of the clipped policy-gradient loss.</summary>
public sealed record GrpoLossConfig
{
    public LossType LossType { get; init; } = LossType.Dapo;
    /// <summary>Lower clip: the ratio may not fall below 1 − ε_low when the advantage is negative.</summary>
    public double EpsLow { get; init; } = 0.2;
    /// <summary>Upper clip. DAPO's clip-higher sets 0.28 so unlikely tokens with positive advantage can still grow.</summary>
    public double EpsHigh { get; init; } = 0.2;
    /// <summary>KL coefficient β to the frozen reference; 0 (recent TRL, DAPO, Dr. GRPO) needs no reference model.</summary>
    public double Beta { get; init; } = 0.0;
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K3;
    /// <summary>Dr. GRPO's constant denominator per sequence (the sampler's limit, not T: the (B, T) layout may hold
    /// prompt columns too); required for <see cref="LossType.DrGrpo"/>.</summary>
    public int MaxCompletionLength { get; init; } = 0;
}

/// <summary>The loss (a differentiable scalar tensor) and the statistics the trainer logs, TRL names in comments.</summary>
public sealed record GrpoLossResult(
    Tensor Loss,
    /// <summary>kl: masked mean of the per-token KL estimate (0 when β = 0).</summary>
    double Kl,
    /// <summary>clip_ratio/low_mean: share of tokens with ρ &lt; 1 − ε_low and A &lt; 0 (gradient cut by the clip).</summary>
    double ClipLow,
    /// <summary>clip_ratio/high_mean: share of tokens with ρ &gt; 1 + ε_high and A &gt; 0.</summary>
    double ClipHigh,
    /// <summary>clip_ratio/region_mean: share of tokens clipped either way.</summary>
    double ClipRegion);

/// <summary>
/// The clipped surrogate loss of GRPO (and PPO, with per-token advantages), on per-token log-probabilities:
/// ρ_t = exp(logp_t − old_t),  ℓ_t = −min(ρ_t·A, clip(ρ_t, 1−ε_low, 1+ε_high)·A) + β·KL_t, aggregated per
/// <see cref="LossType"/> over the completion mask.
/// </summary>
public static class GrpoLoss
{
    /// <param name="logp">(B, T) per-token log-probs of the completions under the policy being trained (with grad).</param>
    /// <param name="oldLogp">(B, T) the same under the policy that sampled them (no grad). With μ = 1 pass logp.detach().</param>
    /// <param name="refLogp">(B, T) under the frozen reference; may be null when β = 0.</param>
    /// <param name="advantages">(B) one advantage per completion (GRPO), or (B, T) one per token (PPO with GAE).</param>
    /// <param name="mask">(B, T) float, 1 on completion tokens that count, 0 on padding and filtered rows.</param>
    /// <param name="tokensInBatch">DAPO's denominator when this call sees a micro-batch: the mask sum over the whole batch.</param>
    public static GrpoLossResult Compute(Tensor logp, Tensor oldLogp, Tensor? refLogp, Tensor advantages, Tensor mask,
        GrpoLossConfig config, double? tokensInBatch = null)
    {
        Validate(logp, oldLogp, refLogp, advantages, mask, config);
        long batch = logp.shape[0];
        var adv = advantages.dim() == 1 ? advantages.unsqueeze(1) : advantages;        // (B, 1) or (B, T)
        var ratio = torch.exp(logp - oldLogp);                                          // (B, T)
        var clipped = torch.clamp(ratio, (float)(1 - config.EpsLow), (float)(1 + config.EpsHigh));
        var perToken = -torch.minimum(ratio * adv, clipped * adv);                      // (B, T)
        Tensor? kl = null;
        if (config.Beta != 0)
        {
            kl = Kl.Estimate(config.KlEstimator, logp, refLogp!);                    // (B, T)
            perToken = perToken + config.Beta * kl;
        }

        var masked = perToken * mask;
        var loss = config.LossType switch
        {
            LossType.Grpo => (masked.sum(1) / mask.sum(1).clamp_min(1f)).mean(),
            LossType.Bnpo => masked.sum() / mask.sum().clamp_min(1f),
            LossType.DrGrpo => masked.sum() / (double)(batch * config.MaxCompletionLength),
            LossType.Dapo => masked.sum() / Math.Max(1.0, tokensInBatch ?? mask.sum().item<float>()),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.LossType, "unknown loss type."),
        };

        using var _ = torch.no_grad();
        double tokens = Math.Max(1.0, mask.sum().item<float>());
        double MaskedMean(Tensor x) => (x * mask).sum().item<float>() / tokens;
        var low = torch.logical_and(ratio.lt((float)(1 - config.EpsLow)), adv.lt(0f)).to_type(ScalarType.Float32);
        var high = torch.logical_and(ratio.gt((float)(1 + config.EpsHigh)), adv.gt(0f)).to_type(ScalarType.Float32);
        return new GrpoLossResult(loss, kl is null ? 0 : MaskedMean(kl.detach()), MaskedMean(low), MaskedMean(high),
            MaskedMean(torch.clamp_max(low + high, 1f)));
    }

    static void Validate(Tensor logp, Tensor oldLogp, Tensor? refLogp, Tensor advantages, Tensor mask, GrpoLossConfig c)
    {
        if (logp.dim() != 2) throw new ArgumentException($"logp has shape [{string.Join(", ", logp.shape)}]; expected (B, T).", nameof(logp));
        var shape = logp.shape;
        void Same(Tensor t, string name)
        {
            if (!t.shape.SequenceEqual(shape))
                throw new ArgumentException($"{name} has shape [{string.Join(", ", t.shape)}]; expected [{string.Join(", ", shape)}] like logp.", name);
        }
        Same(oldLogp, nameof(oldLogp));
        Same(mask, nameof(mask));
        if (refLogp is not null) Same(refLogp, nameof(refLogp));
        else if (c.Beta != 0) throw new ArgumentException($"refLogp is null but Beta is {c.Beta}; pass the reference log-probs or set Beta = 0.", nameof(refLogp));
        if (advantages.dim() == 2) Same(advantages, nameof(advantages));
        else if (advantages.dim() != 1 || advantages.shape[0] != shape[0])
            throw new ArgumentException($"advantages has shape [{string.Join(", ", advantages.shape)}]; expected ({shape[0]}) or ({shape[0]}, {shape[1]}).", nameof(advantages));
        if (c.EpsLow is < 0 or >= 1 || c.EpsHigh < 0)
            throw new ArgumentOutOfRangeException(nameof(c), $"EpsLow {c.EpsLow} must be in [0, 1) and EpsHigh {c.EpsHigh} ≥ 0.");
        if (c.LossType == LossType.DrGrpo && c.MaxCompletionLength < 1)
            throw new ArgumentException($"DrGrpo divides by B · MaxCompletionLength; set MaxCompletionLength ≥ 1 (got {c.MaxCompletionLength}).", nameof(c));
    }
}
