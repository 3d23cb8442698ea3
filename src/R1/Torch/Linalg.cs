using System.Numerics.Tensors;
using R1.Kernels;

namespace R1;

public static partial class torch
{
    /// <summary>A (batch of) row-major matrices as Gemm sees them: op(X) = X or Xᵀ over buf[off..] with row stride ld.</summary>
    internal readonly record struct Mat(float[] Buf, int Off, int Ld, bool Trans, int BatchStride)
    {
        public ReadOnlySpan<float> Span => Buf.AsSpan(Off);
    }

    /// <summary>Describes t (rank ≥ 2) as Gemm operands without copying when its layout allows; null otherwise.</summary>
    static Mat? TryMat(Tensor t)
    {
        int rk = t.Shape.Length;
        int r = t.Shape[rk - 2], c = t.Shape[rk - 1], sr = t.Strides[rk - 2], sc = t.Strides[rk - 1];
        // batch dims must collapse to one stride (all-zero when broadcast); size-1 dims don't matter
        int bstride = 0, prev = -1;
        for (int i = 0; i < rk - 2; i++)
        {
            if (t.Shape[i] == 1) continue;
            if (prev >= 0 && t.Strides[prev] != t.Strides[i] * t.Shape[i]) return null;
            prev = i; bstride = t.Strides[i];
        }
        if (sc == 1 && (r == 1 || sr >= c)) return new Mat(t.FA, t.Offset, r == 1 ? Math.Max(c, 1) : sr, false, bstride);
        if (sr == 1 && (c == 1 || sc >= r)) return new Mat(t.FA, t.Offset, c == 1 ? Math.Max(r, 1) : sc, true, bstride);
        return null;
    }

    static int BatchCount(int[] shape) { int b = 1; for (int i = 0; i < shape.Length - 2; i++) b *= shape[i]; return b; }

    /// <summary>a @ b for rank ≥ 2 operands with matching inner dims; broadcasting batch dims. No graph.</summary>
    static Tensor MatmulForward(Tensor a, Tensor b)
    {
        int n = a.Shape[^2], k = a.Shape[^1], m = b.Shape[^1];
        if (b.Shape.Length == 2 && a.Shape.Length > 2)
        {
            // Fold the leading dims of a into rows: one large Gemm (the Linear case).
            using var a2 = a.reshape(-1, k);
            using var o2 = MatmulForward(a2, b);
            var os = (int[])a.Shape.Clone(); os[^1] = m;
            return o2.reshape(ToLong(os));
        }
        var bshape = BroadcastShape(a.Shape[..^2], b.Shape[..^2], "matmul (batch dims)");
        var ashape = bshape.Append(n).Append(k).Select(x => (long)x).ToArray();
        var bfull = bshape.Append(k).Append(m).Select(x => (long)x).ToArray();
        using var ae = SameShape(a.Shape, ToInt(ashape)) ? a.Alias() : a.expand(ashape);
        using var be = SameShape(b.Shape, ToInt(bfull)) ? b.Alias() : b.expand(bfull);
        var ma = TryMat(ae); var mb = TryMat(be);
        using var ac = ma is null ? Materialize(ae) : null;
        using var bc = mb is null ? Materialize(be) : null;
        var A = ma ?? TryMat(ac!)!.Value; var B = mb ?? TryMat(bc!)!.Value;
        var outShape = bshape.Append(n).Append(m).ToArray();
        var o = Tensor.Empty(outShape);
        int batch = BatchCount(outShape);
        if (n == 0 || m == 0) return o;
        if (k == 0) { o.FSpan.Clear(); return o; }
        if (batch == 1)
            Gemm.Sgemm(A.Trans, B.Trans, n, m, k, A.Span, A.Ld, B.Span, B.Ld, o.FSpan, m, false);
        else
            Gemm.SgemmBatched(A.Trans, B.Trans, batch, n, m, k, A.Span, A.Ld, A.BatchStride, B.Span, B.Ld, B.BatchStride,
                o.FSpan, m, (long)n * m, false);
        return o;
    }

    /// <summary>Matrix product with PyTorch's rules: 1-D operands are promoted (and the added dim removed),
    /// batch dimensions broadcast, a 2-D right operand folds the left operand's batch into rows.</summary>
    public static Tensor matmul(Tensor a, Tensor b)
    {
        if (a.dtype != ScalarType.Float32 || b.dtype != ScalarType.Float32)
            throw new ArgumentException($"matmul needs Float32 tensors; got {a.dtype} and {b.dtype}.");
        if (a.dim() == 0 || b.dim() == 0)
            throw new ArgumentException($"matmul: both arguments need at least 1 dimension; got shapes {ShapeStr(a.Shape)} and {ShapeStr(b.Shape)}.");
        int ka = a.Shape[^1], kb = b.dim() == 1 ? b.Shape[0] : b.Shape[^2];
        if (ka != kb)
            throw new ArgumentException($"matmul: shapes {ShapeStr(a.Shape)} and {ShapeStr(b.Shape)} cannot be multiplied ({ka} columns in the first vs {kb} rows in the second).");
        if (a.dim() == 1 && b.dim() == 1) { using var p = mul(a, b); return sum(p); }
        if (a.dim() == 1) { using var a2 = a.unsqueeze(0); using var r = matmul(a2, b); return r.squeeze(-2); }
        if (b.dim() == 1) { using var b2 = b.unsqueeze(-1); using var r = matmul(a, b2); return r.squeeze(-1); }

        Tensor o;
        using (no_grad()) o = MatmulForward(a, b);
        if (NeedsGrad(a, b))
            Record(o, "MmBackward", g =>
            {
                if (a.requires_grad)
                {
                    using var bt = b.mT;
                    using var ga = MatmulForward(g, bt);
                    Acc(a, ReduceTo(ga, a.Shape));
                }
                if (b.requires_grad)
                {
                    if (b.dim() == 2 && a.dim() > 2)
                    {
                        // dB = Σ_rows aᵀ·g as one Gemm over the folded rows
                        using var a2 = a.reshape(-1, a.Shape[^1]); using var g2 = g.reshape(-1, g.Shape[^1]);
                        using var a2t = a2.mT;
                        Acc(b, MatmulForward(a2t, g2));
                    }
                    else
                    {
                        using var at = a.mT;
                        using var gb = MatmulForward(at, g);
                        Acc(b, ReduceTo(gb, b.Shape));
                    }
                }
            }, a, b);
        return o;
    }

