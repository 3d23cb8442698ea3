using System.Diagnostics;
using R1.Display;
using R1.Models;
using R1.Modules;
using static R1.torch;

namespace R1.Training;

/// <summary>Hyper-parameters of a pretraining or SFT run (nanoGPT's defaults where it has one).</summary>
public sealed record TrainConfig
{
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 32;
    /// <summary>Pretraining window length; 0 uses the model's BlockSize. (SFT batches are as long as their longest example.)</summary>
    public int ContextLength { get; init; }
    /// <summary>Peak learning rate, reached after the warmup.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Floor of the cosine decay; nanoGPT uses a tenth of the peak.</summary>
    public double MinLearningRate { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>AdamW decoupled weight decay, applied to matrices and embeddings only (not biases or LayerNorm gains), as nanoGPT.</summary>
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    /// <summary>0.95 rather than Adam's 0.999: steadier for small-batch language-model training (nanoGPT, GPT-3).</summary>
    public double Beta2 { get; init; } = 0.95;
    /// <summary>Global gradient-norm clip; 0 turns clipping off (the norm is still logged).</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Evaluate every this many steps (and after the last); 0 = never. Needs evaluation data.</summary>
    public int EvalInterval { get; init; } = 100;
    /// <summary>Batches averaged per evaluation.</summary>
    public int EvalBatches { get; init; } = 4;
    /// <summary>Checkpoint every this many steps (and after the last); 0 = only after the last. Needs <see cref="RunDir"/>.</summary>
    public int CheckpointInterval { get; init; }
    public int Seed { get; init; } = 1337;
    /// <summary>Run folder: metrics.csv and the checkpoint (model.safetensors, config.json, tokenizer.json, optimizer.safetensors). Null keeps everything in memory.</summary>
    public string? RunDir { get; init; }

    internal void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"TrainConfig.Steps must be ≥ 1, got {Steps}.");
        if (BatchSize < 1) throw new ArgumentException($"TrainConfig.BatchSize must be ≥ 1, got {BatchSize}.");
        if (ContextLength < 0) throw new ArgumentException($"TrainConfig.ContextLength must be ≥ 0, got {ContextLength}.");
        if (!(LearningRate >= 0) || !(MinLearningRate >= 0)) throw new ArgumentException($"TrainConfig learning rates must be ≥ 0, got {LearningRate} and {MinLearningRate}.");
        if (WarmupSteps < 0 || EvalInterval < 0 || EvalBatches < 1 || CheckpointInterval < 0)
            throw new ArgumentException("TrainConfig.WarmupSteps, EvalInterval and CheckpointInterval must be ≥ 0 and EvalBatches ≥ 1.");
        if (!(GradClip >= 0)) throw new ArgumentException($"TrainConfig.GradClip must be ≥ 0, got {GradClip}.");
    }
}

/// <summary>What a run produced: one row per step (as in metrics.csv) and where it was saved.</summary>
public sealed record TrainResult(IReadOnlyList<StepMetrics> Metrics, string? RunDir)
{
    public float FinalLoss => Metrics[^1].Loss;
    public float? FinalEvalLoss => Metrics.LastOrDefault(m => m.EvalLoss is not null)?.EvalLoss;
}

/// <summary>A run stopped because the loss (or the gradient, or the weights) stopped being finite.</summary>
public sealed class TrainingDivergedException(int step, float loss, string message) : Exception(message)
{
    public int Step { get; } = step;
    public float Loss { get; } = loss;
}

/// <summary>
/// The loop shared by <see cref="Pretrain"/> and <see cref="Sft"/>: per step, set the warmup-cosine learning rate,
/// build a batch, loss → backward → clip → AdamW, log a metrics row; evaluate and checkpoint on their intervals.
/// A non-finite loss or gradient norm stops the run with <see cref="TrainingDivergedException"/> before the update,
/// so the last checkpoint on disk stays the last good one.
/// </summary>
internal static class Trainer
{
    public delegate (long[] Idx, long[] Targets, int T) BatchFn(Random rng);

