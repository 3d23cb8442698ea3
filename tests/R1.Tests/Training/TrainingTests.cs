using R1.Models;
using R1.Training;
using static R1.torch;

namespace R1.Tests.Training;

public sealed class TrainingTests : IDisposable
{
    readonly string runDir = Path.Combine(Path.GetTempPath(), $"r1-run-{Guid.NewGuid():N}");

    public void Dispose() { if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true); }

    /// <summary>The README snippet, as a test: a tiny model learns a toy string and its loss falls.</summary>
    [Fact]
    public void ReadmeSnippetLossFalls()
    {
        var text = string.Concat(Enumerable.Repeat("12+30=42\n7+8=15\n", 50));
        var tok = Tokenizer.FromTexts([text]);
        var model = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 16, NLayer: 2, NHead: 2, NEmbd: 32));
        var run = Pretrain.Run(model, tok, [tok.Encode(text)], new TrainConfig { Steps = 40, BatchSize = 8, LearningRate = 1e-2, WarmupSteps = 5 });
        foreach (var m in run.Metrics.Where(m => m.Step % 10 == 0 || m.Step == 39)) Console.WriteLine($"step {m.Step,3}  loss {m.Loss:F3}");

        Assert.InRange(run.Metrics[0].Loss, 4.0f, 5.5f);                    // ≈ ln(vocab) at the start
        Assert.True(run.FinalLoss < 0.5f * run.Metrics[0].Loss, $"loss {run.Metrics[0].Loss} -> {run.FinalLoss}");
        Assert.True(run.Metrics.TakeLast(10).Average(r => r.Loss) < run.Metrics.Take(10).Average(r => r.Loss) - 1);
        model.Dispose();
    }

    [Fact]
    public void SftBatchMasksPromptAndPaddingTargets()
    {
        // prompt [1 10 11], completion [12 2]; second row shorter and padded.
        var (idx, tgt, T) = Batches.Sft([new SftExample([1, 10, 11], [12, 2]), new SftExample([1, 10], [2])], padId: 0);
        Assert.Equal(4, T);
        Assert.Equal([1L, 10, 11, 12, 1, 10, 0, 0], idx);
        Assert.Equal([-100L, -100, 12, 2, -100, 2, -100, -100], tgt);
    }

    [Fact]
    public void SftLossCountsOnlyCompletionTokens()
    {
        var cfg = new GPTConfig(VocabSize: 16, BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 16);
        using var m = new GPT(cfg, seed: 11);
        m.eval();
        int[] prompt = [1, 5, 6, 7], completion = [8, 9, 2];
        var (idx, tgt, T) = Batches.Sft([new SftExample(prompt, completion)]);
        using var scope = NewDisposeScope();
        float loss = m.Loss(tensor(idx, 1, T), tensor(tgt, 1, T)).item<float>();

        // By hand: −mean log softmax(logits[t])[next token] over the positions t = 3, 4, 5 that predict the completion.
        var logits = m.forward(tensor(idx, 1, T)).ToArray<float>();
        int[] seq = [.. prompt, .. completion];
        double sum = 0;
        for (int t = prompt.Length - 1; t < seq.Length - 1; t++)
        {
            var row = logits.AsSpan(t * 16, 16).ToArray();
            double max = row.Max(), z = row.Sum(v => Math.Exp(v - max));
            sum -= row[seq[t + 1]] - max - Math.Log(z);
        }
        Assert.Equal(sum / completion.Length, loss, 1e-5);
    }

    [Fact]
    public void SftTrainsAndWritesMetricsAndCheckpoint()
    {
        var tok = Tokenizer.FromTexts(["Q:1+1 A:2"], includeAsciiPrintable: false);
        var ex = new SftExample(tok.Encode("Q:1+1 ", addBos: true), tok.Encode("A:2", addEos: true));
        using var m = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 16, NLayer: 1, NHead: 2, NEmbd: 16));
        var run = Sft.Run(m, tok, [ex], new TrainConfig { Steps = 30, BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 2, EvalInterval = 10, RunDir = runDir }, [ex]);
        Assert.True(run.FinalLoss < 0.3f * run.Metrics[0].Loss, $"{run.Metrics[0].Loss} -> {run.FinalLoss}");
        var rows = MetricsCsv.Read(Path.Combine(runDir, "metrics.csv"));
        Assert.Equal(30, rows.Count);
        Assert.Equal(run.Metrics.Select(r => r.Loss), rows.Select(r => r.Loss));
        Assert.Equal([9, 19, 29], rows.Where(r => r.EvalLoss is not null).Select(r => r.Step));
        Assert.All(rows, r => Assert.True(r.TokensPerSecond > 0 && r.GradNorm > 0 && r.Lr > 0));
        Assert.True(Checkpoint.Exists(runDir));
        Assert.Equal("30", Checkpoint.Load(runDir).Weights.Metadata["step"]);
        // The trained model completes its one example greedily.
        var (m2, tok2) = Checkpoint.LoadModel(runDir);
        var r = m2.Generate([ex.Prompt], new SamplingOptions { Temperature = 0, MaxNewTokens = 8 });
        Assert.Equal("A:2<eos>", tok2.Decode(r.Tokens[0]));
        Assert.True(r.Finished[0]);
        m2.Dispose();
    }

    [Fact]
    public void NaNLossStopsTheRunNamingTheStepAndKeepsTheLastGoodCheckpoint()
    {
        var tok = Tokenizer.FromTexts(["abcabc"], includeAsciiPrintable: false);
        using var m = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 8));
        var stream = tok.Encode("abcabcabcabc");
        var cfg = new TrainConfig { Steps = 10, BatchSize = 2, CheckpointInterval = 2, WarmupSteps = 0, RunDir = runDir };
        int step = 0;
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Run("pretrain", m, tok, cfg, rng =>
        {
            if (step++ == 5)
                using (no_grad()) m.transformer.ln_f.weight!.fill_(float.NaN);   // poison the weights before step 5's forward
            var (idx, tgt) = Batches.Windows(stream, 2, 4, rng);
            return (idx, tgt, 4);
        }, null));
        Assert.Equal(5, e.Step);
        Assert.True(float.IsNaN(e.Loss));
        Assert.Contains("Training diverged at step 5: loss is NaN", e.Message);
        Assert.Contains("the checkpoint of step 4", e.Message);
        var ck = Checkpoint.Load(runDir);
        Assert.Equal("4", ck.Weights.Metadata["step"]);
        Assert.All(ck.Weights.Tensors.Values, t => Assert.All(t.Floats!, v => Assert.True(float.IsFinite(v))));
        Assert.Equal(5, MetricsCsv.Read(Path.Combine(runDir, "metrics.csv")).Count);
    }

    [Fact]
    public void HugeLearningRateDivergesWithAClearError()
    {
        var tok = Tokenizer.FromTexts(["abcabc"], includeAsciiPrintable: false);
        using var m = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 8));
        var e = Assert.Throws<TrainingDivergedException>(() => Pretrain.Run(m, tok, [tok.Encode("abcabcabcabc")],
            new TrainConfig { Steps = 50, BatchSize = 2, LearningRate = 1e30, MinLearningRate = 1e30, WarmupSteps = 0, GradClip = 0, RunDir = runDir }));
        Assert.Contains($"Training diverged at step {e.Step}", e.Message);
    }

    [Fact]
    public void BadDataIsAClearError()
    {
        var tok = Tokenizer.FromTexts(["ab"], includeAsciiPrintable: false);
        using var m = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 8));
        Assert.Contains("token id 99 at position 1",
            Assert.Throws<ArgumentOutOfRangeException>(() => Pretrain.Run(m, tok, [[1, 99, 2, 3, 4, 5]], new TrainConfig { Steps = 1 })).Message);
        Assert.Contains("needs at least 5",
            Assert.Throws<ArgumentException>(() => Pretrain.Run(m, tok, [[1, 2]], new TrainConfig { Steps = 1 })).Message);
        Assert.Contains("fits at most 5",
            Assert.Throws<ArgumentException>(() => Sft.Run(m, tok, [new SftExample([1, 7, 7], [8, 8, 2])], new TrainConfig { Steps = 1 })).Message);
    }
}