    public static Tensor mm(Tensor a, Tensor b)
    {
        if (a.dim() != 2 || b.dim() != 2) throw new ArgumentException($"mm needs 2-D tensors; got shapes {ShapeStr(a.Shape)} and {ShapeStr(b.Shape)}.");
        return matmul(a, b);
    }

    public static Tensor bmm(Tensor a, Tensor b)
    {
        if (a.dim() != 3 || b.dim() != 3) throw new ArgumentException($"bmm needs 3-D tensors; got shapes {ShapeStr(a.Shape)} and {ShapeStr(b.Shape)}.");
        if (a.Shape[0] != b.Shape[0]) throw new ArgumentException($"bmm: batch sizes differ ({a.Shape[0]} vs {b.Shape[0]}) for shapes {ShapeStr(a.Shape)} and {ShapeStr(b.Shape)}.");
        return matmul(a, b);
    }

    /// <summary>The persistent grad buffer of a leaf, when a kernel may accumulate straight into it.</summary>
    internal static Tensor? LeafGradBuffer(Tensor t)
        => t.requires_grad && t.fn is null && t.gradT is { IsContig: true } g ? g : null;

    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>y = x·Wᵀ + b with x (..., in), W (out, in), b (out): one Gemm over all rows, bias fused.</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                if (weight.dim() != 2) throw new ArgumentException($"linear: weight must be 2-D (out, in); got shape {ShapeStr(weight.Shape)}.");
                int outF = weight.Shape[0], inF = weight.Shape[1];
                if (input.dim() == 0 || input.Shape[^1] != inF)
                    throw new ArgumentException($"linear: input's last dimension must be {inF} (weight {ShapeStr(weight.Shape)}); got input shape {ShapeStr(input.Shape)}.");
                if (bias is not null && (bias.dim() != 1 || bias.Shape[0] != outF))
                    throw new ArgumentException($"linear: bias must have shape [{outF}]; got {ShapeStr(bias.Shape)}.");
                if (input.dtype != ScalarType.Float32) throw new ArgumentException($"linear: input must be Float32, got {input.dtype}.");
                int R = input.Numel / Math.Max(inF, 1);
                var oshape = (int[])input.Shape.Clone(); oshape[^1] = outF;
                var o = Tensor.Empty(oshape);
                using var x = Contig(input);
                using var wc = TryMat(weight) is null ? Materialize(weight) : weight.Alias();
                var W = TryMat(wc)!.Value;
                if (bias is not null)
                {
                    using var bc = Contig(bias);
                    var bs = bc.FSpan; var O = o.FSpan;
                    for (int r = 0; r < R; r++) bs.CopyTo(O.Slice(r * outF, outF));
                }
                if (R > 0 && outF > 0)
                {
                    if (inF == 0) { if (bias is null) o.FSpan.Clear(); }
                    else Gemm.Sgemm(false, !W.Trans, R, outF, inF, x.FSpan, inF, W.Span, W.Ld, o.FSpan, outF, bias is not null);
                }
                if (NeedsGrad(input, weight, bias ?? input))
                {
                    var inputs = bias is null ? new[] { input, weight } : new[] { input, weight, bias };
                    Record(o, "LinearBackward", g =>
                    {
                        using var gc = Contig(g);
                        using var wc2 = TryMat(weight) is null ? Materialize(weight) : weight.Alias();
                        var W = TryMat(wc2)!.Value;
                        if (input.requires_grad)
                        {
                            var dx = Tensor.Empty(input.Shape);
                            Gemm.Sgemm(false, W.Trans, R, inF, outF, gc.FSpan, outF, W.Span, W.Ld, dx.FSpan, inF, false);
                            Acc(input, dx);
                        }
                        if (weight.requires_grad)
                        {
                            using var xc = Contig(input);
                            var direct = LeafGradBuffer(weight);
                            var dw = direct ?? Tensor.Empty(weight.Shape);
                            Gemm.Sgemm(true, false, outF, inF, R, gc.FSpan, outF, xc.FSpan, inF, dw.FSpan, inF, direct is not null);
                            if (direct is null) Acc(weight, dw);
                        }
                        if (bias is not null && bias.requires_grad)
                        {
                            var direct = LeafGradBuffer(bias);
                            var db = direct ?? Tensor.Empty(bias.Shape, clear: true);
                            var DB = db.FSpan; var G = gc.FSpan;
                            for (int r = 0; r < R; r++) TensorPrimitives.Add(DB, G.Slice(r * outF, outF), DB);
                            if (direct is null) Acc(bias, db);
                        }
                    }, inputs);
                }
                return o;
            }
        }
    }
}
