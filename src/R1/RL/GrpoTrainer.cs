// GRPO (Shao et al. 2024, DeepSeekMath; the RL of DeepSeek-R1) for the package's small GPTs, as numbered stages:
//   1 rollouts    G completions per prompt from the current policy, with per-token log-probs (the "old" policy)
//   2 rewards     rule-based reward functions, weighted (R1.Rewards.RewardSet)
//   3 advantages  group-relative: A_i = (r_i − mean) / (std + ε); every token of completion i gets A_i
//   4 update      μ clipped policy-gradient steps on this batch, old log-probs fixed; KL to a frozen copy of the
//                 initial model when β > 0
//   5 metrics     one metrics.csv row per step (TRL's names) and a few completions to samples.jsonl
//
// How this differs from textbook GRPO (the paper's objective with per-sequence mean, ε = 0.2, β = 0.04):
//   1. β = 0 by default (TRL ≥ 0.18, DAPO, Dr. GRPO): no reference model and no KL term unless asked for.
//   2. Token-level aggregation ("dapo") by default instead of the per-sequence mean, which lets long wrong answers
//      off lightly (a length bias); all four aggregations are available (LossType).
//   3. Clip-higher by default (ε_low 0.2, ε_high 0.28, DAPO).
//   4. Old log-probs come from the sampler (KV cache, temperature-1 softmax) instead of a second forward pass; with
//      μ = 1 the loss uses logp.detach(), so the ratio is exactly 1 (TRL does the same).
//   5. The logged entropy is the sampled estimate −mean log π(token) over completion tokens (unbiased at
//      temperature 1), not the full-distribution entropy of the logits: it costs nothing.
//   6. Dynamic sampling (optional) drops zero-variance groups but does not sample more to refill the batch.
//   7. Group std is unbiased (n − 1) with ε = 1e-4, as torch.std / TRL; Dr. GRPO's "no scaling" is one switch.
//   8. One process: the sampler reads the policy's current weights at every step (no vLLM, no weight sync).
//   9. Rewards are plain functions of (example, completion); there is no reward model. A reward with weight 0 is
//      still logged (rewards/<name>/mean): the way to track any completion statistic (reflection words, language).
//  10. REINFORCE (batch-mean baseline) and RLOO are the same loop with another advantage (AdvantageEstimator).

using System.Diagnostics;
using R1.Display;
using R1.Models;
using R1.Rewards;
using R1.Tasks;
using R1.Training;
using static R1.torch;

namespace R1.RL;

/// <summary>One batch of sampled completions, grouped: the G completions of prompt p are rows p·G … p·G+G−1.</summary>
public sealed record Rollouts(
    IReadOnlyList<Example> Examples,   // one per completion (each prompt's example repeated G times)
    int[][] PromptIds,                 // with <bos>
    int[][] CompletionIds,             // sampled tokens, the <eos> included when the model stopped
    float[][] OldLogp,                 // log π_old(token | prefix) of each completion token, from the sampler
    bool[] Truncated,                  // cut at MaxCompletionLength (or the context) before <eos>
    string[] Completions)              // decoded text, without the <eos>
{
    public int Count => Completions.Length;
}

/// <summary>What stage 4 reports (means over micro-batches and the μ updates).</summary>
public sealed record UpdateStats(double Loss, double GradNorm, double Kl, double ClipLow, double ClipHigh, double ClipRegion, int Tokens);

/// <summary>One logged completion (a line of samples.jsonl).</summary>
public sealed record SampleRecord(int Step, string ExampleId, string Prompt, string Completion, double Reward,
    Dictionary<string, double> Rewards, double Advantage, int Length, bool Truncated);

/// <summary>What <see cref="GrpoTrainer.Train"/> returns: the per-step metrics, the evaluations (step 0 = before
/// training), the logged completions, and the run folder.</summary>
public sealed record GrpoResult(RunHistory History, RunHistory Evaluations, IReadOnlyList<SampleRecord> Samples, string? RunDir);

