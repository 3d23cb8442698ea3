using R1.Models;

namespace R1.Training;

/// <summary>
/// Supervised fine-tuning on (prompt, completion) pairs: the model reads prompt + completion and the loss counts only
/// the completion's tokens (targets are −100 on prompt and padding positions, see <see cref="Batches.Sft"/>).
/// Examples are visited in a fresh random order each epoch.
/// </summary>
public static class Sft
{
    public static TrainResult Run(GPT model, Tokenizer tokenizer, IReadOnlyList<SftExample> examples, TrainConfig config,
        IReadOnlyList<SftExample>? evalExamples = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(config);
        if (examples.Count == 0) throw new ArgumentException("SFT needs at least one example.", nameof(examples));
        Check(examples, model.Config, "training");
        if (evalExamples is not null) Check(evalExamples, model.Config, "evaluation");

        var order = Enumerable.Range(0, examples.Count).ToArray();
        int cursor = order.Length;   // forces a shuffle before the first batch
        var batch = new List<SftExample>(config.BatchSize);
        Func<float>? eval = evalExamples is not { Count: > 0 } ? null : () =>
        {
            double sum = 0;
            int batches = 0;
            for (int s = 0; s < evalExamples.Count && batches < config.EvalBatches; s += config.BatchSize, batches++)
            {
                var rows = evalExamples.Skip(s).Take(config.BatchSize).ToList();
                var (idx, tgt, T) = Batches.Sft(rows, tokenizer.PadId);
                sum += Trainer.BatchLoss(model, idx, tgt, T);
            }
            return (float)(sum / batches);
        };
        return Trainer.Run("sft", model, tokenizer, config, rng =>
        {
            batch.Clear();
            while (batch.Count < config.BatchSize)
            {
                if (cursor == order.Length) { rng.Shuffle(order); cursor = 0; }
                batch.Add(examples[order[cursor++]]);
            }
            return Batches.Sft(batch, tokenizer.PadId);
        }, eval);
    }

    static void Check(IReadOnlyList<SftExample> examples, GPTConfig c, string what)
    {
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i] ?? throw new ArgumentNullException(nameof(examples), $"The {what} example {i} is null.");
            if (e.Prompt.Length == 0 || e.Completion.Length == 0)
                throw new ArgumentException($"The {what} example {i} needs a non-empty prompt and completion (prompt {e.Prompt.Length}, completion {e.Completion.Length} tokens).");
            int n = e.Prompt.Length + e.Completion.Length;
            if (n - 1 > c.BlockSize)
                throw new ArgumentException($"The {what} example {i} has {n} tokens; the model's context (BlockSize {c.BlockSize}) fits at most {c.BlockSize + 1}.");
            foreach (var t in e.Prompt.Concat(e.Completion))
                if ((uint)t >= (uint)c.VocabSize)
                    throw new ArgumentOutOfRangeException(nameof(examples), $"The {what} example {i} has token id {t}, out of range for vocabulary size {c.VocabSize}.");
        }
    }
}
