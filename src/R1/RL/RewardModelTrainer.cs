using R1.Display;
using R1.Models;
using R1.Tasks;
using static R1.torch;

namespace R1.RL;

/// <summary>Settings of a reward-model run.</summary>
public sealed record RewardModelConfig
{
    public int Steps { get; init; } = 300;
    /// <summary>Pairs per step (2× as many sequences go through the model).</summary>
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 3e-4;
    public double WeightDecay { get; init; } = 0.0;
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>What the model reads of each completion (helpfulness: the answer; harmlessness: everything).</summary>
    public RewardView View { get; init; } = RewardView.Full;
    /// <summary>Evaluate every this many steps (and after the last); 0 = only after the last. Needs eval pairs.</summary>
    public int EvalInterval { get; init; } = 50;
    public int Seed { get; init; } = 0;
    /// <summary>Run folder for metrics.csv, eval.csv and the final checkpoint; null keeps everything in memory.</summary>
    public string? RunDir { get; init; }

    internal void Validate()
    {
        if (Steps < 1 || BatchSize < 1) throw new ArgumentException($"Steps and BatchSize must be ≥ 1; got {Steps} and {BatchSize}.");
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be > 0; got {LearningRate}.");
        if (EvalInterval < 0) throw new ArgumentException($"EvalInterval must be ≥ 0; got {EvalInterval}.");
    }
}

/// <summary>How well a reward model ranks pairs: accuracy (share with r_chosen &gt; r_rejected), mean margin, mean BT loss, accuracy per pair kind.</summary>
public sealed record PairEvaluation(double Accuracy, double Margin, double Loss, IReadOnlyDictionary<string, double> AccuracyByKind, int Pairs);