/// <summary>The GRPO loop (see the numbered notes at the top of this file). The policy is trained in place.</summary>
public sealed class GrpoTrainer
{
    readonly GPT policy;
    readonly GPT? reference;
    readonly Tokenizer tokenizer;
    readonly RewardSet rewards;
    readonly R1.Modules.AdamW optimizer;
    readonly SampleLog sampleLog;
    readonly List<SampleRecord> samples = [];
    readonly Random rng;
    int optimizerSteps;

    public GrpoConfig Config { get; }
    public GPT Policy => policy;
    /// <summary>Per-step metrics (metrics.csv in the run folder).</summary>
    public RunHistory History { get; }
    /// <summary>Evaluations on held-out examples (eval.csv), when <see cref="Train"/> gets some.</summary>
    public RunHistory Evaluations { get; }
    public IReadOnlyList<SampleRecord> Samples => samples;

    public GrpoTrainer(GPT policy, Tokenizer tokenizer, RewardSet rewards, GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (tokenizer.VocabSize != policy.Config.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary is {policy.Config.VocabSize}; load both from the same checkpoint.");
        (this.policy, this.tokenizer, this.rewards, Config) = (policy, tokenizer, rewards, config);
        if (config.Beta != 0)
        {
            // the frozen reference: a copy of the policy as it is now, never updated
            reference = new GPT(policy.Config);
            reference.load_state_dict(policy.state_dict());
            reference.eval();
            foreach (var p in reference.parameters()) p.requires_grad_(false);
        }
        optimizer = optim.AdamW(policy.parameters(), lr: config.LearningRate, beta2: config.Beta2, weight_decay: config.WeightDecay);
        rng = new Random(config.Seed);
        string? Run(string file) => config.RunDir is null ? null : Path.Combine(config.RunDir, file);
        History = new RunHistory(Run("metrics.csv"));
        Evaluations = new RunHistory(Run("eval.csv"));
        sampleLog = new SampleLog(Run("samples.jsonl"));
    }

    /// <summary>
    /// Runs <see cref="GrpoConfig.Steps"/> steps on prompts drawn from <paramref name="train"/> (shuffled, without
    /// replacement within an epoch), evaluating on <paramref name="eval"/> before training and every EvalInterval
    /// steps; saves the final policy to RunDir/checkpoint.
    /// </summary>
    public GrpoResult Train(IReadOnlyList<Example> train, IReadOnlyList<Example>? eval = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("train has no examples.", nameof(train));
        bool evaluate = eval is { Count: > 0 } && Config.EvalInterval > 0;
        if (evaluate) Evaluations.Add(0, Evaluate(eval!));
        var order = new List<int>();
        int next = 0;
        using var progress = Progress.Start("GRPO", Config.Steps);
        for (int step = 1; step <= Config.Steps; step++)
        {
            var prompts = new List<Example>(Config.PromptsPerStep);
            while (prompts.Count < Config.PromptsPerStep)
            {
                if (next == order.Count) { order = Enumerable.Range(0, train.Count).OrderBy(_ => rng.Next()).ToList(); next = 0; }
                prompts.Add(train[order[next++]]);
            }
            var m = Step(prompts, step);
            if (evaluate && (step % Config.EvalInterval == 0 || step == Config.Steps)) Evaluations.Add(step, Evaluate(eval!));
            progress.Report(step, $"reward {m["reward"]:F3}  len {m["completions/mean_length"]:F0}  kl {m["kl"]:F4}" +
                (evaluate ? $"  eval reward {Evaluations.Last("eval/reward"):F3}" : ""));
        }
        if (Config.RunDir is not null) Checkpoint.Save(Path.Combine(Config.RunDir, "checkpoint"), policy, tokenizer);
        return new GrpoResult(History, Evaluations, samples, Config.RunDir);
    }

    /// <summary>One GRPO step (stages 1-5) on these prompts; returns and logs the step's metrics.</summary>
    public IReadOnlyDictionary<string, double> Step(IReadOnlyList<Example> prompts, int step)
    {
        var clock = Stopwatch.StartNew();
        int G = Config.NumGenerations;
        var r = Rollout(prompts, step);                                       // 1
        var scores = Score(r);                                                // 2
        var adv = ComputeAdvantages(scores.Total);                            // 3
        var rows = Config.DynamicSampling ? Dapo.KeptRows(scores.Total, G) : Enumerable.Range(0, r.Count).ToArray();
        var u = rows.Length > 0 ? Update(r, adv, rows, step) : new UpdateStats(0, 0, 0, 0, 0, 0, 0);   // 4
        double seconds = clock.Elapsed.TotalSeconds;

        // 5. metrics, named as TRL logs them
        var m = new Dictionary<string, double>();
        foreach (var (k, v) in scores.Metrics()) m[k] = v;
        var zero = Advantages.ZeroStdGroups(scores.Total, G);
        double groupStd = 0;
        for (int p = 0; p < zero.Length; p++)
        {
            var g = scores.Total.AsSpan(p * G, G);
            groupStd += Advantages.Std(g, Advantages.Mean(g));
        }
        var lengths = r.CompletionIds.Select(c => c.Length).ToArray();
        int completionTokens = lengths.Sum();
        double entropy = 0;
        foreach (var lp in r.OldLogp) foreach (var x in lp) entropy -= x;
        m["reward_std"] = groupStd / zero.Length;
        m["frac_reward_zero_std"] = zero.Count(z => z) / (double)zero.Length;
        m["completions/mean_length"] = lengths.Average();
        m["completions/min_length"] = lengths.Min();
        m["completions/max_length"] = lengths.Max();
        m["completions/clipped_ratio"] = r.Truncated.Count(t => t) / (double)r.Count;
        m["kl"] = u.Kl;
        m["entropy"] = entropy / Math.Max(1, completionTokens);
        m["clip_ratio/low_mean"] = u.ClipLow;
        m["clip_ratio/high_mean"] = u.ClipHigh;
        m["clip_ratio/region_mean"] = u.ClipRegion;
        m["loss"] = u.Loss;
        m["grad_norm"] = u.GradNorm;
        m["lr"] = optimizer.lr;
        m["step_time"] = seconds;
        m["tokens_per_s"] = completionTokens / Math.Max(seconds, 1e-9);
        History.Add(step, m);
        LogSamples(step, r, scores, adv);
        return m;
    }

    /// <summary>Stage 1: G completions for each prompt, sampled from the current policy, with their log-probs.</summary>
    public Rollouts Rollout(IReadOnlyList<Example> prompts, int step)
    {
        int G = Config.NumGenerations, B = prompts.Count * G;
        var examples = new Example[B];
        var promptIds = new int[B][];
        for (int p = 0; p < prompts.Count; p++)
        {
            var ids = tokenizer.Encode(prompts[p].Prompt, addBos: true);
            for (int g = 0; g < G; g++) { examples[p * G + g] = prompts[p]; promptIds[p * G + g] = ids; }
        }
        var gen = policy.Generate(promptIds, new SamplingOptions
        {
            MaxNewTokens = Config.MaxCompletionLength,
            Temperature = (float)Config.Temperature,
            Seed = (ulong)Config.Seed * 1_000_003UL + (ulong)step,
            StopToken = tokenizer.EosId,
        });
        return new Rollouts(examples, promptIds, gen.Tokens, gen.LogProbs, gen.Finished.Select(f => !f).ToArray(),
            gen.Tokens.Select(Decode).ToArray());
    }

    /// <summary>Stage 2: every reward function on every completion (a failing reward names the example and completion).</summary>
    public RewardBatch Score(Rollouts r) => rewards.Compute(r.Examples, r.Completions);

    /// <summary>Stage 3: one advantage per completion from the weighted total rewards (grouped by prompt).</summary>
    public double[] ComputeAdvantages(ReadOnlySpan<double> total) => Config.Advantage switch
    {
        AdvantageEstimator.Rloo => Advantages.Rloo(total, Config.NumGenerations),
        AdvantageEstimator.Reinforce => Advantages.Reinforce(total),
        _ => Advantages.Group(total, Config.NumGenerations, Config.ScaleRewards),
    };

    /// <summary>
    /// Stage 4: μ optimizer steps on the completions <paramref name="rows"/>, each a gradient over all of them
    /// (accumulated over micro-batches so that every loss type keeps its whole-batch meaning).
    /// </summary>
    public UpdateStats Update(Rollouts r, double[] advantages, IReadOnlyList<int> rows, int step)
    {
        policy.eval();   // no dropout: the ratio must compare the same function at two parameter values
        using var outer = NewDisposeScope();
        var batches = MicroBatches(r, advantages, rows);
        int tokens = batches.Sum(b => b.Tokens);
        var lossConfig = new GrpoLossConfig
        {
            LossType = Config.LossType, EpsLow = Config.EpsLow, EpsHigh = Config.EpsHigh, Beta = Config.Beta,
            KlEstimator = Config.KlEstimator, MaxCompletionLength = Config.MaxCompletionLength,
        };
        double loss = 0, gradNorm = 0, kl = 0, low = 0, high = 0, region = 0;
        for (int it = 0; it < Config.NumIterations; it++)
        {
            optimizer.zero_grad();
            foreach (var mb in batches)
            {
                using var scope = NewDisposeScope();
                var logp = policy.LogProbs(mb.Ids, mb.CompletionMask);                 // (b, L−1)
                var old = Config.NumIterations == 1 ? logp.detach() : mb.OldLogp;
                var res = GrpoLoss.Compute(logp, old, mb.RefLogp, mb.Advantages, mb.LossMask, lossConfig, tokens);
                double weight = Config.LossType switch
                {
                    LossType.Grpo or LossType.DrGrpo => (double)mb.Rows / rows.Count,   // mean over all rows
                    LossType.Bnpo => 1.0 / batches.Count,                                // TRL: local token mean / accumulation steps
                    _ => 1.0,                                                            // dapo: already / tokens in the whole batch
                };
                float value = res.Loss.item<float>();
                if (!float.IsFinite(value))
                    throw new TrainingDivergedException(step, value,
                        $"GRPO step {step} (update {it + 1} of μ = {Config.NumIterations}): the loss is {value}. Lower the learning rate, " +
                        "raise MaxGradNorm clipping, or check the rewards and advantages for NaN/∞.");
                (res.Loss * (float)weight).backward();
                double share = (double)mb.Tokens / Math.Max(1, tokens) / Config.NumIterations;
                loss += value * weight / Config.NumIterations;
                kl += res.Kl * share; low += res.ClipLow * share; high += res.ClipHigh * share; region += res.ClipRegion * share;
            }
            optimizer.lr = Config.LearningRate * Math.Min(1.0, (optimizerSteps + 1.0) / Math.Max(1, Config.WarmupSteps));
            gradNorm += nn.utils.clip_grad_norm_(policy.parameters(), Config.MaxGradNorm) / Config.NumIterations;
            optimizer.step();
            optimizerSteps++;
        }
        return new UpdateStats(loss, gradNorm, kl, low, high, region, tokens);
    }

    /// <summary>
    /// Held-out evaluation: pass@1 ("eval/accuracy", the task verifier's mean verdict over EvalSamples samples per
    /// example; present when every example belongs to a registered task), the training rewards ("eval/reward",
    /// "eval/rewards/&lt;name&gt;/mean") and "eval/mean_length".
    /// </summary>
    public Dictionary<string, double> Evaluate(IReadOnlyList<Example> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("no examples to evaluate.", nameof(examples));
        int n = Config.EvalTemperature == 0 ? 1 : Config.EvalSamples;
        var prompts = new List<int[]>(examples.Count * n);
        var repeated = new List<Example>(examples.Count * n);
        foreach (var e in examples)
        {
            var ids = tokenizer.Encode(e.Prompt, addBos: true);
            for (int s = 0; s < n; s++) { prompts.Add(ids); repeated.Add(e); }
        }
        var gen = policy.Generate(prompts, new SamplingOptions
        {
            MaxNewTokens = Config.MaxCompletionLength, Temperature = (float)Config.EvalTemperature,
            Seed = (ulong)Config.Seed + 77UL, StopToken = tokenizer.EosId,
        });
        var texts = gen.Tokens.Select(Decode).ToArray();
        var m = new Dictionary<string, double>();
        if (examples.All(e => TaskRegistry.All.Any(t => t.Name == e.Task)))
            m["eval/accuracy"] = Enumerable.Range(0, texts.Length).Average(i => TaskRegistry.Verify(repeated[i], texts[i]).Correct ? 1.0 : 0.0);
        var scores = rewards.Compute(repeated, texts);
        m["eval/reward"] = scores.Total.Average();
        for (int k = 0; k < scores.Names.Length; k++) m[$"eval/rewards/{scores.Names[k]}/mean"] = scores.Values[k].Average();
        m["eval/mean_length"] = gen.Tokens.Average(t => t.Length);
        return m;
    }

    /// <summary>Completion text without the final &lt;eos&gt; (special tokens like &lt;think&gt; are kept).</summary>
    string Decode(int[] c) => tokenizer.Decode(c.AsSpan(0, c.Length > 0 && c[^1] == tokenizer.EosId ? c.Length - 1 : c.Length));

    sealed record MicroBatch(int Rows, int Tokens, Tensor Ids, Tensor CompletionMask, Tensor LossMask, Tensor OldLogp, Tensor? RefLogp, Tensor Advantages);

    /// <summary>
    /// Tensors for the update, rows sorted by length so each micro-batch pads little. Layout follows
    /// <see cref="GPT.LogProbs"/>: ids (b, L) = prompt ++ completion, right-padded; column t of the (b, L−1) log-probs
    /// scores token t+1, so completion token j of a row with prompt length P sits in column P−1+j.
    /// </summary>
    List<MicroBatch> MicroBatches(Rollouts r, double[] advantages, IReadOnlyList<int> rows)
    {
        var sorted = rows.OrderBy(i => r.PromptIds[i].Length + r.CompletionIds[i].Length).ToArray();
        int size = Config.MicroBatchSize == 0 ? sorted.Length : Config.MicroBatchSize;
        var result = new List<MicroBatch>();
        for (int start = 0; start < sorted.Length; start += size)
        {
            var mb = sorted.AsSpan(start, Math.Min(size, sorted.Length - start)).ToArray();
            int b = mb.Length, L = mb.Max(i => r.PromptIds[i].Length + r.CompletionIds[i].Length);
            var ids = new long[b * L];
            var cmask = new float[b * L];
            var lmask = new float[b * (L - 1)];
            var old = new float[b * (L - 1)];
            var adv = new float[b];
            int tokens = 0;
            for (int k = 0; k < b; k++)
            {
                int i = mb[k], P = r.PromptIds[i].Length;
                var c = r.CompletionIds[i];
                for (int t = 0; t < P; t++) ids[k * L + t] = r.PromptIds[i][t];
                bool keep = !(Config.MaskTruncated && r.Truncated[i]);      // overlong filtering
                for (int j = 0; j < c.Length; j++)
                {
                    ids[k * L + P + j] = c[j];
                    cmask[k * L + P + j] = 1;
                    old[k * (L - 1) + P - 1 + j] = r.OldLogp[i][j];
                    if (keep) { lmask[k * (L - 1) + P - 1 + j] = 1; tokens++; }
                }
                for (int t = P + c.Length; t < L; t++) ids[k * L + t] = tokenizer.PadId;
                adv[k] = (float)advantages[i];
            }
            var idsT = tensor(ids, b, L);
            var cmaskT = tensor(cmask, b, L);
            Tensor? refLogp = null;
            if (reference is not null)
                using (no_grad()) refLogp = reference.LogProbs(idsT, cmaskT);
            result.Add(new MicroBatch(b, tokens, idsT, cmaskT, tensor(lmask, b, L - 1), tensor(old, b, L - 1), refLogp, tensor(adv, b)));
        }
        return result;
    }

    void LogSamples(int step, Rollouts r, RewardBatch scores, double[] adv)
    {
        int n = Math.Min(r.Count, Config.SampleGroupsPerStep * Config.NumGenerations);
        for (int i = 0; i < n; i++)
        {
            var per = new Dictionary<string, double>();
            for (int k = 0; k < scores.Names.Length; k++) per[scores.Names[k]] = scores.Values[k][i];
            var rec = new SampleRecord(step, r.Examples[i].Id, r.Examples[i].Prompt, r.Completions[i], scores.Total[i], per, adv[i],
                r.CompletionIds[i].Length, r.Truncated[i]);
            samples.Add(rec);
            sampleLog.Add(rec);
        }
    }
}
