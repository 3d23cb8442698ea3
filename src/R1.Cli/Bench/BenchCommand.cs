namespace R1.Cli.Bench;

/// <summary>
/// <c>bench &lt;name&gt; [options]</c>: micro-benchmarks whose tables line up with the PyTorch peers in tools/
/// (see docs/benchmarks.md). Timings are medians of several repeats after a warm-up.
/// </summary>
internal static class BenchCommand
{
    const string Usage = """
        usage: bench sgemm|train-step|generate [options]
          sgemm   single-precision matrix products at the GPT's shapes, GFLOP/s vs the 2-core FMA peak
                  (PyTorch peer: /usr/bin/python3 tools/bench_torch.py sgemm)
          train-step  one training step (forward, backward, clip, AdamW) of a GPT with 4 layers, d_model 128,
                  4 heads, context 128, batch 32 (peer: /usr/bin/python3 tools/bench_torch.py train-step)
          generate    batched KV-cache sampling, 64 prompts of 16 tokens, 128 new tokens each
                  (peer: /usr/bin/python3 tools/golden/bench_generate.py)
          --repeats N   timed repeats per shape / generate calls, median reported (default 7)
          --warmup N    train-step: untimed steps first (default 10); generate: untimed calls (default 10)
          --steps N     train-step: timed steps, median reported (default 20)
          --min-ms MS   minimum duration of one repeat in milliseconds (default 100)
          --only NAME   run only the shapes whose name contains NAME
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var options = BenchOptions.Parse(args[1..]);
            switch (args[0])
            {
                case "sgemm": SgemmBench.Run(options); return 0;
                case "train-step": TrainStepBench.Run(options); return 0;
                case "generate": GenerateBench.Run(options); return 0;
                default:
                    Console.Error.WriteLine($"bench: unknown benchmark '{args[0]}'; expected one of: sgemm, train-step, generate.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            return 2;
        }
    }
}

/// <summary>Options shared by the benchmarks.</summary>
internal sealed record BenchOptions(int Repeats, double MinMs, string? Only, int Warmup = 10, int Steps = 20)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions(7, 100, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i]
                : throw new ArgumentException($"option {args[i]} needs a value.");
            o = args[i] switch
            {
                "--repeats" => o with { Repeats = PositiveInt(Value(), "--repeats") },
                "--min-ms" => o with { MinMs = PositiveInt(Value(), "--min-ms") },
                "--only" => o with { Only = Value() },
                "--warmup" => o with { Warmup = NonNegativeInt(Value(), "--warmup") },
                "--steps" => o with { Steps = PositiveInt(Value(), "--steps") },
                _ => throw new ArgumentException($"unknown option '{args[i]}'; expected --repeats, --min-ms, --only, --warmup or --steps."),
            };
        }
        return o;
    }

    static int NonNegativeInt(string s, string name) =>
        int.TryParse(s, out int v) && v >= 0 ? v : throw new ArgumentException($"{name} expects an integer ≥ 0; got '{s}'.");

    static int PositiveInt(string s, string name) =>
        int.TryParse(s, out int v) && v > 0 ? v : throw new ArgumentException($"{name} expects a positive integer; got '{s}'.");
}
