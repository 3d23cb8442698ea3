using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using R1.Kernels;

namespace R1.Cli.Bench;

/// <summary>
/// Sgemm throughput at the shapes one training step of the benchmark GPT runs
/// (4 layers, d_model 128, 4 heads of 32, context 128, batch 32: 4096 token rows, 128 attention matrices).
/// The shapes and their order match tools/bench_torch.py.
/// </summary>
internal static class SgemmBench
{
    /// <summary>C[M,N] = op(A)·op(B) with op = N (as stored) or T (transposed), batch independent products.</summary>
    internal sealed record Shape(string Name, string Op, int Batch, int M, int N, int K)
    {
        public double Flops => 2.0 * Batch * M * N * K;
    }

    // "NT" = A·Bᵀ (a Linear forward, attention scores), "NN" = A·B (input gradient, P·V), "TN" = Aᵀ·B (weight gradient).
    internal static readonly Shape[] Shapes =
    [
        new("qkv.fwd", "NT", 1, 4096, 384, 128),
        new("qkv.dX", "NN", 1, 4096, 128, 384),
        new("qkv.dW", "TN", 1, 384, 128, 4096),
        new("mlp_up.fwd", "NT", 1, 4096, 512, 128),
        new("mlp_down.fwd", "NT", 1, 4096, 128, 512),
        new("mlp_down.dW", "TN", 1, 128, 512, 4096),
        new("square", "NN", 1, 1024, 1024, 1024),
        new("attn.scores", "NT", 128, 128, 128, 32),   // Q·Kᵀ, also dP = dO·Vᵀ
        new("attn.pv", "NN", 128, 128, 32, 128),       // P·V, also dQ = dS·K
        new("attn.dV", "TN", 128, 128, 32, 128),       // Pᵀ·dO, also dK = dSᵀ·Q
    ];

    /// <summary>The issue's figure for this machine: 2 cores × 2 AVX2 FMA ports × 8 lanes × 2 FLOP × ~3 GHz.</summary>
    const double AssumedPeak = 190;

    public static void Run(BenchOptions o)
    {
        Console.WriteLine($"sgemm: {Environment.ProcessorCount} cores, kernel {Gemm.KernelName}, " +
                          $"median of {o.Repeats} repeats of ≥{o.MinMs} ms after warm-up");
        Console.WriteLine($"peak assumed {AssumedPeak} GFLOP/s (2 cores AVX2 FMA, from the issue); " +
                          $"measured FMA throughput now: AVX2 {FmaPeak(false):F0}, " +
                          (Avx512F.IsSupported ? $"AVX-512 {FmaPeak(true):F0}" : "AVX-512 n/a") + " GFLOP/s");
        Console.WriteLine("GFLOP/s from wall time (median, best); cpu = GFLOP per CPU-second of the whole process, " +
                          "which other jobs on the machine disturb less");
        Console.WriteLine($"{"name",-14} {"op",-3} {"batch",5} {"M×N×K",-16} {"ms",9} {"GFLOP/s",8} {"best",8} {"%peak",6} {"cpu",6}");
        var rng = new Random(1);
        foreach (var s in Shapes)
        {
            if (o.Only is not null && !s.Name.Contains(o.Only, StringComparison.OrdinalIgnoreCase)) continue;
            bool tA = s.Op[0] == 'T', tB = s.Op[1] == 'T';
            var a = Random(rng, s.Batch * s.M * s.K);
            var b = Random(rng, s.Batch * s.K * s.N);
            var c = new float[s.Batch * s.M * s.N];
            int lda = tA ? s.M : s.K, ldb = tB ? s.K : s.N;
            Action call = s.Batch == 1
                ? () => Gemm.Sgemm(tA, tB, s.M, s.N, s.K, a, lda, b, ldb, c, s.N, false)
                : () => Gemm.SgemmBatched(tA, tB, s.Batch, s.M, s.N, s.K, a, lda, (long)s.M * s.K,
                    b, ldb, (long)s.K * s.N, c, s.N, (long)s.M * s.N, false);
            var (median, best, cpu) = Time(call, o);
            double g = s.Flops / median / 1e9, gBest = s.Flops / best / 1e9;
            Console.WriteLine($"{s.Name,-14} {s.Op,-3} {s.Batch,5} {$"{s.M}×{s.N}×{s.K}",-16} {median * 1e3,9:F3} " +
                              $"{g,8:F1} {gBest,8:F1} {100 * g / AssumedPeak,5:F0}% {s.Flops / cpu / 1e9,6:F1}");
        }
    }

