using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    static void CheckIndexType(Tensor index, string op)
    {
        if (index.dtype != ScalarType.Int64) throw new ArgumentException($"{op}: index must be an Int64 tensor; got {index.dtype}.");
    }

    /// <summary>out[i][j][k] = input[i][index[i][j][k]][k] (for dim = 1); index has input's rank, out has index's shape.</summary>
    public static Tensor gather(Tensor input, long dim, Tensor index)
    {
        CheckIndexType(index, "gather");
        int d = NormDim(dim, input.dim());
        if (index.dim() != input.dim()) throw new ArgumentException($"gather: index has {index.dim()} dimensions but input has {input.dim()} (shapes {ShapeStr(index.Shape)} and {ShapeStr(input.Shape)}).");
        for (int i = 0; i < input.dim(); i++)
            if (i != d && index.Shape[i] > input.Shape[i])
                throw new ArgumentException($"gather: index size {index.Shape[i]} exceeds input size {input.Shape[i]} in dimension {i} (index {ShapeStr(index.Shape)}, input {ShapeStr(input.Shape)}).");
        if (input.dtype != ScalarType.Float32) throw new ArgumentException($"gather: input must be Float32; got {input.dtype}.");
        var o = Tensor.Empty(index.Shape);
        int D = input.Shape[d], sd = input.Strides[d];
        var inStr = (int[])input.Strides.Clone(); inStr[d] = 0;
        var w = new Walk(index.Shape, [0, index.Offset, input.Offset], o.Strides, index.Strides, inStr);
        if (!w.Empty)
        {
            float[] X = input.FA, O = o.FA; long[] I = index.LA;
            do
            {
                for (int i = 0; i < w.Inner; i++)
                {
                    long ix = I[w.Off[1] + i * w.InStride[1]];
                    if ((ulong)ix >= (ulong)D) throw new ArgumentOutOfRangeException(nameof(index), $"gather: index {ix} is out of range for dimension {dim} of size {D} (valid 0..{D - 1}).");
                    O[w.Off[0] + i * w.InStride[0]] = X[w.Off[2] + i * w.InStride[2] + (int)ix * sd];
                }
            } while (w.Next());
        }
        if (NeedsGrad(input))
            Record(o, "GatherBackward", g =>
            {
                var dx = Tensor.Empty(input.Shape, clear: true);
                var st = (int[])dx.Strides.Clone(); int sdx = st[d]; st[d] = 0;
                using var gc = Contig(g);
                var w2 = new Walk(index.Shape, [0, index.Offset, 0], gc.Strides, index.Strides, st);
                if (w2.Empty) { Acc(input, dx); return; }
                float[] G = gc.FA, DX = dx.FA; long[] I = index.LA; int go = gc.Offset;
                do
                {
                    for (int i = 0; i < w2.Inner; i++)
                        DX[w2.Off[2] + i * w2.InStride[2] + (int)I[w2.Off[1] + i * w2.InStride[1]] * sdx] += G[go + w2.Off[0] + i * w2.InStride[0]];
                } while (w2.Next());
                Acc(input, dx);
            }, input, index);
        return o;
    }

    /// <summary>Rows (or slices along <paramref name="dim"/>) picked by a 1-D Int64 index.</summary>
    public static Tensor index_select(Tensor input, long dim, Tensor index)
    {
        CheckIndexType(index, "index_select");
        if (index.dim() > 1) throw new ArgumentException($"index_select: index must be 0-D or 1-D; got shape {ShapeStr(index.Shape)}.");
        int d = NormDim(dim, input.dim());
        var ic = Contig(index); // kept for the backward
        var ids = ic.LSpan;
        int D = input.Shape[d];
        for (int j = 0; j < ids.Length; j++)
            if ((ulong)ids[j] >= (ulong)D) throw new ArgumentOutOfRangeException(nameof(index), $"index_select: index {ids[j]} at position {j} is out of range for dimension {dim} of size {D} (valid 0..{D - 1}).");
        var oshape = (int[])input.Shape.Clone(); oshape[d] = ids.Length;
        var o = Tensor.Empty(oshape, input.dtype);
        for (int j = 0; j < ids.Length; j++)
        {
            using var src = input.detach().narrow(d, ids[j], 1);
            using var dst = o.narrow(d, j, 1);
            CopyInto(src, dst);
        }
        if (NeedsGrad(input))
            Record(o, "IndexSelectBackward", g =>
            {
                var dx = Tensor.Empty(input.Shape, clear: true);
                var idv = ic.LSpan;
                for (int j = 0; j < idv.Length; j++)
                {
                    using var gs = g.narrow(d, j, 1);
                    using var dst = dx.narrow(d, idv[j], 1);
                    BinaryInto(BinOp.Add, dst, gs, dst);
                }
                Acc(input, dx);
            }, input);
        return o;
    }

    /// <summary>input where mask is false, value where true (mask broadcast to input's shape).</summary>
    public static Tensor masked_fill(Tensor input, Tensor mask, float value)
    {
        if (mask.dtype != ScalarType.Bool) throw new ArgumentException($"masked_fill: mask must be a Bool tensor; got {mask.dtype}.");
        var shape = BroadcastShape(input.Shape, mask.Shape, "masked_fill");
        if (!SameShape(shape, input.Shape)) throw new ArgumentException($"masked_fill: mask of shape {ShapeStr(mask.Shape)} does not broadcast to the input shape {ShapeStr(input.Shape)}.");
        if (input.dtype != ScalarType.Float32)
        {
            using var f = ConvertType(input, ScalarType.Float32);
            using var r = masked_fill(f, mask, value);
            return ConvertType(r, input.dtype);
        }
        var o = Tensor.Empty(input.Shape);
        var w = new Walk(shape, [0, input.Offset, mask.Offset], o.Strides, input.Strides, BroadcastStrides(mask, shape));
        if (!w.Empty)
        {
            float[] X = input.FA, O = o.FA; bool[] M = mask.BA;
            do
            {
                int oo = w.Off[0], ox = w.Off[1], om = w.Off[2], so = w.InStride[0], sx = w.InStride[1], sm = w.InStride[2];
                for (int i = 0; i < w.Inner; i++) O[oo + i * so] = M[om + i * sm] ? value : X[ox + i * sx];
            } while (w.Next());
        }
        if (NeedsGrad(input))
            Record(o, "MaskedFillBackward", g => Acc(input, masked_fill(g, mask, 0f)), input, mask);
        return o;
    }

    /// <summary>Elementwise cond ? a : b with broadcasting.</summary>
    public static Tensor where(Tensor condition, Tensor a, Tensor b)
    {
        if (condition.dtype != ScalarType.Bool) throw new ArgumentException($"where: condition must be a Bool tensor; got {condition.dtype}.");
        if (a.dtype != b.dtype) throw new ArgumentException($"where: a and b must have the same dtype; got {a.dtype} and {b.dtype}.");
        var shape = BroadcastShape(BroadcastShape(condition.Shape, a.Shape, "where"), b.Shape, "where");
        var o = Tensor.Empty(shape, a.dtype);
        var w = new Walk(shape, [0, condition.Offset, a.Offset, b.Offset], o.Strides,
            BroadcastStrides(condition, shape), BroadcastStrides(a, shape), BroadcastStrides(b, shape));
        if (!w.Empty)
        {
            bool[] C = condition.BA;
            do
            {
                int n = w.Inner;
                if (a.dtype == ScalarType.Float32)
                {
                    float[] A = a.FA, Bv = b.FA, O = o.FA;
                    for (int i = 0; i < n; i++)
                        O[w.Off[0] + i * w.InStride[0]] = C[w.Off[1] + i * w.InStride[1]] ? A[w.Off[2] + i * w.InStride[2]] : Bv[w.Off[3] + i * w.InStride[3]];
                }
                else if (a.dtype == ScalarType.Int64)
                {
                    long[] A = a.LA, Bv = b.LA, O = o.LA;
                    for (int i = 0; i < n; i++)
                        O[w.Off[0] + i * w.InStride[0]] = C[w.Off[1] + i * w.InStride[1]] ? A[w.Off[2] + i * w.InStride[2]] : Bv[w.Off[3] + i * w.InStride[3]];
                }
                else
                {
                    bool[] A = a.BA, Bv = b.BA, O = o.BA;
                    for (int i = 0; i < n; i++)
                        O[w.Off[0] + i * w.InStride[0]] = C[w.Off[1] + i * w.InStride[1]] ? A[w.Off[2] + i * w.InStride[2]] : Bv[w.Off[3] + i * w.InStride[3]];
                }
            } while (w.Next());
        }
        if (NeedsGrad(a, b))
            Record(o, "WhereBackward", g =>
            {
                if (a.requires_grad) { using var notc = logical_not(condition); using var ga = masked_fill(g, notc, 0f); Acc(a, ReduceTo(ga, a.Shape)); }
                if (b.requires_grad) { using var gb = masked_fill(g, condition, 0f); Acc(b, ReduceTo(gb, b.Shape)); }
            }, a, b, condition);
        return o;
    }

    public static Tensor where(Tensor condition, Tensor a, float b) { using var bt = scalar_tensor(b); return where(condition, a, bt); }
    public static Tensor where(Tensor condition, float a, Tensor b) { using var at = scalar_tensor(a); return where(condition, at, b); }

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor cat(IList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("cat: expected a non-empty list of tensors.");
        var first = tensors[0];
        int d = NormDim(dim, first.dim());
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            var x = tensors[t];
            if (x.dtype != first.dtype) throw new ArgumentException($"cat: tensor {t} has dtype {x.dtype} but tensor 0 has {first.dtype}.");
            if (x.dim() != first.dim()) throw new ArgumentException($"cat: tensor {t} has shape {ShapeStr(x.Shape)} but tensor 0 has {ShapeStr(first.Shape)} (ranks differ).");
            for (int i = 0; i < x.dim(); i++)
                if (i != d && x.Shape[i] != first.Shape[i])
                    throw new ArgumentException($"cat: sizes must match except in dimension {d}; tensor {t} has shape {ShapeStr(x.Shape)}, tensor 0 has {ShapeStr(first.Shape)} (dimension {i}).");
            total += x.Shape[d];
        }
        var oshape = (int[])first.Shape.Clone(); oshape[d] = total;
        var o = Tensor.Empty(oshape, first.dtype);
        int at = 0;
        foreach (var x in tensors)
        {
            using var dst = o.narrow(d, at, x.Shape[d]);
            CopyInto(x, dst);
            at += x.Shape[d];
        }
        if (!gradDisabled && tensors.Any(x => x.requires_grad))
        {
            var parts = tensors.ToArray();
            Record(o, "CatBackward", g =>
            {
                int pos = 0;
                foreach (var x in parts)
                {
                    if (x.requires_grad) Acc(x, g.narrow(d, pos, x.Shape[d]));
                    pos += x.Shape[d];
                }
            }, parts);
        }
        return o;
    }

    /// <summary>Stacks equal-shaped tensors along a new dimension.</summary>
    public static Tensor stack(IList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack: expected a non-empty list of tensors.");
        for (int t = 1; t < tensors.Count; t++)
            if (!SameShape(tensors[t].Shape, tensors[0].Shape))
                throw new ArgumentException($"stack: all tensors must have the same shape; tensor {t} has {ShapeStr(tensors[t].Shape)}, tensor 0 has {ShapeStr(tensors[0].Shape)}.");
        int d = NormDim(dim, tensors[0].dim() + 1);
        var us = new Tensor[tensors.Count];
        for (int i = 0; i < us.Length; i++) us[i] = tensors[i].unsqueeze(d);
        var r = cat(us, d);
        foreach (var u in us) u.Dispose();
        return r;
    }

    static Tensor TriMask(Tensor input, long diagonal, bool upper)
    {
        if (input.dim() < 2) throw new ArgumentException($"{(upper ? "triu" : "tril")}: input must have at least 2 dimensions; got shape {ShapeStr(input.Shape)}.");
        int R = input.Shape[^2], C = input.Shape[^1];
        var m = Tensor.Empty([R, C], ScalarType.Bool);
        var M = m.BSpan;
        for (int i = 0; i < R; i++)
            for (int j = 0; j < C; j++)
                M[i * C + j] = upper ? j - i < diagonal : j - i > diagonal; // true = zeroed
        return m;
    }

    /// <summary>Upper triangle of the last two dims (j − i ≥ diagonal kept), rest zero.</summary>
    public static Tensor triu(Tensor input, long diagonal = 0) { using var m = TriMask(input, diagonal, true); return masked_fill(input, m, 0f); }

    /// <summary>Lower triangle of the last two dims (j − i ≤ diagonal kept), rest zero.</summary>
    public static Tensor tril(Tensor input, long diagonal = 0) { using var m = TriMask(input, diagonal, false); return masked_fill(input, m, 0f); }

    /// <summary>Int64 one-hot encoding: (..., num_classes).</summary>
    public static Tensor one_hot(Tensor index, long num_classes)
    {
        CheckIndexType(index, "one_hot");
        using var ic = Contig(index);
        var ids = ic.LSpan;
        int V = (int)num_classes;
        var o = Tensor.Empty(index.Shape.Append(V).ToArray(), ScalarType.Int64);
        var O = o.LSpan; O.Clear();
        for (int i = 0; i < ids.Length; i++)
        {
            if ((ulong)ids[i] >= (ulong)V) throw new ArgumentOutOfRangeException(nameof(index), $"one_hot: class {ids[i]} at position {i} is out of range for {V} classes (valid 0..{V - 1}).");
            O[i * V + (int)ids[i]] = 1;
        }
        return o;
    }

    /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
    public static Tensor cumsum(Tensor input, long dim)
    {
        int d = NormDim(dim, input.dim());
        if (input.dtype != ScalarType.Float32) throw new ArgumentException($"cumsum: input must be Float32; got {input.dtype}.");
        using var x = Contig(input);
        var (outer, D, inner) = Split3(input.Shape, d);
        var o = Tensor.Empty(input.Shape);
        CumSum(x.FSpan, o.FSpan, outer, D, inner, false);
        if (NeedsGrad(input))
            Record(o, "CumsumBackward", g =>
            {
                using var gc = Contig(g);
                var dx = Tensor.Empty(input.Shape);
                CumSum(gc.FSpan, dx.FSpan, outer, D, inner, true);
                Acc(input, dx);
            }, input);
        return o;
    }

    static void CumSum(ReadOnlySpan<float> x, Span<float> o, int outer, int D, int inner, bool reverse)
    {
        for (int b = 0; b < outer; b++)
        {
            int baseOff = b * D * inner;
            for (int k = 0; k < D; k++)
            {
                int kk = reverse ? D - 1 - k : k;
                var dst = o.Slice(baseOff + kk * inner, inner);
                var src = x.Slice(baseOff + kk * inner, inner);
                if (k == 0) src.CopyTo(dst);
                else TensorPrimitives.Add(src, o.Slice(baseOff + (reverse ? kk + 1 : kk - 1) * inner, inner), dst);
            }
        }
    }

    /// <summary>Sorted values and their Int64 indices along <paramref name="dim"/> (stable).</summary>
    public static (Tensor values, Tensor indices) sort(Tensor input, long dim = -1, bool descending = false)
    {
        int d = NormDim(dim, input.dim());
        using var x = input.dtype == ScalarType.Float32 ? Contig(input) : ConvertType(input, ScalarType.Float32);
        var (outer, D, inner) = Split3(input.Shape, d);
        var idx = Tensor.Empty(input.Shape, ScalarType.Int64);
        var X = x.FA; var I = idx.LA; int xo = x.Offset;
        var keys = new int[D];
        for (int b = 0; b < outer; b++)
            for (int i = 0; i < inner; i++)
            {
                for (int k = 0; k < D; k++) keys[k] = k;
                int baseOff = xo + b * D * inner + i;
                Comparison<int> cmp = descending
                    ? (p, q) => { int c = X[baseOff + q * inner].CompareTo(X[baseOff + p * inner]); return c != 0 ? c : p.CompareTo(q); }
                    : (p, q) => { int c = X[baseOff + p * inner].CompareTo(X[baseOff + q * inner]); return c != 0 ? c : p.CompareTo(q); };
                Array.Sort(keys, cmp);
                for (int k = 0; k < D; k++) I[b * D * inner + k * inner + i] = keys[k];
            }
        var vals = input.dtype == ScalarType.Float32 ? gather(input, d, idx) : ConvertType(gather(x, d, idx), input.dtype);
        return (vals, idx);
    }

    /// <summary>The k largest (or smallest) values along <paramref name="dim"/> and their indices, sorted.</summary>
    public static (Tensor values, Tensor indexes) topk(Tensor input, long k, long dim = -1, bool largest = true)
    {
        int d = NormDim(dim, input.dim());
        if (k < 0 || k > input.Shape[d]) throw new ArgumentOutOfRangeException(nameof(k), $"topk: k = {k} is out of range for dimension {dim} of size {input.Shape[d]}.");
        var (sv, si) = sort(input, d, largest);
        using (sv) using (si)
        {
            using var idx = si.narrow(d, 0, k);
            var ic = Materialize(idx);
            return (gather(input, d, ic), ic);
        }
    }
}
