using R1.Models;
using R1.Rewards;
using R1.Tasks;

namespace R1.RL;

/// <summary>
/// RL for all scenarios (DeepSeek-R1, stage 4): one GRPO run over a mix of reasoning prompts, scored by rule-based
/// rewards (verifier, format, language), and general prompts, scored by reward models — helpfulness judged on the
/// final summary only (<see cref="RewardView.Answer"/>), harmlessness on the whole response (<see cref="RewardView.Full"/>).
/// Rewards are routed by <see cref="Example.Task"/>: general prompts have Task "general" (<see cref="GeneralPrompts"/>).
/// <code>var rewards = MixedPrompts.Rewards(
///     reasoning: [Reward.Accuracy(), Reward.Format(), Reward.LanguageConsistency(0.2)],
///     general:   [MixedPrompts.Helpfulness(rm, tok), MixedPrompts.Harmlessness(rm, tok)]);
/// var trainer = new GrpoTrainer(policy, tok, rewards, config);   // train on reasoning + general examples together</code>
/// Every GRPO group shares one prompt, so the zero a route gives the other kind's rewards is constant within the
/// group and does not move its advantages. The logged "rewards/&lt;name&gt;/mean" averages over the whole batch, zeros
/// included; divide by "rewards/general_share/mean" (general rewards) or 1 minus it (reasoning rewards) for the mean
/// over the prompts the reward applies to.
/// </summary>
public static class MixedPrompts
{
    /// <summary>Name of the zero-weight reward that is 1 on general prompts and 0 on reasoning ones (the batch's mix, logged).</summary>
    public const string GeneralShare = "general_share";

    public static bool IsGeneral(Example example) => example.Task == GeneralPrompts.TaskName;

    /// <summary>One reward function that sends reasoning prompts to <paramref name="reasoning"/> and general prompts to <paramref name="general"/>.</summary>
    public static RewardFunc Route(RewardFunc reasoning, RewardFunc general)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        ArgumentNullException.ThrowIfNull(general);
        return (example, completion) => IsGeneral(example) ? general(example, completion) : reasoning(example, completion);
    }

    /// <summary>
    /// A reward set for mixed prompts: each reasoning reward scores 0 on general prompts, each general reward 0 on
    /// reasoning prompts, <paramref name="shared"/> rewards (e.g. format) score every prompt, and <see cref="GeneralShare"/>
    /// (weight 0) records the mix. Names and weights are kept, so metrics read "rewards/accuracy/mean", "rewards/helpfulness/mean", ….
    /// </summary>
    public static RewardSet Rewards(IEnumerable<Reward> reasoning, IEnumerable<Reward> general, IEnumerable<Reward>? shared = null)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        ArgumentNullException.ThrowIfNull(general);
        static double Zero(Example e, string c) => 0.0;
        var all = reasoning.Select(r => r with { Func = Route(r.Func, Zero) })
            .Concat(general.Select(r => r with { Func = Route(Zero, r.Func) }))
            .Concat(shared ?? [])
            .Append(Reward.From(GeneralShare, (e, c) => IsGeneral(e) ? 1.0 : 0.0, weight: 0))
            .ToArray();
        return new RewardSet(all);
    }

    /// <summary>"helpfulness": the reward model's score of the final summary (the answer block) only.</summary>
    public static Reward Helpfulness(RewardModel model, Tokenizer tokenizer, double weight = 1.0) =>
        model.AsReward(tokenizer, "helpfulness", RewardView.Answer, weight);

    /// <summary>"harmlessness": the reward model's score of the whole response, reasoning included.</summary>
    public static Reward Harmlessness(RewardModel model, Tokenizer tokenizer, double weight = 1.0) =>
        model.AsReward(tokenizer, "harmlessness", RewardView.Full, weight);
}
