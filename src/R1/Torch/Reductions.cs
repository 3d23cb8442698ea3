using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    static int[] KeepDimShape(int[] shape, bool[] reduce)
    {
        var r = (int[])shape.Clone();
        for (int i = 0; i < r.Length; i++) if (reduce[i]) r[i] = 1;
        return r;
    }

    static int[] DropDims(int[] shape, bool[] reduce)
    {
        var r = new List<int>();
        for (int i = 0; i < shape.Length; i++) if (!reduce[i]) r.Add(shape[i]);
        return r.ToArray();
    }

    static bool[] ReduceMask(int rank, long[]? dims)
    {
        var m = new bool[rank];
        if (dims is null || dims.Length == 0) { Array.Fill(m, true); return m; }
        foreach (var d in dims)
        {
            int nd = NormDim(d, rank);
            if (m[nd]) throw new ArgumentException($"Dimension {d} appears more than once in the reduction dims {ShapeStr(dims)}.");
            m[nd] = true;
        }
        return m;
    }

    /// <summary>Broadcasts a reduced gradient (keepdim or not) back to the input shape as a new contiguous tensor.</summary>
    static Tensor ExpandBack(Tensor g, int[] inShape, bool[] reduce)
    {
        using var gk = g.reshape(ToLong(KeepDimShape(inShape, reduce)));
        var d = Tensor.Empty(inShape);
        CopyInto(gk, d);
        return d;
    }

    static Tensor SumImpl(Tensor x, long[]? dims, bool keepdim, float scale, string name)
    {
        if (x.dtype != ScalarType.Float32)
        {
            if (x.requires_grad) throw new InvalidOperationException($"{name}: gradients need Float32.");
            using var f = ConvertType(x, ScalarType.Float32);
            if (name == "mean") return SumImpl(f, dims, keepdim, scale, name);
            using var s = SumImpl(f, dims, keepdim, scale, name);
            return ConvertType(s, ScalarType.Int64); // sum of integers/bools is Int64 as in PyTorch
        }
        var reduce = ReduceMask(x.Shape.Length, dims);
        var keepShape = KeepDimShape(x.Shape, reduce);
        var o = Tensor.Empty(keepdim ? keepShape : DropDims(x.Shape, reduce), clear: true);
        bool all = Array.TrueForAll(reduce, r => r);
        if (all && x.IsContig) o.FA[o.Offset] = TensorPrimitives.Sum(x.FSpan);
        else
        {
            var cs = ContiguousStrides(keepShape);
            for (int i = 0; i < cs.Length; i++) if (reduce[i]) cs[i] = 0;
            AccumulateStrided(x, o.FA, o.Offset, cs);
        }
        int count = 1;
        for (int i = 0; i < reduce.Length; i++) if (reduce[i]) count *= x.Shape[i];
        float sc = scale == 0 ? 1f / Math.Max(count, 1) : scale;
        if (name == "mean") { if (count == 0) o.FSpan.Fill(float.NaN); else TensorPrimitives.Multiply(o.FSpan, sc, o.FSpan); }
        if (NeedsGrad(x))
        {
            var inShape = x.Shape;
            Record(o, name == "mean" ? "MeanBackward" : "SumBackward", g =>
            {
                var d = ExpandBack(g, inShape, reduce);
                if (name == "mean") TensorPrimitives.Multiply(d.FSpan, sc, d.FSpan);
                Acc(x, d);
            }, x);
        }
        return o;
    }

    public static Tensor sum(Tensor x) => SumImpl(x, null, false, 1f, "sum");
    public static Tensor sum(Tensor x, long dim, bool keepdim = false) => SumImpl(x, [dim], keepdim, 1f, "sum");
    public static Tensor sum(Tensor x, long[] dims, bool keepdim = false) => SumImpl(x, dims, keepdim, 1f, "sum");
    public static Tensor mean(Tensor x) => SumImpl(x, null, false, 0f, "mean");
    public static Tensor mean(Tensor x, long dim, bool keepdim = false) => SumImpl(x, [dim], keepdim, 0f, "mean");
    public static Tensor mean(Tensor x, long[] dims, bool keepdim = false) => SumImpl(x, dims, keepdim, 0f, "mean");

    /// <summary>Variance over <paramref name="dim"/> (unbiased by default, like PyTorch).</summary>
    public static Tensor var(Tensor x, long dim, bool unbiased = true, bool keepdim = false)
    {
        int d = NormDim(dim, x.dim());
        int n = x.Shape[d];
        using var m = mean(x, dim, true);
        using var c = sub(x, m);
        using var c2 = mul(c, c);
        using var s = sum(c2, dim, keepdim);
        return div(s, (float)(unbiased ? n - 1 : n));
    }

    public static Tensor std(Tensor x, long dim, bool unbiased = true, bool keepdim = false)
    {
        using var v = var(x, dim, unbiased, keepdim);
        return sqrt(v);
    }

    /// <summary>log Σ exp(x) over <paramref name="dim"/>, stable.</summary>
    public static Tensor logsumexp(Tensor x, long dim, bool keepdim = false)
    {
        using var ls = nn.functional.log_softmax(x, dim);
        // logsumexp = x - log_softmax(x) at any element; take it along the dim's first entry
        using var first = x.narrow(dim, 0, 1);
        using var lsf = ls.narrow(dim, 0, 1);
        var r = sub(first, lsf);
        if (keepdim) return r;
        using var _ = r;
        return r.squeeze(dim);
    }

    /// <summary>(outer, D, inner) decomposition of a contiguous tensor along dim.</summary>
    static (int outer, int D, int inner) Split3(int[] shape, int d)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[d], inner);
    }

    static (Tensor values, Tensor indices) ArgReduce(Tensor x, long dim, bool keepdim, bool isMax)
    {
        int d = NormDim(dim, x.dim());
        if (x.Shape.Length > 0 && x.Shape[d] == 0) throw new ArgumentException($"{(isMax ? "max" : "min")}: dimension {dim} has size 0.");
        bool isLong = x.dtype == ScalarType.Int64;
        using var xf = x.dtype == ScalarType.Float32 || isLong ? Contig(x) : ConvertType(x, ScalarType.Float32);
        var (outer, D, inner) = x.Shape.Length == 0 ? (1, 1, 1) : Split3(x.Shape, d);
        var reduce = new bool[x.Shape.Length]; if (reduce.Length > 0) reduce[d] = true;
        var oshape = keepdim ? KeepDimShape(x.Shape, reduce) : DropDims(x.Shape, reduce);
        var vals = Tensor.Empty(oshape, isLong ? ScalarType.Int64 : ScalarType.Float32);
        var idx = Tensor.Empty(oshape, ScalarType.Int64);
        var I = idx.LSpan;
        if (isLong)
        {
            var X = xf.LSpan; var V = vals.LSpan;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int best = 0; long bv = X[o * D * inner + i];
                    for (int k = 1; k < D; k++) { long v = X[(o * D + k) * inner + i]; if (isMax ? v > bv : v < bv) { bv = v; best = k; } }
                    V[o * inner + i] = bv; I[o * inner + i] = best;
                }
            return (vals, idx);
        }
        {
            var X = xf.FSpan; var V = vals.FSpan;
            for (int o = 0; o < outer; o++)
            {
                if (inner == 1)
                {
                    var row = X.Slice(o * D, D);
                    int best = isMax ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
                    V[o] = row[best]; I[o] = best;
                    continue;
                }
                for (int i = 0; i < inner; i++)
                {
                    int best = 0; float bv = X[o * D * inner + i];
                    for (int k = 1; k < D && !float.IsNaN(bv); k++)
                    {
                        float v = X[(o * D + k) * inner + i];
                        if (float.IsNaN(v) || (isMax ? v > bv : v < bv)) { bv = v; best = k; }
                    }
                    V[o * inner + i] = bv; I[o * inner + i] = best;
                }
            }
        }
        if (NeedsGrad(x))
        {
            var inShape = x.Shape;
            var idxKeep = idx.Alias(); // the caller may dispose the returned indices
            Record(vals, isMax ? "MaxBackward" : "MinBackward", g =>
            {
                using var gc = Contig(g);
                var dx = Tensor.Empty(inShape, clear: true);
                var G = gc.FSpan; var DX = dx.FSpan; var Ix = idxKeep.LSpan;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                        DX[(o * D + (int)Ix[o * inner + i]) * inner + i] += G[o * inner + i];
                Acc(x, dx);
            }, x);
        }
        return (vals, idx);
    }

    /// <summary>Max over a dimension: (values, indices) as in TorchSharp.</summary>
    public static (Tensor values, Tensor indexes) max(Tensor x, long dim, bool keepdim = false) => ArgReduce(x, dim, keepdim, true);
    public static (Tensor values, Tensor indexes) min(Tensor x, long dim, bool keepdim = false) => ArgReduce(x, dim, keepdim, false);

    public static Tensor amax(Tensor x, long dim, bool keepdim = false) { var (v, i) = ArgReduce(x, dim, keepdim, true); i.Dispose(); return v; }
    public static Tensor amin(Tensor x, long dim, bool keepdim = false) { var (v, i) = ArgReduce(x, dim, keepdim, false); i.Dispose(); return v; }

    public static Tensor argmax(Tensor x, long dim, bool keepdim = false) { var (v, i) = ArgReduce(x, dim, keepdim, true); v.Dispose(); return i; }
    public static Tensor argmin(Tensor x, long dim, bool keepdim = false) { var (v, i) = ArgReduce(x, dim, keepdim, false); v.Dispose(); return i; }

    /// <summary>Index of the maximum of the flattened tensor (0-d Int64).</summary>
    public static Tensor argmax(Tensor x) { using var f = x.reshape(-1); using var a = argmax(f, 0); return a.reshape(); }
    public static Tensor argmin(Tensor x) { using var f = x.reshape(-1); using var a = argmin(f, 0); return a.reshape(); }

    /// <summary>Max of all elements (0-d); the gradient is shared evenly among tied maxima (PyTorch 1.13).</summary>
    public static Tensor max(Tensor x) => AllMinMax(x, true);
    public static Tensor min(Tensor x) => AllMinMax(x, false);

    static Tensor AllMinMax(Tensor x, bool isMax)
    {
        if (x.Numel == 0) throw new ArgumentException($"{(isMax ? "max" : "min")}() of an empty tensor.");
        if (x.dtype != ScalarType.Float32) { using var f = x.reshape(-1); var (v, i) = ArgReduce(f, 0, false, isMax); i.Dispose(); return v; }
        using var c = Contig(x);
        var o = Tensor.Empty([]);
        float m = isMax ? TensorPrimitives.Max(c.FSpan) : TensorPrimitives.Min(c.FSpan);
        o.FA[o.Offset] = m;
        if (NeedsGrad(x))
            Record(o, isMax ? "MaxBackward" : "MinBackward", g =>
            {
                using var xc = Contig(x);
                var X = xc.FSpan;
                int ties = 0; foreach (var v in X) if (v == m) ties++;
                float gv = g.item<float>() / Math.Max(ties, 1);
                var dx = Tensor.Empty(x.Shape, clear: true);
                var DX = dx.FSpan;
                for (int i = 0; i < X.Length; i++) if (X[i] == m) DX[i] = gv;
                Acc(x, dx);
            }, x);
        return o;
    }
}
