using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace R1.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// An MR×NR register tile: C[r, j] (=|+=) Σ_k A(r, k) · b[k·NR + j] over a packed B panel b.
    /// A(r, k) is a[k·lda + r] for <see cref="PanelA"/> (a packed panel with lda = MR, or Aᵀ read in place)
    /// or a[r·lda + k] for <see cref="RowsA"/> (row-major A read in place).
    /// Struct type arguments make the JIT compile each combination once, with the constants folded.
    /// </summary>
    internal unsafe interface IMicroKernel
    {
        static abstract int MR { get; }
        static abstract int NR { get; }
        static abstract void Run<TA>(int kc, float* a, nint lda, float* b, float* c, int ldc, bool accumulate)
            where TA : struct, IALayout;
    }

    /// <summary>How a micro-kernel walks A: along rows (row-major in place) or along k-slices (packed, or Aᵀ).</summary>
    internal interface IALayout { static abstract bool Rows { get; } }
    internal readonly struct PanelA : IALayout { public static bool Rows => false; }
    internal readonly struct RowsA : IALayout { public static bool Rows => true; }

    /// <summary>8×32 with AVX-512: 16 zmm accumulators, 2 loads of B and 8 broadcasts of A per 16 FMAs.</summary>
    internal readonly struct Avx512Kernel : IMicroKernel
    {
        public static int MR => 8;
        public static int NR => 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static unsafe void Run<TA>(int kc, float* a, nint lda, float* b, float* c, int ldc, bool accumulate)
            where TA : struct, IALayout
        {
            // Offsets of rows 1..7 and the step per k: constants for a panel, multiples of lda for rows.
            nint o1 = TA.Rows ? lda : 1, o2 = TA.Rows ? 2 * lda : 2, o3 = TA.Rows ? 3 * lda : 3,
                o4 = TA.Rows ? 4 * lda : 4, o5 = TA.Rows ? 5 * lda : 5, o6 = TA.Rows ? 6 * lda : 6,
                o7 = TA.Rows ? 7 * lda : 7, step = TA.Rows ? 1 : lda;
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default,
                c20 = default, c21 = default, c30 = default, c31 = default,
                c40 = default, c41 = default, c50 = default, c51 = default,
                c60 = default, c61 = default, c70 = default, c71 = default;
            for (int k = 0; k < kc; k++, a += step, b += 32)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                var x = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[o1]);
                c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[o2]);
                c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[o3]);
                c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[o4]);
                c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[o5]);
                c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[o6]);
                c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[o7]);
                c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            }
            Store(c, c00, c01, accumulate); c += ldc;
            Store(c, c10, c11, accumulate); c += ldc;
            Store(c, c20, c21, accumulate); c += ldc;
            Store(c, c30, c31, accumulate); c += ldc;
            Store(c, c40, c41, accumulate); c += ldc;
            Store(c, c50, c51, accumulate); c += ldc;
            Store(c, c60, c61, accumulate); c += ldc;
            Store(c, c70, c71, accumulate);
        }

        static unsafe void Store(float* c, Vector512<float> v0, Vector512<float> v1, bool accumulate)
        {
            if (accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); }
            Vector512.Store(v0, c);
            Vector512.Store(v1, c + 16);
        }
    }

    /// <summary>6×16 with AVX2+FMA: 12 ymm accumulators, which with 2 B vectors and a broadcast fits 16 registers.</summary>
    internal readonly struct Avx2Kernel : IMicroKernel
    {
        public static int MR => 6;
        public static int NR => 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static unsafe void Run<TA>(int kc, float* a, nint lda, float* b, float* c, int ldc, bool accumulate)
            where TA : struct, IALayout
        {
            nint o1 = TA.Rows ? lda : 1, o2 = TA.Rows ? 2 * lda : 2, o3 = TA.Rows ? 3 * lda : 3,
                o4 = TA.Rows ? 4 * lda : 4, o5 = TA.Rows ? 5 * lda : 5, step = TA.Rows ? 1 : lda;
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int k = 0; k < kc; k++, a += step, b += 16)
            {
                var b0 = Avx.LoadVector256(b);
                var b1 = Avx.LoadVector256(b + 8);
                var x = Vector256.Create(a[0]);
                c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
                x = Vector256.Create(a[o1]);
                c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
                x = Vector256.Create(a[o2]);
                c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
                x = Vector256.Create(a[o3]);
                c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
                x = Vector256.Create(a[o4]);
                c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
                x = Vector256.Create(a[o5]);
                c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            }
            Store(c, c00, c01, accumulate); c += ldc;
            Store(c, c10, c11, accumulate); c += ldc;
            Store(c, c20, c21, accumulate); c += ldc;
            Store(c, c30, c31, accumulate); c += ldc;
            Store(c, c40, c41, accumulate); c += ldc;
            Store(c, c50, c51, accumulate);
        }

        static unsafe void Store(float* c, Vector256<float> v0, Vector256<float> v1, bool accumulate)
        {
            if (accumulate) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + 8); }
            Vector256.Store(v0, c);
            Vector256.Store(v1, c + 8);
        }
    }

    /// <summary>4×(2·Vector&lt;float&gt;.Count) with multiply-then-add, for machines without x86 FMA (e.g. ARM).</summary>
    internal readonly struct PortableKernel : IMicroKernel
    {
        public static int MR => 4;
        public static int NR => 2 * Vector<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static unsafe void Run<TA>(int kc, float* a, nint lda, float* b, float* c, int ldc, bool accumulate)
            where TA : struct, IALayout
        {
            nint o1 = TA.Rows ? lda : 1, o2 = TA.Rows ? 2 * lda : 2, o3 = TA.Rows ? 3 * lda : 3, step = TA.Rows ? 1 : lda;
            int n = Vector<float>.Count;
            Vector<float> c00 = default, c01 = default, c10 = default, c11 = default,
                c20 = default, c21 = default, c30 = default, c31 = default;
            for (int k = 0; k < kc; k++, a += step, b += 2 * n)
            {
                var b0 = *(Vector<float>*)b;
                var b1 = *(Vector<float>*)(b + n);
                var x = new Vector<float>(a[0]); c00 += x * b0; c01 += x * b1;
                x = new Vector<float>(a[o1]); c10 += x * b0; c11 += x * b1;
                x = new Vector<float>(a[o2]); c20 += x * b0; c21 += x * b1;
                x = new Vector<float>(a[o3]); c30 += x * b0; c31 += x * b1;
            }
            Store(c, n, c00, c01, accumulate); c += ldc;
            Store(c, n, c10, c11, accumulate); c += ldc;
            Store(c, n, c20, c21, accumulate); c += ldc;
            Store(c, n, c30, c31, accumulate);
        }

        static unsafe void Store(float* c, int n, Vector<float> v0, Vector<float> v1, bool accumulate)
        {
            if (accumulate) { v0 += *(Vector<float>*)c; v1 += *(Vector<float>*)(c + n); }
            *(Vector<float>*)c = v0;
            *(Vector<float>*)(c + n) = v1;
        }
    }
}
