using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace R1.Kernels;

public static partial class Gemm
{
    // Block sizes (floats). KC×NR of B (32 KiB at NR=32) stays in the 48 KiB L1 while MR×KC slivers of A
    // stream from L2; an MC×KC block of A (256 KiB) sits in the 2 MiB L2; the KC×NC block of B (1 MiB) in L2/L3.
    const int KC = 256, MC = 256, NC = 1024;
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
            for (int pc = 0; pc < K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, K - pc);
                bool acc = accumulate || pc > 0;   // later K blocks add onto the first
                for (int jr = 0; jr < nc; jr += NR)
                {
                    int w = Math.Min(NR, nc - jr);
                    if (transB) PackTransposed(B + (long)(jc + jr) * ldb + pc, ldb, w, kc, NR, pb + jr * kc);
                    else PackRows(B + (long)pc * ldb + jc + jr, ldb, w, kc, NR, pb + jr * kc);
                }
                for (int ic = 0; ic < M; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, M - ic);
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int h = Math.Min(MR, mc - ir);
                        if (transA) PackRows(A + (long)pc * lda + ic + ir, lda, h, kc, MR, pa + ir * kc);
                        else PackTransposed(A + (long)(ic + ir) * lda + pc, lda, h, kc, MR, pa + ir * kc);
                    }
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int w = Math.Min(NR, nc - jr);
                        float* bp = pb + jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int h = Math.Min(MR, mc - ir);
                            float* c = C + (long)(ic + ir) * ldc + jc + jr;
                            if (h == MR && w == NR)
                                TK.Run(kc, pa + ir * kc, bp, c, ldc, acc);
                            else
                            {
                                // Ragged edge: full tile into scratch, then only the valid part into C.
                                TK.Run(kc, pa + ir * kc, bp, tile, NR, false);
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

    /// <summary>dst[k·P + r] = src[k·ld + r] for r &lt; w: rows of the source are already k-slices.</summary>
    static unsafe void PackRows(float* src, int ld, int w, int kc, int P, float* dst)
    {
        for (int k = 0; k < kc; k++, src += ld, dst += P)
        {
            int r = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; r + 8 <= w; r += 8) Vector256.Store(Vector256.Load(src + r), dst + r);
            for (; r < w; r++) dst[r] = src[r];
            for (; r < P; r++) dst[r] = 0;
        }
    }

    /// <summary>dst[k·P + r] = src[r·ld + k] for r &lt; w: a transpose, done 8×8 at a time with AVX.</summary>
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Transpose8x8(float* s, int ld, float* d, int P)
    {
        var r0 = Avx.LoadVector256(s); var r1 = Avx.LoadVector256(s + ld);
        var r2 = Avx.LoadVector256(s + 2L * ld); var r3 = Avx.LoadVector256(s + 3L * ld);
        var r4 = Avx.LoadVector256(s + 4L * ld); var r5 = Avx.LoadVector256(s + 5L * ld);
        var r6 = Avx.LoadVector256(s + 6L * ld); var r7 = Avx.LoadVector256(s + 7L * ld);
        // Interleave pairs of rows, then pairs of pairs: each 128-bit lane ends up holding a 4×4 transpose.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        // Low lanes hold columns 0-3, high lanes columns 4-7: join rows 0-3 with rows 4-7.
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + P, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * P, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * P, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * P, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * P, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * P, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * P, Avx.Permute2x128(u3, u7, 0x31));
    }
}
