using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace R1.Kernels;

/// <summary>
/// Single-precision matrix products over row-major buffers:
/// C[M,N] = op(A)[M,K] · op(B)[K,N]  (or C += … when <c>accumulate</c>).
/// op(X) is X or Xᵀ; lda/ldb/ldc are the row strides of the buffers as stored
/// (A is stored M×K, or K×M when transA; B is stored K×N, or N×K when transB).
/// </summary>
/// <remarks>
/// The fast path is a cache-blocked GEMM in the BLIS style: B is packed into NR-wide column panels
/// (KC×NC block, L3/L2), A into MR-tall row panels (MC×KC block, L2), and a register-blocked
/// micro-kernel multiplies one A panel by one B panel (the B panel stays in L1). Packing buffers live
/// per thread and are reused, so a call allocates nothing once warm. Micro-kernels: 8×32 with AVX-512,
/// 6×16 with AVX2+FMA, and a portable <see cref="System.Numerics.Vector{T}"/> one.
/// <see cref="SgemmNaive"/> is the plain twin every fast path is tested against.
/// </remarks>
public static partial class Gemm
{
    /// <summary>C = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/>. Parallel when large.</summary>
    public static void Sgemm(bool transA, bool transB, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, bool accumulate)
        => Sgemm(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate, parallel: true);

    /// <summary>As <see cref="Sgemm(bool,bool,int,int,int,ReadOnlySpan{float},int,ReadOnlySpan{float},int,Span{float},int,bool)"/>;
    /// <paramref name="parallel"/> = false keeps the call on the calling thread (for callers that parallelise outside).</summary>
    public static unsafe void Sgemm(bool transA, bool transB, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, bool accumulate, bool parallel)
    {
        Validate(transA, transB, 1, M, N, K, A.Length, lda, 0, B.Length, ldb, 0, C.Length, ldc, 0);
        fixed (float* a = A, b = B, c = C)
            Run(BestIsa, transA, transB, M, N, K, a, lda, b, ldb, c, ldc, accumulate, parallel);
    }

    /// <summary>Batched: batch independent products, matrix b at offsets b·strideA, b·strideB, b·strideC.</summary>
    public static void SgemmBatched(bool transA, bool transB, int batch, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, long strideA, ReadOnlySpan<float> B, int ldb, long strideB,
        Span<float> C, int ldc, long strideC, bool accumulate)
        => SgemmBatched(transA, transB, batch, M, N, K, A, lda, strideA, B, ldb, strideB, C, ldc, strideC, accumulate, parallel: true);

    /// <summary>Batched product; with <paramref name="parallel"/> the batch is split across cores
    /// (each matrix then runs single-threaded), or a single matrix is split internally.</summary>
    public static unsafe void SgemmBatched(bool transA, bool transB, int batch, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, long strideA, ReadOnlySpan<float> B, int ldb, long strideB,
        Span<float> C, int ldc, long strideC, bool accumulate, bool parallel)
    {
        Validate(transA, transB, batch, M, N, K, A.Length, lda, strideA, B.Length, ldb, strideB, C.Length, ldc, strideC);
        fixed (float* a = A, b = B, c = C)
            RunBatched(BestIsa, transA, transB, batch, M, N, K, a, lda, strideA, b, ldb, strideB, c, ldc, strideC,
                accumulate, parallel);
    }

