using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    // ================= binary, broadcasting =================

    static Tensor Binary(BinOp op, Tensor a, Tensor b, string name)
    {
        if (!a.device.Equals(b.device)) throw new ArgumentException($"{name}: tensors are on different devices ({a.device} and {b.device}).");
        var dt = Promote(a.dtype, b.dtype);
        if (a.dtype != dt || b.dtype != dt)
        {
            using var ca = a.dtype == dt ? a.Alias() : ConvertType(a, dt);
            using var cb = b.dtype == dt ? b.Alias() : ConvertType(b, dt);
            if (a.requires_grad || b.requires_grad) throw new InvalidOperationException($"{name}: mixed dtypes ({a.dtype}, {b.dtype}) with gradients; convert with .float() first.");
            return Binary(op, ca, cb, name);
        }
        if (op == BinOp.Div && dt == ScalarType.Int64)
        {
            using var fa = ConvertType(a, ScalarType.Float32);
            using var fb = ConvertType(b, ScalarType.Float32);
            return Binary(op, fa, fb, name);
        }
        if (dt == ScalarType.Bool && !IsCompare(op))
        {
            using var la = ConvertType(a, ScalarType.Int64);
            using var lb = ConvertType(b, ScalarType.Int64);
            return Binary(op, la, lb, name);
        }
        var shape = BroadcastShape(a.Shape, b.Shape, name);
        var o = Tensor.Empty(shape, IsCompare(op) ? ScalarType.Bool : dt);
        if (dt == ScalarType.Bool)
        {
            // comparisons of masks: go through Int64
            using var la = ConvertType(a, ScalarType.Int64);
            using var lb = ConvertType(b, ScalarType.Int64);
            BinaryInto(op, la, lb, o);
        }
        else BinaryInto(op, a, b, o);
        return o;
    }

    static ScalarType Promote(ScalarType a, ScalarType b)
        => a == ScalarType.Float32 || b == ScalarType.Float32 ? ScalarType.Float32
         : a == ScalarType.Int64 || b == ScalarType.Int64 ? ScalarType.Int64 : ScalarType.Bool;

    public static Tensor add(Tensor a, Tensor b)
    {
        var o = Binary(BinOp.Add, a, b, "add");
        if (NeedsGrad(a, b))
            Record(o, "AddBackward", g => { Acc(a, ReduceTo(g, a.Shape)); Acc(b, ReduceTo(g, b.Shape)); }, a, b);
        return o;
    }

    public static Tensor sub(Tensor a, Tensor b)
    {
        var o = Binary(BinOp.Sub, a, b, "sub");
        if (NeedsGrad(a, b))
            Record(o, "SubBackward", g =>
            {
                Acc(a, ReduceTo(g, a.Shape));
                if (b.requires_grad) { using var n = neg(g); Acc(b, ReduceTo(n, b.Shape)); }
            }, a, b);
        return o;
    }

    public static Tensor mul(Tensor a, Tensor b)
    {
        var o = Binary(BinOp.Mul, a, b, "mul");
        if (NeedsGrad(a, b))
            Record(o, "MulBackward", g =>
            {
                if (a.requires_grad) { using var t = mul(g, b); Acc(a, ReduceTo(t, a.Shape)); }
                if (b.requires_grad) { using var t = mul(g, a); Acc(b, ReduceTo(t, b.Shape)); }
            }, a, b);
        return o;
    }

    public static Tensor div(Tensor a, Tensor b)
    {
        var o = Binary(BinOp.Div, a, b, "div");
        if (NeedsGrad(a, b))
            Record(o, "DivBackward", g =>
            {
                if (a.requires_grad) { using var t = div(g, b); Acc(a, ReduceTo(t, a.Shape)); }
                if (b.requires_grad)
                {
                    // d(a/b)/db = -(a/b)/b
                    using var t1 = mul(g, o); using var t2 = div(t1, b); using var t3 = neg(t2);
                    Acc(b, ReduceTo(t3, b.Shape));
                }
            }, a, b);
        return o;
    }

    /// <summary>Elementwise maximum of two tensors; ties send half the gradient to each side (as PyTorch).</summary>
    public static Tensor maximum(Tensor a, Tensor b) => MinMax(a, b, BinOp.Max);
    public static Tensor minimum(Tensor a, Tensor b) => MinMax(a, b, BinOp.Min);

    static Tensor MinMax(Tensor a, Tensor b, BinOp op)
    {
        var o = Binary(op, a, b, op == BinOp.Max ? "maximum" : "minimum");
        if (NeedsGrad(a, b))
            Record(o, op == BinOp.Max ? "MaximumBackward" : "MinimumBackward", g =>
            {
                // weight for a: 1 where a wins, 0.5 on ties, 0 where b wins
                using var ea = Binary(op == BinOp.Max ? BinOp.Gt : BinOp.Lt, a, b, "maximum");
                using var eq = Binary(BinOp.Eq, a, b, "maximum");
                using var fa = ConvertType(ea, ScalarType.Float32);
                using var fq = ConvertType(eq, ScalarType.Float32);
                using var wa = fq.mul(0.5f).add_(fa);
                if (a.requires_grad) { using var t = mul(g, wa); Acc(a, ReduceTo(t, a.Shape)); }
                if (b.requires_grad) { using var wb = wa.neg().add_(1f); using var t = mul(g, wb); Acc(b, ReduceTo(t, b.Shape)); }
            }, a, b);
        return o;
    }

    public static Tensor pow(Tensor a, Tensor b)
    {
        var o = Binary(BinOp.Pow, a, b, "pow");
        if (NeedsGrad(a, b))
            Record(o, "PowBackward", g =>
            {
                if (a.requires_grad)
                {
                    using var bm1 = b.sub(1f); using var p = pow(a, bm1); using var t1 = mul(p, b); using var t = mul(g, t1);
                    Acc(a, ReduceTo(t, a.Shape));
                }
                if (b.requires_grad)
                {
                    using var la = log(a); using var t1 = mul(o, la); using var t = mul(g, t1);
                    Acc(b, ReduceTo(t, b.Shape));
                }
            }, a, b);
        return o;
    }

    // ================= tensor ⊕ scalar =================

    static Tensor ScalarOp(BinOp op, Tensor a, float s, bool scalarFirst, string name)
    {
        if (a.dtype != ScalarType.Float32)
        {
            bool integral = s == MathF.Floor(s) && Math.Abs(s) < 1e15f;
            if (a.dtype == ScalarType.Int64 && integral && (IsCompare(op) || op is BinOp.Add or BinOp.Sub or BinOp.Mul or BinOp.Max or BinOp.Min))
            {
                using var st = scalar_tensor((long)s);
                return scalarFirst ? Binary(op, st, a, name) : Binary(op, a, st, name);
            }
            using var f = ConvertType(a, ScalarType.Float32);
            return ScalarOp(op, f, s, scalarFirst, name);
        }
        var sa = new[] { s };
        var o = Tensor.Empty(a.Shape, IsCompare(op) ? ScalarType.Bool : ScalarType.Float32);
        if (IsCompare(op))
        {
            using var st = Tensor.FromArray(sa, []);
            if (scalarFirst) BinaryInto(op, st, a, o); else BinaryInto(op, a, st, o);
            return o;
        }
        using var x = Contig(a);
        float[] xa = x.FA, oa = o.FA; int xo = x.Offset;
        if (scalarFirst) ParallelChunks(o.Numel, 1 << 15, (st, n) => FloatRun(op, sa, 0, 0, xa, xo + st, 1, oa, st, 1, n));
        else ParallelChunks(o.Numel, 1 << 15, (st, n) => FloatRun(op, xa, xo + st, 1, sa, 0, 0, oa, st, 1, n));
        return o;
    }

    public static Tensor add(Tensor a, float s)
    {
        var o = ScalarOp(BinOp.Add, a, s, false, "add");
        if (NeedsGrad(a)) Record(o, "AddBackward", g => Acc(a, g.Alias()), a);
        return o;
    }

    public static Tensor sub(Tensor a, float s) => add(a, -s);

    /// <summary>s − a.</summary>
    public static Tensor rsub(Tensor a, float s)
    {
        var o = ScalarOp(BinOp.Sub, a, s, true, "rsub");
        if (NeedsGrad(a)) Record(o, "RsubBackward", g => Acc(a, neg(g)), a);
        return o;
    }

    public static Tensor mul(Tensor a, float s)
    {
        var o = ScalarOp(BinOp.Mul, a, s, false, "mul");
        if (NeedsGrad(a)) Record(o, "MulBackward", g => Acc(a, mul(g, s)), a);
        return o;
    }

    public static Tensor div(Tensor a, float s) => mul(a, 1f / s);

    /// <summary>s / a.</summary>
    public static Tensor rdiv(Tensor a, float s)
    {
        var o = ScalarOp(BinOp.Div, a, s, true, "rdiv");
        if (NeedsGrad(a)) Record(o, "RdivBackward", g => { using var t = div(o, a); using var t2 = mul(g, t); Acc(a, neg(t2)); }, a);
        return o;
    }

    public static Tensor pow(Tensor a, float e)
    {
        Tensor o;
        if (e == 2f) { using var x = Contig(a); o = Tensor.Empty(a.Shape); TensorPrimitives.Multiply(x.FSpan, x.FSpan, o.FSpan); }
        else if (e == 0.5f) o = UnaryKernel(a, UnOp.Sqrt);
        else o = ScalarOp(BinOp.Pow, a, e, false, "pow");
        if (NeedsGrad(a))
            Record(o, "PowBackward", g =>
            {
                using var p = e == 2f ? a.mul(2f) : pow(a, e - 1f).mul_(e);
                Acc(a, mul(g, p));
            }, a);
        return o;
    }

    public static Tensor maximum(Tensor a, float s) { using var t = full_like(a, s); return maximum(a, t); }

    // ================= comparisons (Bool results, no gradient) =================

    public static Tensor eq(Tensor a, Tensor b) => Binary(BinOp.Eq, a, b, "eq");
    public static Tensor ne(Tensor a, Tensor b) => Binary(BinOp.Ne, a, b, "ne");
    public static Tensor lt(Tensor a, Tensor b) => Binary(BinOp.Lt, a, b, "lt");
    public static Tensor le(Tensor a, Tensor b) => Binary(BinOp.Le, a, b, "le");
    public static Tensor gt(Tensor a, Tensor b) => Binary(BinOp.Gt, a, b, "gt");
    public static Tensor ge(Tensor a, Tensor b) => Binary(BinOp.Ge, a, b, "ge");
    public static Tensor eq(Tensor a, float s) => ScalarOp(BinOp.Eq, a, s, false, "eq");
    public static Tensor ne(Tensor a, float s) => ScalarOp(BinOp.Ne, a, s, false, "ne");
    public static Tensor lt(Tensor a, float s) => ScalarOp(BinOp.Lt, a, s, false, "lt");
    public static Tensor le(Tensor a, float s) => ScalarOp(BinOp.Le, a, s, false, "le");
    public static Tensor gt(Tensor a, float s) => ScalarOp(BinOp.Gt, a, s, false, "gt");
    public static Tensor ge(Tensor a, float s) => ScalarOp(BinOp.Ge, a, s, false, "ge");

    /// <summary>Elementwise logical ops on Bool tensors (broadcasting).</summary>
    public static Tensor logical_and(Tensor a, Tensor b) => BoolOp(a, b, (x, y) => x && y, "logical_and");
    public static Tensor logical_or(Tensor a, Tensor b) => BoolOp(a, b, (x, y) => x || y, "logical_or");
    public static Tensor logical_not(Tensor a)
    {
        using var c = a.dtype == ScalarType.Bool ? Contig(a) : ConvertType(a, ScalarType.Bool);
        var o = Tensor.Empty(a.Shape, ScalarType.Bool);
        var s = c.BSpan; var d = o.BSpan;
        for (int i = 0; i < d.Length; i++) d[i] = !s[i];
        return o;
    }

    static Tensor BoolOp(Tensor a, Tensor b, Func<bool, bool, bool> f, string name)
    {
        using var ca = a.dtype == ScalarType.Bool ? a.Alias() : ConvertType(a, ScalarType.Bool);
        using var cb = b.dtype == ScalarType.Bool ? b.Alias() : ConvertType(b, ScalarType.Bool);
        var shape = BroadcastShape(a.Shape, b.Shape, name);
        var o = Tensor.Empty(shape, ScalarType.Bool);
        var w = new Walk(shape, [0, ca.Offset, cb.Offset], o.Strides, BroadcastStrides(ca, shape), BroadcastStrides(cb, shape));
        if (w.Empty) return o;
        bool[] x = ca.BA, y = cb.BA, d = o.BA;
        do
        {
            for (int i = 0; i < w.Inner; i++)
                d[w.Off[0] + i * w.InStride[0]] = f(x[w.Off[1] + i * w.InStride[1]], y[w.Off[2] + i * w.InStride[2]]);
        } while (w.Next());
        return o;
    }

    // ================= unary =================

    internal enum UnOp { Neg, Exp, Log, Sqrt, Rsqrt, Tanh, Sigmoid, Relu, GeluTanh, GeluErf, Silu, Abs }

    static Tensor UnaryKernel(Tensor a, UnOp op)
    {
        if (a.dtype != ScalarType.Float32)
        {
            if (op == UnOp.Neg && a.dtype == ScalarType.Int64)
            {
                using var cl = Contig(a); var ol = Tensor.Empty(a.Shape, ScalarType.Int64);
                var s = cl.LSpan; var d = ol.LSpan; for (int i = 0; i < d.Length; i++) d[i] = -s[i];
                return ol;
            }
            throw new InvalidOperationException($"{op.ToString().ToLowerInvariant()} needs a Float32 tensor; got {a.dtype}. Convert with .float().");
        }
        using var x = Contig(a);
        var o = Tensor.Empty(a.Shape);
        float[] xa = x.FA, oa = o.FA; int xo = x.Offset;
        ParallelChunks(o.Numel, 1 << 14, (s, n) => UnaryRun(op, xa.AsSpan(xo + s, n), oa.AsSpan(s, n)));
        return o;
    }

    const float SqrtTwoOverPi = 0.7978845608028654f;
    const float GeluC = 0.044715f;

    static void UnaryRun(UnOp op, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (op)
        {
            case UnOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnOp.Exp: Simd.ExpSum(x, 0f, y); break;
            case UnOp.Log: TensorPrimitives.Log(x, y); break;
            case UnOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnOp.Rsqrt: TensorPrimitives.Sqrt(x, y); TensorPrimitives.Divide(1f, y, y); break;
            case UnOp.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnOp.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case UnOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnOp.GeluTanh: Simd.GeluTanh(x, y); break;
            case UnOp.GeluErf:
                for (int i = 0; i < x.Length; i++) y[i] = 0.5f * x[i] * (1f + Erf(x[i] * 0.70710678118654752f));
                break;
            case UnOp.Silu:
                TensorPrimitives.Sigmoid(x, y);
                TensorPrimitives.Multiply(y, x, y);
                break;
        }
    }

    /// <summary>erf(x) to about 1e-7 absolute (Abramowitz &amp; Stegun 7.1.26 in double), enough for float32.</summary>
    internal static float Erf(float xf)
    {
        double x = xf, ax = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * ax);
        double p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double r = 1.0 - p * Math.Exp(-ax * ax);
        return (float)(x < 0 ? -r : r);
    }

    /// <summary>dx for unary ops, one pass: from input x, output y and upstream g.</summary>
    static Tensor UnaryGrad(UnOp op, Tensor g, Tensor xIn, Tensor yOut)
    {
        using var gc = Contig(g);
        using var xc = Contig(xIn);
        var d = Tensor.Empty(xIn.Shape);
        float[] ga = gc.FA, xa = xc.FA, ya = yOut.FA, da = d.FA;
        int go = gc.Offset, xo = xc.Offset, yo = yOut.Offset;
        ParallelChunks(d.Numel, 1 << 14, (s, n) =>
        {
            var G = ga.AsSpan(go + s, n); var X = xa.AsSpan(xo + s, n); var Y = ya.AsSpan(yo + s, n); var D = da.AsSpan(s, n);
            switch (op)
            {
                case UnOp.Exp: TensorPrimitives.Multiply(G, Y, D); break;
                case UnOp.Log: TensorPrimitives.Divide(G, X, D); break;
                case UnOp.Sqrt: TensorPrimitives.Divide(G, Y, D); TensorPrimitives.Multiply(D, 0.5f, D); break;
                case UnOp.Rsqrt: for (int i = 0; i < n; i++) D[i] = -0.5f * G[i] * Y[i] * Y[i] * Y[i]; break;
                case UnOp.Tanh: for (int i = 0; i < n; i++) D[i] = G[i] * (1f - Y[i] * Y[i]); break;
                case UnOp.Sigmoid: for (int i = 0; i < n; i++) D[i] = G[i] * Y[i] * (1f - Y[i]); break;
                case UnOp.Relu: for (int i = 0; i < n; i++) D[i] = X[i] > 0f ? G[i] : 0f; break;
                case UnOp.Abs: for (int i = 0; i < n; i++) D[i] = X[i] > 0f ? G[i] : X[i] < 0f ? -G[i] : 0f; break;
                case UnOp.GeluTanh: Simd.GeluTanhBackward(X, G, D); break;
                case UnOp.GeluErf:
                    for (int i = 0; i < n; i++)
                    {
                        float v = X[i];
                        D[i] = G[i] * (0.5f * (1f + Erf(v * 0.70710678118654752f)) + v * MathF.Exp(-0.5f * v * v) * 0.3989422804014327f);
                    }
                    break;
                case UnOp.Silu:
                    for (int i = 0; i < n; i++)
                    {
                        float sg = 1f / (1f + MathF.Exp(-X[i]));
                        D[i] = G[i] * sg * (1f + X[i] * (1f - sg));
                    }
                    break;
                default: throw new InvalidOperationException($"no gradient kernel for {op}");
            }
        });
        return d;
    }

    static Tensor Unary(Tensor a, UnOp op, string name)
    {
        var o = UnaryKernel(a, op);
        if (NeedsGrad(a))
        {
            if (op == UnOp.Neg) Record(o, name, g => Acc(a, neg(g)), a);
            else Record(o, name, g => Acc(a, UnaryGrad(op, g, a, o)), a);
        }
        return o;
    }

    public static Tensor neg(Tensor a) => Unary(a, UnOp.Neg, "NegBackward");
    public static Tensor exp(Tensor a) => Unary(a, UnOp.Exp, "ExpBackward");
    public static Tensor log(Tensor a) => Unary(a, UnOp.Log, "LogBackward");
    public static Tensor sqrt(Tensor a) => Unary(a, UnOp.Sqrt, "SqrtBackward");
    public static Tensor rsqrt(Tensor a) => Unary(a, UnOp.Rsqrt, "RsqrtBackward");
    public static Tensor tanh(Tensor a) => Unary(a, UnOp.Tanh, "TanhBackward");
    public static Tensor sigmoid(Tensor a) => Unary(a, UnOp.Sigmoid, "SigmoidBackward");
    public static Tensor relu(Tensor a) => Unary(a, UnOp.Relu, "ReluBackward");
    public static Tensor abs(Tensor a) => Unary(a, UnOp.Abs, "AbsBackward");
    public static Tensor silu(Tensor a) => Unary(a, UnOp.Silu, "SiluBackward");
    public static Tensor square(Tensor a) => pow(a, 2f);

    /// <summary>GELU; <paramref name="approximate"/> "tanh" (GPT-2's) or "none" (exact, with erf).</summary>
    public static Tensor gelu(Tensor a, string approximate = "none") => approximate switch
    {
        "tanh" => Unary(a, UnOp.GeluTanh, "GeluBackward"),
        "none" => Unary(a, UnOp.GeluErf, "GeluBackward"),
        _ => throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\"."),
    };

    /// <summary>Clamps to [min, max] (either bound may be null); the gradient flows where min ≤ x ≤ max.</summary>
    public static Tensor clamp(Tensor a, float? min = null, float? max = null)
    {
        if (a.dtype != ScalarType.Float32) throw new InvalidOperationException($"clamp needs a Float32 tensor; got {a.dtype}.");
        using var x = Contig(a);
        var o = Tensor.Empty(a.Shape);
        var X = x.FSpan; var O = o.FSpan;
        X.CopyTo(O);
        if (min is float lo) TensorPrimitives.Max(O, lo, O);
        if (max is float hi) TensorPrimitives.Min(O, hi, O);
        if (NeedsGrad(a))
            Record(o, "ClampBackward", g =>
            {
                using var gc = Contig(g); using var xc = Contig(a);
                var d = Tensor.Empty(a.Shape);
                var G = gc.FSpan; var Xs = xc.FSpan; var D = d.FSpan;
                float l = min ?? float.NegativeInfinity, h = max ?? float.PositiveInfinity;
                for (int i = 0; i < D.Length; i++) D[i] = Xs[i] >= l && Xs[i] <= h ? G[i] : 0f;
                Acc(a, d);
            }, a);
        return o;
    }

    public static Tensor clamp_min(Tensor a, float min) => clamp(a, min, null);
    public static Tensor clamp_max(Tensor a, float max) => clamp(a, null, max);
}
