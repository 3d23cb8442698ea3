using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace R1.Kernels;

public static partial class Gemm
{
    // Block sizes (floats). An MC×KC block of A (512 KiB) and the KC×NC block of B (≤ 2 MiB) live in L2/L3;
    // a KC×NR sliver of B (64 KiB) is reused across all A slivers of the block. KC = 512 keeps the model's
    // K ≤ 512 products in one pass over C; measured here, 256 or 384 were slower on K = 384, 512 and 1024.
    const int KC = 512, MC = 256, NC = 1024;
    const int MaxMR = 8, MaxNR = 32;

    /// <summary>Per-thread packing buffers, 64-byte aligned, allocated once per thread and pinned.</summary>
    sealed unsafe class Workspace
    {
        [ThreadStatic] static Workspace? current;
        public static Workspace Current => current ??= new Workspace();

        readonly float[] storage;   // kept alive here; pinned, so the pointers below stay valid
        public readonly float* PackA, PackB, Tile;

        Workspace()
        {
            int a = (MC + MaxMR) * KC, b = (NC + MaxNR) * KC, tile = MaxMR * MaxNR;
            storage = GC.AllocateUninitializedArray<float>(a + b + tile + 16, pinned: true);
            float* p = (float*)Unsafe.AsPointer(ref storage[0]);
            p = (float*)(((nint)p + 63) & ~(nint)63);
            PackA = p; PackB = p + a; Tile = p + a + b;
        }
    }