    /// <summary>The plain triple loop: the reference every fast kernel is tested against.</summary>
    public static void SgemmNaive(bool transA, bool transB, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, bool accumulate)
    {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                float s = 0;
                for (int k = 0; k < K; k++)
                    s += (transA ? A[k * lda + i] : A[i * lda + k]) * (transB ? B[j * ldb + k] : B[k * ldb + j]);
                C[i * ldc + j] = accumulate ? C[i * ldc + j] + s : s;
            }
    }

    // ---------------------------------------------------------------- dispatch

    /// <summary>Which micro-kernel family runs; tests force each one the machine supports.</summary>
    internal enum Isa { Portable, Avx2, Avx512 }

    /// <summary>The widest supported kernel; R1_GEMM_ISA=avx2|portable forces a narrower one (benchmarks compare them).</summary>
    internal static readonly Isa BestIsa = ChooseIsa(Environment.GetEnvironmentVariable("R1_GEMM_ISA"));

    /// <summary>The micro-kernel this machine runs, e.g. "Avx512 8×32" (for benchmark reports).</summary>
    public static string KernelName => $"{BestIsa} {TileShape(BestIsa).MR}×{TileShape(BestIsa).NR}";

    static Isa ChooseIsa(string? forced)
    {
        var best = Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? Isa.Avx512
            : IsSupported(Isa.Avx2) ? Isa.Avx2
            : Isa.Portable;
        return Enum.TryParse<Isa>(forced, ignoreCase: true, out var isa) && isa < best ? isa : best;
    }

    internal static bool IsSupported(Isa isa) => isa switch
    {
        Isa.Avx512 => Avx512F.IsSupported,
        Isa.Avx2 => Fma.IsSupported && Avx.IsSupported,
        _ => true,
    };

    // Below ~1M multiply-adds (≈10 µs on one core) the thread hand-off costs more than it saves.
    const long ParallelMinWork = 1L << 20;

    internal static unsafe void RunBatched(Isa isa, bool transA, bool transB, int batch, int M, int N, int K,
        float* A, int lda, long strideA, float* B, int ldb, long strideB, float* C, int ldc, long strideC,
        bool accumulate, bool parallel)
    {
        int threads = Environment.ProcessorCount;
        long work = (long)batch * M * N * K;
        if (parallel && batch >= 2 && threads >= 2 && work >= ParallelMinWork)
        {
            // One level of parallelism: contiguous runs of the batch per task, each matrix single-threaded.
            int chunks = Math.Min(batch, 4 * threads), per = (batch + chunks - 1) / chunks;
            chunks = (batch + per - 1) / per;
            nint a = (nint)A, b = (nint)B, c = (nint)C;
            Parallel.For(0, chunks, t =>
            {
                int end = Math.Min(batch, (t + 1) * per);
                for (int i = t * per; i < end; i++)
                    Run(isa, transA, transB, M, N, K, (float*)a + i * strideA, lda, (float*)b + i * strideB, ldb,
                        (float*)c + i * strideC, ldc, accumulate, parallel: false);
            });
            return;
        }
        for (int i = 0; i < batch; i++)
            Run(isa, transA, transB, M, N, K, A + i * strideA, lda, B + i * strideB, ldb, C + i * strideC, ldc,
                accumulate, parallel);
    }

    internal static unsafe void Run(Isa isa, bool transA, bool transB, int M, int N, int K,
        float* A, int lda, float* B, int ldb, float* C, int ldc, bool accumulate, bool parallel)
    {
        if (M == 0 || N == 0) return;
        if (K == 0)
        {
            // An empty sum: C = 0, or C unchanged when accumulating.
            if (!accumulate)
                for (int i = 0; i < M; i++) new Span<float>(C + (long)i * ldc, N).Clear();
            return;
        }
        int threads = Environment.ProcessorCount;
        if (!parallel || threads < 2 || (long)M * N * K < ParallelMinWork)
        {
            Blocked(isa, transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
            return;
        }

        var (mChunks, nChunks, rowsPer, colsPer) = SplitTiles(isa, transA, transB, M, N, K, threads);
        if (mChunks * nChunks < 2)
        {
            Blocked(isa, transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
            return;
        }
        nint a = (nint)A, b = (nint)B, c = (nint)C;
        Parallel.For(0, mChunks * nChunks, t =>
        {
            int i0 = t / nChunks * rowsPer, j0 = t % nChunks * colsPer;
            int m = Math.Min(rowsPer, M - i0), n = Math.Min(colsPer, N - j0);
            float* at = (float*)a + (transA ? i0 : (long)i0 * lda);
            float* bt = (float*)b + (transB ? (long)j0 * ldb : j0);
            Blocked(isa, transA, transB, m, n, K, at, lda, bt, ldb, (float*)c + (long)i0 * ldc + j0, ldc, accumulate);
        });
    }

    /// <summary>
    /// Splits C into independent tiles, one task each (every task reads and packs its own slices of A and B).
    /// Estimated time of a grid: waves of tasks × (multiply-adds of a padded tile + cost of its A and B slices).
    /// An element of a slice costs about 16 multiply-adds to fetch from L3/memory (one core does ~32 a cycle)
    /// plus 12 to pack it transposed or 3 to copy it, so grids that re-read a large operand lose. Among grids
    /// within 3% of the best the one with most tasks wins: small tasks even out cores slowed by other processes.
    /// </summary>
    internal static (int MChunks, int NChunks, int RowsPer, int ColsPer) SplitTiles(
        Isa isa, bool transA, bool transB, int M, int N, int K, int threads)
    {
        var (mr, nr) = TileShape(isa);
        double packA = 16 + (transA ? 3 : 12), packB = 16 + (transB ? 12 : 3);
        int maxTiles = 4 * threads;
        Span<(double Cost, int Tiles, int Rows, int Cols)> grids = stackalloc (double, int, int, int)[maxTiles * maxTiles];
        int count = 0;
        double min = double.MaxValue;
        for (int mc = 1; mc <= Math.Min(maxTiles, (M + mr - 1) / mr); mc++)
            for (int nc = 1; mc * nc <= maxTiles && nc <= (N + nr - 1) / nr; nc++)
            {
                int rows = RoundUp((M + mc - 1) / mc, mr), cols = RoundUp((N + nc - 1) / nc, nr);
                int tiles = ((M + rows - 1) / rows) * ((N + cols - 1) / cols);
                double tile = (double)rows * cols * K + (double)K * (rows * packA + cols * packB);
                double cost = Math.Ceiling((double)tiles / threads) * tile;
                grids[count++] = (cost, tiles, rows, cols);
                min = Math.Min(min, cost);
            }
        var best = (Cost: 0.0, Tiles: 0, Rows: M, Cols: N);
        foreach (var g in grids[..count])
            if (g.Cost <= min * 1.03 && g.Tiles > best.Tiles) best = g;
        return ((M + best.Rows - 1) / best.Rows, (N + best.Cols - 1) / best.Cols, best.Rows, best.Cols);
    }

    static (int MR, int NR) TileShape(Isa isa) => isa switch
    {
        Isa.Avx512 => (Avx512Kernel.MR, Avx512Kernel.NR),
        Isa.Avx2 => (Avx2Kernel.MR, Avx2Kernel.NR),
        _ => (PortableKernel.MR, PortableKernel.NR),
    };

    static unsafe void Blocked(Isa isa, bool transA, bool transB, int M, int N, int K,
        float* A, int lda, float* B, int ldb, float* C, int ldc, bool accumulate)
    {
        switch (isa)
        {
            case Isa.Avx512: Blocked<Avx512Kernel>(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate); break;
            case Isa.Avx2: Blocked<Avx2Kernel>(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate); break;
            default: Blocked<PortableKernel>(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate); break;
        }
    }

    static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    // ---------------------------------------------------------------- validation

    static void Validate(bool transA, bool transB, int batch, int M, int N, int K,
        int aLen, int lda, long strideA, int bLen, int ldb, long strideB, int cLen, int ldc, long strideC)
    {
        if (batch < 0 || M < 0 || N < 0 || K < 0)
            throw new ArgumentOutOfRangeException(nameof(M),
                $"Sgemm sizes must be non-negative; got batch={batch}, M={M}, N={N}, K={K}.");
        CheckOperand("A", transA ? K : M, transA ? M : K, lda, strideA, batch, aLen, transA);
        CheckOperand("B", transB ? N : K, transB ? K : N, ldb, strideB, batch, bLen, transB);
        CheckOperand("C", M, N, ldc, strideC, batch, cLen, false);
        if (batch > 1 && M > 0 && N > 0 && strideC < (long)(M - 1) * ldc + N)
            throw new ArgumentException(
                $"SgemmBatched: the {batch} C matrices overlap (strideC={strideC} < (M-1)·ldc+N = {(long)(M - 1) * ldc + N}); " +
                "each product needs its own output.");
    }

    static void CheckOperand(string name, int rows, int cols, int ld, long stride, int batch, int length, bool trans)
    {
        string stored = $"{name} is stored {rows}×{cols}{(trans ? " (transposed)" : "")}";
        if (ld < cols)
            throw new ArgumentException($"Sgemm: {stored}, so ld{name.ToLowerInvariant()} must be ≥ {cols}; got {ld}.");
        if (stride < 0)
            throw new ArgumentException($"Sgemm: stride{name} must be non-negative; got {stride}.");
        if (rows == 0 || cols == 0 || batch == 0) return;
        long need = (long)(batch - 1) * stride + (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException(
                $"Sgemm: {stored} with ld={ld}{(batch > 1 ? $", batch={batch}, stride={stride}" : "")} " +
                $"needs {need} elements, but the buffer holds {length}.");
    }
}
