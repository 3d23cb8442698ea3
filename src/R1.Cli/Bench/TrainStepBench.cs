using System.Diagnostics;
using R1.Models;
using R1.Modules;
using static R1.torch;

namespace R1.Cli.Bench;

/// <summary>
/// One training step of the benchmark GPT (4 layers, d_model 128, 4 heads, context 128, batch 32, vocabulary 128):
/// forward + cross entropy, backward, gradient clipping, AdamW — the same calls, in the same order, as
/// R1.Training.Trainer. PyTorch peer: <c>/usr/bin/python3 tools/bench_torch.py train-step</c>.
/// </summary>
internal static class TrainStepBench
{
    const int Vocab = 128, Context = 128, Batch = 32;

    public static void Run(BenchOptions o)
    {
        var model = new GPT(new GPTConfig(Vocab, BlockSize: Context, NLayer: 4, NHead: 4, NEmbd: 128));
        var parameters = model.parameters().ToList();
        using var opt = optim.AdamW(
            [new ParamGroup(parameters.Where(p => p.dim() >= 2)), new ParamGroup(parameters.Where(p => p.dim() < 2), weight_decay: 0)],
            lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        model.train();
        // Random tokens, a fresh batch per step as a data loader would give (drawn outside the timed region).
        var rng = new Random(1);
        int steps = o.Warmup + o.Steps;
        var batches = new long[steps][];
        for (int s = 0; s < steps; s++)
        {
            batches[s] = new long[Batch * (Context + 1)];
            for (int i = 0; i < batches[s].Length; i++) batches[s][i] = rng.Next(Vocab);
        }

        Console.WriteLine($"train-step: GPT 4 layers, d_model 128, 4 heads, context {Context}, batch {Batch}, vocab {Vocab}; " +
                          $"{Environment.ProcessorCount} cores; {o.Warmup} warm-up steps, median of {o.Steps} timed steps");
        var times = new double[o.Steps];
        float loss = 0;
        for (int s = 0; s < steps; s++)
        {
            var (idx, tgt) = Split(batches[s]);
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                var l = model.Loss(tensor(idx, Batch, Context), tensor(tgt, Batch, Context));
                loss = l.item<float>();
                opt.zero_grad();
                l.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                opt.step();
            }
            if (s >= o.Warmup) times[s - o.Warmup] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double median = times[times.Length / 2], best = times[0];
        Console.WriteLine($"{"impl",-10} {"median ms",10} {"best ms",9} {"tokens/s",10} {"best tok/s",10} {"last loss",9}");
        Console.WriteLine($"{"r1",-10} {median,10:F1} {best,9:F1} {Batch * Context / median * 1e3,10:F0} {Batch * Context / best * 1e3,10:F0} {loss,9:F4}");
    }

    static (long[] Idx, long[] Tgt) Split(long[] rows)
    {
        var idx = new long[Batch * Context];
        var tgt = new long[Batch * Context];
        for (int b = 0; b < Batch; b++)
        {
            Array.Copy(rows, b * (Context + 1), idx, b * Context, Context);
            Array.Copy(rows, b * (Context + 1) + 1, tgt, b * Context, Context);
        }
        return (idx, tgt);
    }
}