/// <summary>
/// Trains a <see cref="RewardModel"/> on preference pairs with the Bradley–Terry loss: per step a batch of pairs,
/// chosen and rejected sequences in one forward pass, loss −log σ(r_c − r_r), AdamW, gradient clipping. Logs
/// loss, accuracy and margin per step (metrics.csv) and on held-out pairs (eval.csv). Pairs whose two views are the
/// same text (e.g. an unneeded chain of thought under <see cref="RewardView.Answer"/>) carry no signal and are skipped.
/// </summary>
public static class RewardModelTrainer
{
    public static (RunHistory History, RunHistory Evaluations) Train(RewardModel model, Tokenizer tokenizer, IReadOnlyList<PreferencePair> pairs,
        RewardModelConfig config, IReadOnlyList<PreferencePair>? eval = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (tokenizer.VocabSize != model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens but the reward model's vocabulary is {model.Config.VocabSize}.");
        var usable = Usable(pairs, config.View);
        if (usable.Count == 0) throw new ArgumentException($"None of the {pairs.Count} pairs differ under the {config.View} view; nothing to learn.", nameof(pairs));
        string? Run(string f) => config.RunDir is null ? null : Path.Combine(config.RunDir, f);
        var history = new RunHistory(Run("metrics.csv"));
        var evaluations = new RunHistory(Run("eval.csv"));
        var optimizer = optim.AdamW(model.parameters(), lr: config.LearningRate, weight_decay: config.WeightDecay);
        var rng = new Random(config.Seed);
        var order = new List<int>();
        int next = 0;
        bool evaluate = eval is { Count: > 0 };
        model.train();
        using var progress = Progress.Start("reward model", config.Steps);
        for (int step = 1; step <= config.Steps; step++)
        {
            var batch = new List<PreferencePair>(config.BatchSize);
            while (batch.Count < config.BatchSize)
            {
                if (next == order.Count) { order = Enumerable.Range(0, usable.Count).OrderBy(_ => rng.Next()).ToList(); next = 0; }
                batch.Add(usable[order[next++]]);
            }
            var m = new Dictionary<string, double>();
            using (NewDisposeScope())
            {
                var (chosen, rejected) = Forward(model, tokenizer, batch, config.View);
                var loss = RewardModel.BradleyTerryLoss(chosen, rejected);
                float value = loss.item<float>();
                if (!float.IsFinite(value)) throw new InvalidOperationException($"Reward-model step {step}: the loss is {value}. Lower the learning rate.");
                optimizer.zero_grad();
                loss.backward();
                m["grad_norm"] = nn.utils.clip_grad_norm_(model.parameters(), config.MaxGradNorm);
                optimizer.step();
                var (c, r) = (chosen.ToArray<float>(), rejected.ToArray<float>());
                m["loss"] = value;
                m["accuracy"] = c.Zip(r).Average(p => p.First > p.Second ? 1.0 : 0.0);
                m["margin"] = c.Zip(r).Average(p => p.First - p.Second);
            }
            history.Add(step, m);
            bool last = step == config.Steps;
            if (evaluate && (last || (config.EvalInterval > 0 && step % config.EvalInterval == 0)))
            {
                var e = Evaluate(model, tokenizer, eval!, config.View);
                var row = new Dictionary<string, double> { ["eval/accuracy"] = e.Accuracy, ["eval/margin"] = e.Margin, ["eval/loss"] = e.Loss };
                foreach (var (kind, acc) in e.AccuracyByKind) row[$"eval/accuracy/{kind}"] = acc;
                evaluations.Add(step, row);
                model.train();
            }
            progress.Report(step, $"loss {m["loss"]:F3}  acc {m["accuracy"]:F2}" + (evaluations.Count > 0 ? $"  eval acc {evaluations.Last("eval/accuracy"):F2}" : ""));
        }
        model.eval();
        if (config.RunDir is not null) model.Save(Path.Combine(config.RunDir, "checkpoint"), tokenizer);
        return (history, evaluations);
    }

    /// <summary>Ranking quality on <paramref name="pairs"/> (no gradients). Pairs whose views coincide are left out.</summary>
    public static PairEvaluation Evaluate(RewardModel model, Tokenizer tokenizer, IReadOnlyList<PreferencePair> pairs, RewardView view = RewardView.Full)
    {
        var usable = Usable(pairs, view);
        if (usable.Count == 0) throw new ArgumentException($"None of the {pairs.Count} pairs differ under the {view} view.", nameof(pairs));
        var c = model.Score(tokenizer, usable.Select(p => (p.Example.Prompt, p.Chosen)).ToList(), view);
        var r = model.Score(tokenizer, usable.Select(p => (p.Example.Prompt, p.Rejected)).ToList(), view);
        var win = Enumerable.Range(0, usable.Count).Select(i => c[i] > r[i]).ToArray();
        // −log σ(d) = log(1 + e^−d), written so that large |d| neither overflows nor loses the small term.
        double Nll(double d) => d > 0 ? Math.Log(1 + Math.Exp(-d)) : -d + Math.Log(1 + Math.Exp(d));
        var byKind = usable.Select((p, i) => (p.Kind, win[i])).GroupBy(x => x.Kind)
            .ToDictionary(g => g.Key, g => g.Average(x => x.Item2 ? 1.0 : 0.0));
        return new PairEvaluation(win.Average(w => w ? 1.0 : 0.0), Enumerable.Range(0, usable.Count).Average(i => (double)c[i] - r[i]),
            Enumerable.Range(0, usable.Count).Average(i => Nll((double)c[i] - r[i])), byKind, usable.Count);
    }

    static List<PreferencePair> Usable(IReadOnlyList<PreferencePair> pairs, RewardView view) =>
        pairs.Where(p => RewardModel.View(p.Chosen, view) != RewardModel.View(p.Rejected, view)).ToList();

    /// <summary>Scores of a batch: chosen rows 0..B−1 and rejected rows B..2B−1 in one padded forward pass.</summary>
    static (Tensor Chosen, Tensor Rejected) Forward(RewardModel model, Tokenizer tokenizer, List<PreferencePair> batch, RewardView view)
    {
        var rows = batch.Select(p => model.Encode(tokenizer, p.Example.Prompt, p.Chosen, view))
            .Concat(batch.Select(p => model.Encode(tokenizer, p.Example.Prompt, p.Rejected, view))).ToList();
        var scores = model.forward(RewardModel.Batch(rows));                  // (2B)
        int B = batch.Count;
        return (scores.narrow(0, 0, B), scores.narrow(0, B, B));
    }
}