    static float[] Random(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Seconds per call: median and best over repeats, each repeat looping the call for ≥ MinMs;
    /// and the median process CPU seconds per call (all threads, spinning included).</summary>
    internal static (double Median, double Best, double Cpu) Time(Action call, BenchOptions o)
    {
        // Warm-up: lets the JIT reach its optimised tier and the thread pool spin up its workers.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalMilliseconds < Math.Max(200, o.MinMs) || calls < 3) { call(); calls++; }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int iters = Math.Max(1, (int)Math.Ceiling(o.MinMs / 1e3 / perCall));
        var times = new double[o.Repeats];
        var cpu = new double[o.Repeats];
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < o.Repeats; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            sw.Restart();
            for (int i = 0; i < iters; i++) call();
            times[r] = sw.Elapsed.TotalSeconds / iters;
            process.Refresh();
            cpu[r] = (process.TotalProcessorTime - cpu0).TotalSeconds / iters;
        }
        Array.Sort(times);
        Array.Sort(cpu);
        return (times[times.Length / 2], times[0], cpu[cpu.Length / 2]);
    }

    /// <summary>FLOP/s of independent FMA chains on every core: the ceiling a GEMM can approach right now.</summary>
    static double FmaPeak(bool wide)
    {
        const int iters = 20_000_000;
        int cores = Environment.ProcessorCount;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, cores, _ => { if (wide) Chains512(iters); else Chains256(iters); });
        return (double)cores * iters * 12 * (wide ? 32 : 16) / sw.Elapsed.TotalSeconds / 1e9;
    }

    static float Chains256(int n)
    {
        Vector256<float> x0 = Vector256.Create(1f), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0,
            x6 = x0, x7 = x0, x8 = x0, x9 = x0, x10 = x0, x11 = x0, m = Vector256.Create(0.999f), d = Vector256.Create(1e-4f);
        for (int i = 0; i < n; i++)
        {
            x0 = Fma.MultiplyAdd(x0, m, d); x1 = Fma.MultiplyAdd(x1, m, d); x2 = Fma.MultiplyAdd(x2, m, d);
            x3 = Fma.MultiplyAdd(x3, m, d); x4 = Fma.MultiplyAdd(x4, m, d); x5 = Fma.MultiplyAdd(x5, m, d);
            x6 = Fma.MultiplyAdd(x6, m, d); x7 = Fma.MultiplyAdd(x7, m, d); x8 = Fma.MultiplyAdd(x8, m, d);
            x9 = Fma.MultiplyAdd(x9, m, d); x10 = Fma.MultiplyAdd(x10, m, d); x11 = Fma.MultiplyAdd(x11, m, d);
        }
        return Vector256.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
    }

    static float Chains512(int n)
    {
        Vector512<float> x0 = Vector512.Create(1f), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0,
            x6 = x0, x7 = x0, x8 = x0, x9 = x0, x10 = x0, x11 = x0, m = Vector512.Create(0.999f), d = Vector512.Create(1e-4f);
        for (int i = 0; i < n; i++)
        {
            x0 = Avx512F.FusedMultiplyAdd(x0, m, d); x1 = Avx512F.FusedMultiplyAdd(x1, m, d);
            x2 = Avx512F.FusedMultiplyAdd(x2, m, d); x3 = Avx512F.FusedMultiplyAdd(x3, m, d);
            x4 = Avx512F.FusedMultiplyAdd(x4, m, d); x5 = Avx512F.FusedMultiplyAdd(x5, m, d);
            x6 = Avx512F.FusedMultiplyAdd(x6, m, d); x7 = Avx512F.FusedMultiplyAdd(x7, m, d);
            x8 = Avx512F.FusedMultiplyAdd(x8, m, d); x9 = Avx512F.FusedMultiplyAdd(x9, m, d);
            x10 = Avx512F.FusedMultiplyAdd(x10, m, d); x11 = Avx512F.FusedMultiplyAdd(x11, m, d);
        }
        return Vector512.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
    }
}