    /// <summary>The single-threaded blocked product on a sub-problem; <typeparamref name="TK"/> picks the micro-kernel.</summary>
    /// <remarks>Hot methods here skip tiered compilation: a GEMM called a few hundred times would otherwise run its
    /// first calls in unoptimised/OSR code for a long while (measured: 2× slower for the first seconds).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Blocked<TK>(bool transA, bool transB, int M, int N, int K,
        float* A, int lda, float* B, int ldb, float* C, int ldc, bool accumulate) where TK : struct, IMicroKernel
    {
        int MR = TK.MR, NR = TK.NR;
        var ws = Workspace.Current;
        float* pa = ws.PackA, pb = ws.PackB, tile = ws.Tile;
        // Even block sizes: K = 384 runs as 2×192, not 256 + 128.
        int kBlocks = (K + KC - 1) / KC, kcMax = (K + kBlocks - 1) / kBlocks;
        int mBlocks = (M + MC - 1) / MC, mcMax = RoundUp((M + mBlocks - 1) / mBlocks, MR);

        for (int jc = 0; jc < N; jc += NC)
        {
            int nc = Math.Min(NC, N - jc);
            // Packing A pays only when the packed sliver is reused across several B panels; with few panels,
            // full slivers are read in place (row-major A along rows, Aᵀ along its k-rows) and only a ragged
            // last sliver is packed. Aᵀ in place strides by lda per k, so it is kept to one panel (no reuse).
            int panels = (nc + NR - 1) / NR;
            bool inPlace = transA ? panels == 1 : panels <= 4;
            for (int pc = 0; pc < K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, K - pc);
                bool acc = accumulate || pc > 0;   // later K blocks add onto the first
                if (transB)
                    for (int jr = 0; jr < nc; jr += NR)
                        PackTransposed(B + (long)(jc + jr) * ldb + pc, ldb, Math.Min(NR, nc - jr), kc, NR, pb + jr * kc);
                else PackRows(B + (long)pc * ldb + jc, ldb, nc, kc, NR, pb);
                for (int ic = 0; ic < M; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, M - ic);
                    int i0 = inPlace ? mc / MR * MR : 0;   // in place: only the ragged last sliver is packed
                    if (transA) PackRows(A + (long)pc * lda + ic + i0, lda, mc - i0, kc, MR, pa + i0 * kc);
                    else
                        for (int ir = i0; ir < mc; ir += MR)
                            PackTransposed(A + (long)(ic + ir) * lda + pc, lda, Math.Min(MR, mc - ir), kc, MR, pa + ir * kc);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int w = Math.Min(NR, nc - jr);
                        float* bp = pb + jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int h = Math.Min(MR, mc - ir);
                            float* c = C + (long)(ic + ir) * ldc + jc + jr;
                            bool full = h == MR && w == NR;
                            float* dst = full ? c : tile;
                            int ldd = full ? ldc : NR;
                            bool accD = full && acc;
                            if (inPlace && h == MR)
                            {
                                if (transA) TK.Run<PanelA>(kc, A + (long)pc * lda + ic + ir, lda, bp, dst, ldd, accD);
                                else TK.Run<RowsA>(kc, A + (long)(ic + ir) * lda + pc, lda, bp, dst, ldd, accD);
                            }
                            else TK.Run<PanelA>(kc, pa + ir * kc, MR, bp, dst, ldd, accD);
                            if (!full)
                            {
                                // Ragged edge: the full tile went to scratch; only its valid part goes to C.
                                for (int r = 0; r < h; r++)
                                {
                                    float* cr = c + (long)r * ldc, tr = tile + r * NR;
                                    if (acc) for (int j = 0; j < w; j++) cr[j] += tr[j];
                                    else for (int j = 0; j < w; j++) cr[j] = tr[j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- packing
    // A packed panel of width P holds, for each k in 0..kc, P consecutive values (zero beyond the w valid ones).

    /// <summary>
    /// Packs a block whose stored rows are k-slices (B, or Aᵀ) into panels of width P:
    /// panel p gets dst[p·P·kc + k·P + r] = src[k·ld + p·P + r], zero beyond the width.
    /// Row by row across all panels, so the source is read as sequential streams, not in strided columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void PackRows(float* src, int ld, int width, int kc, int P, float* dst)
    {
        int panels = (width + P - 1) / P;
        for (int k = 0; k < kc; k++, src += ld)
        {
            float* s = src, d = dst + k * P;
            for (int p = 0; p < panels; p++, s += P, d += P * kc)
            {
                int w = Math.Min(P, width - p * P), r = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; r + 8 <= w; r += 8) Vector256.Store(Vector256.Load(s + r), d + r);
                for (; r < w; r++) d[r] = s[r];
                for (; r < P; r++) d[r] = 0;
            }
        }
    }

    /// <summary>dst[k·P + r] = src[r·ld + k] for r &lt; w: a transpose, done 8×8 at a time with AVX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void PackTransposed(float* src, int ld, int w, int kc, int P, float* dst)
    {
        int r = 0;
        if (Avx.IsSupported)
            for (; r + 8 <= w; r += 8)
            {
                float* s = src + (long)r * ld;
                int k = 0;
                for (; k + 8 <= kc; k += 8) Transpose8x8(s + k, ld, dst + k * P + r, P);
                for (; k < kc; k++)
                    for (int i = 0; i < 8; i++) dst[k * P + r + i] = s[(long)i * ld + k];
            }
        for (; r < w; r++)
        {
            float* s = src + (long)r * ld;
            for (int k = 0; k < kc; k++) dst[k * P + r] = s[k];
        }
        if (w < P)
            for (int k = 0; k < kc; k++)
                for (int i = w; i < P; i++) dst[k * P + i] = 0;
    }

    /// <summary>Reads 8 rows of 8 (row stride ld) and writes their columns as 8 rows (stride P).</summary>
    /// <remarks>Rows i and i+4 share a register (low/high 128-bit lanes, the insert folds a load), so the
    /// transpose is two in-lane 4×4 transposes: 16 shuffles for 64 values, the shuffle port being the limit.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Transpose8x8(float* s, int ld, float* d, int P)
    {
        float* s4 = s + 4L * ld;
        var x0 = Pair(s, s4); var x1 = Pair(s + ld, s4 + ld);
        var x2 = Pair(s + 2L * ld, s4 + 2L * ld); var x3 = Pair(s + 3L * ld, s4 + 3L * ld);
        var y0 = Pair(s + 4, s4 + 4); var y1 = Pair(s + ld + 4, s4 + ld + 4);
        var y2 = Pair(s + 2L * ld + 4, s4 + 2L * ld + 4); var y3 = Pair(s + 3L * ld + 4, s4 + 3L * ld + 4);
        Transpose4x4Lanes(x0, x1, x2, x3, d, P);
        Transpose4x4Lanes(y0, y1, y2, y3, d + 4 * P, P);
    }

    /// <summary>[p[0..4] | q[0..4]]: four values of a row in the low lane, of the row 4 below in the high lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe Vector256<float> Pair(float* p, float* q) =>
        Avx.InsertVector128(Vector128.Load(p).ToVector256Unsafe(), Vector128.Load(q), 1);

    /// <summary>In each 128-bit lane, transposes the 4×4 block held by x0..x3; writes the 4 resulting rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Transpose4x4Lanes(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2,
        Vector256<float> x3, float* d, int P)
    {
        var t0 = Avx.UnpackLow(x0, x1); var t1 = Avx.UnpackHigh(x0, x1);
        var t2 = Avx.UnpackLow(x2, x3); var t3 = Avx.UnpackHigh(x2, x3);
        Avx.Store(d, Avx.Shuffle(t0, t2, 0x44));
        Avx.Store(d + P, Avx.Shuffle(t0, t2, 0xEE));
        Avx.Store(d + 2 * P, Avx.Shuffle(t1, t3, 0x44));
        Avx.Store(d + 3 * P, Avx.Shuffle(t1, t3, 0xEE));
    }
}