    public static TrainResult Run(string name, GPT model, Tokenizer tokenizer, TrainConfig cfg, BatchFn train, Func<float>? eval)
    {
        cfg.Validate();
        if (tokenizer.VocabSize != model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens but the model's VocabSize is {model.Config.VocabSize}.");
        var rng = new Random(cfg.Seed);
        var parameters = model.parameters().ToList();
        // Decay matrices and embeddings, not biases or LayerNorm gains (nanoGPT's grouping).
        using var opt = optim.AdamW(
            [new ParamGroup(parameters.Where(p => p.dim() >= 2)), new ParamGroup(parameters.Where(p => p.dim() < 2), weight_decay: 0)],
            lr: cfg.LearningRate, beta1: cfg.Beta1, beta2: cfg.Beta2, eps: 1e-8, weight_decay: cfg.WeightDecay);
        using var csv = cfg.RunDir is null ? null : new MetricsCsv(cfg.RunDir);
        var rows = new List<StepMetrics>(cfg.Steps);
        int lastCheckpoint = -1;
        using var progress = Progress.Start(name, cfg.Steps);
        model.train();

        for (int step = 0; step < cfg.Steps; step++)
        {
            double lr = optim.lr_scheduler.CosineWithWarmup(step, cfg.WarmupSteps, cfg.Steps, cfg.LearningRate, cfg.MinLearningRate);
            opt.lr = lr;
            var clock = Stopwatch.StartNew();
            float lossValue, gradNorm;
            int tokens;
            using (NewDisposeScope())
            {
                var (idx, targets, T) = train(rng);
                int B = idx.Length / T;
                tokens = B * T;
                var loss = model.Loss(tensor(idx, B, T), tensor(targets, B, T));
                lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue)) throw Diverged(cfg, step, lossValue, $"loss is {lossValue}", lastCheckpoint);
                opt.zero_grad();
                loss.backward();
                gradNorm = (float)nn.utils.clip_grad_norm_(parameters, cfg.GradClip > 0 ? cfg.GradClip : double.PositiveInfinity);
                if (!float.IsFinite(gradNorm)) throw Diverged(cfg, step, lossValue, $"gradient norm is {gradNorm} (loss {lossValue})", lastCheckpoint);
                opt.step();
            }
            double seconds = clock.Elapsed.TotalSeconds;
            bool last = step == cfg.Steps - 1;

            float? evalLoss = null;
            if (eval is not null && cfg.EvalInterval > 0 && ((step + 1) % cfg.EvalInterval == 0 || last))
            {
                model.eval();
                using (no_grad()) evalLoss = eval();
                model.train();
            }
            var row = new StepMetrics(step, lossValue, lr, gradNorm, tokens / Math.Max(seconds, 1e-9), seconds, evalLoss);
            rows.Add(row);
            csv?.Append(row);

            if (cfg.RunDir is not null && (last || (cfg.CheckpointInterval > 0 && (step + 1) % cfg.CheckpointInterval == 0)))
            {
                // The update just applied must not have produced non-finite weights (a finite loss can precede them).
                foreach (var (pname, p) in model.named_parameters())
                    foreach (var v in p.data<float>())
                        if (!float.IsFinite(v)) throw Diverged(cfg, step, lossValue, $"parameter {pname} holds {v} after the update", lastCheckpoint);
                Checkpoint.Save(cfg.RunDir, model, tokenizer, opt, new Dictionary<string, string> { ["step"] = (step + 1).ToString(), ["stage"] = name });
                lastCheckpoint = step + 1;
            }

            progress.Report(step + 1, $"loss {lossValue:F4}" + (evalLoss is { } e ? $" eval {e:F4}" : "") + $" lr {lr:G3} {row.TokensPerSecond:F0} tok/s");
        }
        model.eval();
        return new TrainResult(rows, cfg.RunDir);
    }

    /// <summary>Mean loss of one (idx, targets) batch, without gradients.</summary>
    internal static float BatchLoss(GPT model, long[] idx, long[] tgt, int T)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int B = idx.Length / T;
        return model.Loss(tensor(idx, B, T), tensor(tgt, B, T)).item<float>();
    }

    static TrainingDivergedException Diverged(TrainConfig cfg, int step, float loss, string what, int lastCheckpoint)
    {
        var kept = cfg.RunDir is null ? "no run folder, nothing saved"
            : lastCheckpoint < 0 ? $"no checkpoint was written yet in {cfg.RunDir}"
            : $"the checkpoint of step {lastCheckpoint} in {cfg.RunDir} is kept";
        return new TrainingDivergedException(step, loss,
            $"Training diverged at step {step}: {what}. The run stopped; {kept}. Try a lower learning rate or gradient clipping.");
    }
}
