using System.Diagnostics;
using R1.Models;

namespace R1.Cli.Bench;

/// <summary>
/// Batched KV-cache sampling with <see cref="GPT.Generate"/>: 64 prompts of 16 random tokens, 128 new tokens each
/// (never stopping early), multinomial sampling at temperature 1, GPT 4 layers, d_model 128, 4 heads, context 256,
/// vocabulary 100. Tokens/s counts generated tokens (prefill included in the time).
/// PyTorch peer: <c>/usr/bin/python3 tools/golden/bench_generate.py</c>.
/// </summary>
internal static class GenerateBench
{
    const int Vocab = 100, Context = 256, Sequences = 64, PromptLength = 16, NewTokens = 128;

    public static void Run(BenchOptions o)
    {
        var model = new GPT(new GPTConfig(Vocab, BlockSize: Context, NLayer: 4, NHead: 4, NEmbd: 128));
        model.eval();
        var rng = new Random(0);
        var prompts = new int[Sequences][];
        for (int b = 0; b < Sequences; b++)
        {
            prompts[b] = new int[PromptLength];
            for (int t = 0; t < PromptLength; t++) prompts[b][t] = rng.Next(Vocab);
        }
        var options = new SamplingOptions { MaxNewTokens = NewTokens, Temperature = 1f, StopToken = -1 };

        Console.WriteLine($"generate: GPT 4 layers, d_model 128, 4 heads, context {Context}, vocab {Vocab}; {Sequences} prompts of " +
                          $"{PromptLength} tokens, {NewTokens} new tokens each; {Environment.ProcessorCount} cores; " +
                          $"{o.Warmup} warm-up calls, median of {o.Repeats} timed calls");
        for (int i = 0; i < o.Warmup; i++) model.Generate(prompts, options with { Seed = (ulong)i });
        var times = new double[o.Repeats];
        int produced = 0;
        for (int r = 0; r < o.Repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            var result = model.Generate(prompts, options with { Seed = (ulong)(1000 + r) });
            times[r] = clock.Elapsed.TotalSeconds;
            produced = result.Tokens.Sum(t => t.Length);
        }
        if (produced != Sequences * NewTokens)
            throw new InvalidOperationException($"generate: expected {Sequences * NewTokens} tokens, got {produced}.");
        Array.Sort(times);
        double median = times[times.Length / 2], best = times[0];
        Console.WriteLine($"{"impl",-10} {"median ms",10} {"best ms",9} {"tokens/s",10} {"best tok/s",10}");
        Console.WriteLine($"{"r1",-10} {median * 1e3,10:F1} {best * 1e3,9:F1} {produced / median,10:F0} {produced / best,10:F0}");
    }
}
