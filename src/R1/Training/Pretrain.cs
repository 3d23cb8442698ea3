using R1.Models;

namespace R1.Training;

/// <summary>
/// Next-token pretraining: the documents are concatenated into one token stream (include &lt;bos&gt;/&lt;eos&gt; in
/// them to mark boundaries) and every step trains on BatchSize random windows of it, every position scored.
/// </summary>
public static class Pretrain
{
    public static TrainResult Run(GPT model, Tokenizer tokenizer, IEnumerable<int[]> documents, TrainConfig config,
        IEnumerable<int[]>? evalDocuments = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(config);
        int T = config.ContextLength == 0 ? model.Config.BlockSize : config.ContextLength;
        if (T > model.Config.BlockSize)
            throw new ArgumentException($"TrainConfig.ContextLength {T} exceeds the model's BlockSize {model.Config.BlockSize}.");
        var stream = Concat(documents, model.Config.VocabSize, "training");
        if (stream.Length < T + 1) throw new ArgumentException($"The training documents hold {stream.Length} tokens; a {T}-token context needs at least {T + 1}.");

        Func<float>? eval = null;
        if (evalDocuments is not null)
        {
            var evalStream = Concat(evalDocuments, model.Config.VocabSize, "evaluation");
            int te = Math.Min(T, evalStream.Length - 1);
            if (te < 1) throw new ArgumentException($"The evaluation documents hold {evalStream.Length} tokens; need at least 2.");
            eval = () =>
            {
                var rng = new Random(config.Seed + 1);   // the same windows at every evaluation
                double sum = 0;
                for (int i = 0; i < config.EvalBatches; i++)
                {
                    var (idx, tgt) = Batches.Windows(evalStream, config.BatchSize, te, rng);
                    sum += Trainer.BatchLoss(model, idx, tgt, te);
                }
                return (float)(sum / config.EvalBatches);
            };
        }
        return Trainer.Run("pretrain", model, tokenizer, config, rng =>
        {
            var (idx, tgt) = Batches.Windows(stream, config.BatchSize, T, rng);
            return (idx, tgt, T);
        }, eval);
    }

    static int[] Concat(IEnumerable<int[]> documents, int vocab, string what)
    {
        var all = new List<int>();
        int d = 0;
        foreach (var doc in documents)
        {
            ArgumentNullException.ThrowIfNull(doc, nameof(documents));
            for (int i = 0; i < doc.Length; i++)
                if ((uint)doc[i] >= (uint)vocab)
                    throw new ArgumentOutOfRangeException(nameof(documents), $"The {what} document {d} has token id {doc[i]} at position {i}, out of range for vocabulary size {vocab}.");
            all.AddRange(doc);
            d++;
        }
        return all.ToArray();
    }
}
