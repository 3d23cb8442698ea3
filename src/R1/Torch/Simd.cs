using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace R1;

public static partial class torch
{
    /// <summary>
    /// Vectorised transcendental kernels the engine's hot paths need (softmax, GELU). Each has a scalar twin
    /// computing the same polynomial, used for tails and by the tests.
    /// exp: Cephes' expf (range reduction by ln 2 in two parts, degree-6 polynomial): about 1 ulp on
    /// [−87.3, 88.7]; below −87.3 (and for −∞) it returns 0, above 88.7 +∞.
    /// </summary>
    internal static class Simd
    {
        const float Log2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f;
        const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
        const float Lo = -87.33654f, Hi = 88.72283f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float ExpScalar(float x)
        {
            if (x < Lo) return 0f;
            if (x > Hi) return float.PositiveInfinity;
            if (float.IsNaN(x)) return x;
            float n = MathF.Round(x * Log2E);
            float r = x - n * C1 - n * C2;
            float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
            float y = p * r * r + r + 1f;
            // scale by 2^n in two steps so n = 128 (x near Hi) does not overflow the exponent field
            int ni = (int)n;
            int n1 = ni >> 1, n2 = ni - n1;
            return y * BitConverter.Int32BitsToSingle((n1 + 127) << 23) * BitConverter.Int32BitsToSingle((n2 + 127) << 23);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Exp(Vector256<float> x)
        {
            var lo = Vector256.LessThan(x, Vector256.Create(Lo));
            var hi = Vector256.GreaterThan(x, Vector256.Create(Hi));
            var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(Lo)), Vector256.Create(Hi));
            var n = Vector256.Round(xc * Vector256.Create(Log2E));
            var r = xc - n * Vector256.Create(C1) - n * Vector256.Create(C2);
            var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
            var y = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
            var ni = Vector256.ConvertToInt32(n);
            var n1 = Vector256.ShiftRightArithmetic(ni, 1);
            var n2 = ni - n1;
            var s1 = Vector256.ShiftLeft(n1 + Vector256.Create(127), 23).AsSingle();
            var s2 = Vector256.ShiftLeft(n2 + Vector256.Create(127), 23).AsSingle();
            y = y * s1 * s2;
            y = Vector256.ConditionalSelect(lo, Vector256<float>.Zero, y);
            y = Vector256.ConditionalSelect(hi, Vector256.Create(float.PositiveInfinity), y);
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x); // NaN passes through
        }

        /// <summary>y = exp(x − shift); returns Σ y (the softmax denominator) in the same pass.</summary>
        public static float ExpSum(ReadOnlySpan<float> x, float shift, Span<float> y)
        {
            int i = 0, n = x.Length;
            float sum = 0;
            if (Vector256.IsHardwareAccelerated && n >= 8)
            {
                var acc = Vector256<float>.Zero; var sh = Vector256.Create(shift);
                ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
                ref float yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
                for (; i <= n - 8; i += 8)
                {
                    var e = Exp(Vector256.LoadUnsafe(ref xr, (nuint)i) - sh);
                    e.StoreUnsafe(ref yr, (nuint)i);
                    acc += e;
                }
                sum = Vector256.Sum(acc);
            }
            for (; i < n; i++) { float e = ExpScalar(x[i] - shift); y[i] = e; sum += e; }
            return sum;
        }

        /// <summary>Scalar twin of <see cref="ExpSum"/>.</summary>
        public static float ExpSumScalar(ReadOnlySpan<float> x, float shift, Span<float> y)
        {
            float sum = 0;
            for (int i = 0; i < x.Length; i++) { float e = ExpScalar(x[i] - shift); y[i] = e; sum += e; }
            return sum;
        }

        const float K0 = 0.7978845608028654f, K1 = 0.044715f * 0.7978845608028654f;

        /// <summary>GELU (tanh form) in one pass: y = x·σ(2u), u = √(2/π)(x + 0.044715x³) (since ½(1+tanh u) = σ(2u)).</summary>
        public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
        {
            int i = 0, n = x.Length;
            if (Vector256.IsHardwareAccelerated)
            {
                ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
                ref float yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
                for (; i <= n - 8; i += 8)
                {
                    var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var u = v * Vector256.FusedMultiplyAdd(Vector256.Create(K1), v * v, Vector256.Create(K0));
                    var s = Vector256<float>.One / (Vector256<float>.One + Exp(Vector256.Create(-2f) * u));
                    (v * s).StoreUnsafe(ref yr, (nuint)i);
                }
            }
            for (; i < n; i++) y[i] = GeluTanhScalar(x[i]);
        }

        public static float GeluTanhScalar(float v)
        {
            float u = v * (K0 + K1 * v * v);
            return v / (1f + ExpScalar(-2f * u));
        }

        /// <summary>dx = g·(σ + x·σ(1−σ)·2u'), σ = σ(2u), u' = √(2/π)(1 + 3·0.044715x²).</summary>
        public static void GeluTanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx)
        {
            int i = 0, n = x.Length;
            if (Vector256.IsHardwareAccelerated)
            {
                ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
                ref float gr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(g);
                ref float dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(dx);
                var one = Vector256<float>.One;
                for (; i <= n - 8; i += 8)
                {
                    var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var v2 = v * v;
                    var u = v * Vector256.FusedMultiplyAdd(Vector256.Create(K1), v2, Vector256.Create(K0));
                    var du = Vector256.FusedMultiplyAdd(Vector256.Create(3f * K1), v2, Vector256.Create(K0));
                    var s = one / (one + Exp(Vector256.Create(-2f) * u));
                    var d = s + v * s * (one - s) * Vector256.Create(2f) * du;
                    (d * Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
                }
            }
            for (; i < n; i++) dx[i] = g[i] * GeluTanhGradScalar(x[i]);
        }

        public static float GeluTanhGradScalar(float v)
        {
            float v2 = v * v, u = v * (K0 + K1 * v2), du = K0 + 3f * K1 * v2;
            float s = 1f / (1f + ExpScalar(-2f * u));
            return s + v * s * (1f - s) * 2f * du;
        }

        /// <summary>
        /// In place on one attention row: x ← x·scale (+ mask), then softmax; returns the log-sum-exp of the scaled
        /// scores (−∞ and an all-zero row when nothing is visible).
        /// </summary>
        public static float ScaledSoftmax(Span<float> x, float scale, ReadOnlySpan<float> mask)
        {
            int n = x.Length, i = 0;
            if (n == 0) return float.NegativeInfinity;
            float m = float.NegativeInfinity;
            ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            if (Vector256.IsHardwareAccelerated && n >= 8)
            {
                var vs = Vector256.Create(scale); var vm = Vector256.Create(float.NegativeInfinity);
                ref float mr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(mask);
                for (; i <= n - 8; i += 8)
                {
                    var v = Vector256.LoadUnsafe(ref xr, (nuint)i) * vs;
                    if (!mask.IsEmpty) v += Vector256.LoadUnsafe(ref mr, (nuint)i);
                    v.StoreUnsafe(ref xr, (nuint)i);
                    vm = Vector256.Max(vm, v);
                }
                m = MaxOf(vm);
            }
            for (; i < n; i++)
            {
                float v = x[i] * scale;
                if (!mask.IsEmpty) v += mask[i];
                x[i] = v;
                if (v > m) m = v;
            }
            if (float.IsNegativeInfinity(m)) { x.Clear(); return float.NegativeInfinity; }
            float z = ExpSum(x, m, x);
            float inv = 1f / z;
            i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vi = Vector256.Create(inv);
                for (; i <= n - 8; i += 8) (Vector256.LoadUnsafe(ref xr, (nuint)i) * vi).StoreUnsafe(ref xr, (nuint)i);
            }
            for (; i < n; i++) x[i] *= inv;
            return m + MathF.Log(z);
        }

        static float MaxOf(Vector256<float> v)
        {
            float m = v.GetElement(0);
            for (int j = 1; j < 8; j++) m = MathF.Max(m, v.GetElement(j));
            return m;
        }

        /// <summary>In place on one attention row: d ← (d − d·p)·p·scale (the softmax backward).</summary>
        public static void SoftmaxBackwardRow(Span<float> d, ReadOnlySpan<float> p, float scale)
        {
            float dot = System.Numerics.Tensors.TensorPrimitives.Dot(d, p);
            int n = d.Length, i = 0;
            ref float dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(d);
            ref float pr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(p);
            if (Vector256.IsHardwareAccelerated)
            {
                var vd = Vector256.Create(dot); var vs = Vector256.Create(scale);
                for (; i <= n - 8; i += 8)
                {
                    var pv = Vector256.LoadUnsafe(ref pr, (nuint)i);
                    ((Vector256.LoadUnsafe(ref dr, (nuint)i) - vd) * pv * vs).StoreUnsafe(ref dr, (nuint)i);
                }
            }
            for (; i < n; i++) d[i] = (d[i] - dot) * p[i] * scale;
        }
    }
}
