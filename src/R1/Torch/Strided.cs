using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    /// <summary>
    /// Walks the outer dimensions of an N-operand strided loop; the innermost (collapsed) dimension is left to
    /// the caller, which runs a span kernel over it. Dimensions that are contiguous across every operand are
    /// merged first, so a contiguous tensor is one inner run.
    /// </summary>
    internal sealed class Walk
    {
        public readonly int Inner;
        public readonly int[] InStride;
        public readonly int[] Off;
        readonly int[] oshape;
        readonly int[][] ostr;
        readonly int[] idx;
        public readonly bool Empty;

        public Walk(int[] shape, int[] offsets, params int[][] strides)
        {
            int k = strides.Length;
            Off = (int[])offsets.Clone();
            var dims = new List<int>();
            var strs = new List<int[]>();
            foreach (var d in shape) if (d == 0) Empty = true;
            // Collapse from the innermost dimension outwards, skipping size-1 dims.
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                if (shape[i] == 1) continue;
                if (dims.Count > 0)
                {
                    int last = dims.Count - 1;
                    bool merge = true;
                    for (int j = 0; j < k; j++) if (strides[j][i] != strs[last][j] * dims[last]) { merge = false; break; }
                    if (merge) { dims[last] *= shape[i]; continue; }
                }
                dims.Add(shape[i]);
                var s = new int[k];
                for (int j = 0; j < k; j++) s[j] = strides[j][i];
                strs.Add(s);
            }
            if (dims.Count == 0) { dims.Add(1); strs.Add(new int[k]); }
            Inner = dims[0];
            InStride = strs[0];
            int r = dims.Count - 1;
            oshape = new int[r];
            ostr = new int[r][];
            for (int i = 0; i < r; i++) { oshape[i] = dims[r - i]; ostr[i] = strs[r - i]; }
            idx = new int[r];
        }

        /// <summary>Advances to the next inner run; false when done.</summary>
        public bool Next()
        {
            for (int d = oshape.Length - 1; d >= 0; d--)
            {
                var s = ostr[d];
                if (++idx[d] < oshape[d]) { for (int j = 0; j < Off.Length; j++) Off[j] += s[j]; return true; }
                for (int j = 0; j < Off.Length; j++) Off[j] -= s[j] * (oshape[d] - 1);
                idx[d] = 0;
            }
            return false;
        }
    }

    /// <summary>Strides of <paramref name="t"/> viewed at the broadcast shape <paramref name="shape"/> (0 on broadcast dims).</summary>
    internal static int[] BroadcastStrides(Tensor t, int[] shape)
    {
        var r = new int[shape.Length];
        int off = shape.Length - t.Shape.Length;
        for (int i = 0; i < t.Shape.Length; i++)
            r[off + i] = t.Shape[i] == 1 && shape[off + i] != 1 ? 0 : t.Strides[i];
        return r;
    }

    internal static int[] BroadcastShape(int[] a, int[] b, string op)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            int db = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {ShapeStr(a)} and {ShapeStr(b)} are not broadcastable (dimension {i - n}: {da} vs {db}).");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Contiguous copy of any tensor (no graph).</summary>
    internal static Tensor Materialize(Tensor t)
    {
        var r = Tensor.Empty(t.Shape, t.dtype);
        CopyInto(t, r);
        return r;
    }

    /// <summary>dst[...] = src[...] with src broadcast to dst's shape; any strides on both sides.</summary>
    internal static void CopyInto(Tensor src, Tensor dst)
    {
        if (src.dtype != dst.dtype) { using var c = ConvertType(src, dst.dtype); CopyInto(c, dst); return; }
        if (dst.Numel == 0) return;
        if (src.IsContig && dst.IsContig && src.Numel == dst.Numel)
        {
            switch (dst.dtype)
            {
                case ScalarType.Float32: src.FSpan.CopyTo(dst.FSpan); break;
                case ScalarType.Int64: src.LSpan.CopyTo(dst.LSpan); break;
                default: src.BSpan.CopyTo(dst.BSpan); break;
            }
            return;
        }
        var w = new Walk(dst.Shape, [dst.Offset, src.Offset], dst.Strides, BroadcastStrides(src, dst.Shape));
        switch (dst.dtype)
        {
            case ScalarType.Float32: CopyWalk(w, src.FA, dst.FA); break;
            case ScalarType.Int64: CopyWalk(w, src.LA, dst.LA); break;
            default: CopyWalk(w, src.BA, dst.BA); break;
        }
    }

    static void CopyWalk<T>(Walk w, T[] src, T[] dst)
    {
        if (w.Empty) return;
        int n = w.Inner, sd = w.InStride[0], ss = w.InStride[1];
        do
        {
            int od = w.Off[0], os = w.Off[1];
            if (sd == 1 && ss == 1) src.AsSpan(os, n).CopyTo(dst.AsSpan(od, n));
            else if (sd == 1 && ss == 0) dst.AsSpan(od, n).Fill(src[os]);
            else for (int i = 0; i < n; i++) dst[od + i * sd] = src[os + i * ss];
        } while (w.Next());
    }

    /// <summary>dst += src (same shape or src broadcast to dst), no graph.</summary>
    internal static void AddInto(Tensor dst, Tensor src) => BinaryInto(BinOp.Add, dst, src, dst);

    internal enum BinOp { Add, Sub, Mul, Div, Max, Min, Pow, Eq, Ne, Lt, Le, Gt, Ge }

    static bool IsCompare(BinOp op) => op >= BinOp.Eq;

    /// <summary>o = a op b over o's shape, a and b broadcast to it; any strides. Float32 or Int64 inputs of one dtype.</summary>
    internal static void BinaryInto(BinOp op, Tensor a, Tensor b, Tensor o)
    {
        if (o.Numel == 0) return;
        if (a.dtype == ScalarType.Float32 && o.dtype == ScalarType.Float32 && a.IsContig && b.IsContig && o.IsContig
            && a.Numel == o.Numel && b.Numel == o.Numel)
        {
            ParallelChunks(o.Numel, 1 << 15, (s, n) => FloatRun(op, a.FA, a.Offset + s, 1, b.FA, b.Offset + s, 1, o.FA, o.Offset + s, 1, n));
            return;
        }
        var w = new Walk(o.Shape, [o.Offset, a.Offset, b.Offset], o.Strides, BroadcastStrides(a, o.Shape), BroadcastStrides(b, o.Shape));
        if (w.Empty) return;
        int n = w.Inner;
        if (a.dtype == ScalarType.Float32 && o.dtype == ScalarType.Float32)
        {
            float[] fa = a.FA, fb = b.FA, fo = o.FA;
            do FloatRun(op, fa, w.Off[1], w.InStride[1], fb, w.Off[2], w.InStride[2], fo, w.Off[0], w.InStride[0], n);
            while (w.Next());
        }
        else if (a.dtype == ScalarType.Float32)
        {
            float[] fa = a.FA, fb = b.FA; bool[] bo = o.BA;
            int sa = w.InStride[1], sb = w.InStride[2], so = w.InStride[0];
            do
            {
                int oa = w.Off[1], ob = w.Off[2], oo = w.Off[0];
                for (int i = 0; i < n; i++) bo[oo + i * so] = Cmp(op, fa[oa + i * sa].CompareTo(fb[ob + i * sb]), fa[oa + i * sa], fb[ob + i * sb]);
            } while (w.Next());
        }
        else
        {
            long[] la = a.LA, lb = b.LA;
            int sa = w.InStride[1], sb = w.InStride[2], so = w.InStride[0];
            if (IsCompare(op))
            {
                bool[] bo = o.BA;
                do
                {
                    int oa = w.Off[1], ob = w.Off[2], oo = w.Off[0];
                    for (int i = 0; i < n; i++) bo[oo + i * so] = Cmp(op, la[oa + i * sa].CompareTo(lb[ob + i * sb]), 0, 0);
                } while (w.Next());
            }
            else
            {
                long[] lo = o.LA;
                do
                {
                    int oa = w.Off[1], ob = w.Off[2], oo = w.Off[0];
                    for (int i = 0; i < n; i++)
                    {
                        long x = la[oa + i * sa], y = lb[ob + i * sb];
                        lo[oo + i * so] = op switch
                        {
                            BinOp.Add => x + y, BinOp.Sub => x - y, BinOp.Mul => x * y,
                            BinOp.Max => Math.Max(x, y), BinOp.Min => Math.Min(x, y),
                            BinOp.Div => y == 0 ? throw new DivideByZeroException("Integer division by zero in an Int64 tensor op.") : Math.DivRem(x, y).Quotient - ((x % y != 0) && ((x < 0) != (y < 0)) ? 1 : 0),
                            _ => throw new InvalidOperationException($"{op} is not defined for Int64 tensors."),
                        };
                    }
                } while (w.Next());
            }
        }
    }

    static bool Cmp(BinOp op, int c, float x, float y)
    {
        if (float.IsNaN(x) || float.IsNaN(y)) return op == BinOp.Ne;
        return op switch
        {
            BinOp.Eq => c == 0, BinOp.Ne => c != 0, BinOp.Lt => c < 0, BinOp.Le => c <= 0, BinOp.Gt => c > 0, _ => c >= 0,
        };
    }

    /// <summary>One inner run of a float binary op; span kernels when the strides allow.</summary>
    static void FloatRun(BinOp op, float[] a, int oa, int sa, float[] b, int ob, int sb, float[] o, int oo, int so, int n)
    {
        if (so == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0))
        {
            var d = o.AsSpan(oo, n);
            if (sa == 1 && sb == 1)
            {
                ReadOnlySpan<float> x = a.AsSpan(oa, n), y = b.AsSpan(ob, n);
                switch (op)
                {
                    case BinOp.Add: TensorPrimitives.Add(x, y, d); return;
                    case BinOp.Sub: TensorPrimitives.Subtract(x, y, d); return;
                    case BinOp.Mul: TensorPrimitives.Multiply(x, y, d); return;
                    case BinOp.Div: TensorPrimitives.Divide(x, y, d); return;
                    case BinOp.Max: TensorPrimitives.Max(x, y, d); return;
                    case BinOp.Min: TensorPrimitives.Min(x, y, d); return;
                    case BinOp.Pow: TensorPrimitives.Pow(x, y, d); return;
                }
            }
            else if (sa == 1)
            {
                ReadOnlySpan<float> x = a.AsSpan(oa, n); float y = b[ob];
                switch (op)
                {
                    case BinOp.Add: TensorPrimitives.Add(x, y, d); return;
                    case BinOp.Sub: TensorPrimitives.Subtract(x, y, d); return;
                    case BinOp.Mul: TensorPrimitives.Multiply(x, y, d); return;
                    case BinOp.Div: TensorPrimitives.Divide(x, y, d); return;
                    case BinOp.Max: TensorPrimitives.Max(x, y, d); return;
                    case BinOp.Min: TensorPrimitives.Min(x, y, d); return;
                    case BinOp.Pow: TensorPrimitives.Pow(x, y, d); return;
                }
            }
            else if (sb == 1)
            {
                float x = a[oa]; ReadOnlySpan<float> y = b.AsSpan(ob, n);
                switch (op)
                {
                    case BinOp.Add: TensorPrimitives.Add(y, x, d); return;
                    case BinOp.Sub: TensorPrimitives.Subtract(x, y, d); return;
                    case BinOp.Mul: TensorPrimitives.Multiply(y, x, d); return;
                    case BinOp.Div: TensorPrimitives.Divide(x, y, d); return;
                    case BinOp.Max: TensorPrimitives.Max(y, x, d); return;
                    case BinOp.Min: TensorPrimitives.Min(y, x, d); return;
                    case BinOp.Pow: TensorPrimitives.Pow(x, y, d); return;
                }
            }
        }
        for (int i = 0; i < n; i++)
        {
            float x = a[oa + i * sa], y = b[ob + i * sb];
            o[oo + i * so] = op switch
            {
                BinOp.Add => x + y, BinOp.Sub => x - y, BinOp.Mul => x * y, BinOp.Div => x / y,
                BinOp.Max => float.IsNaN(x) || float.IsNaN(y) ? float.NaN : Math.Max(x, y),
                BinOp.Min => float.IsNaN(x) || float.IsNaN(y) ? float.NaN : Math.Min(x, y),
                _ => MathF.Pow(x, y),
            };
        }
    }

    /// <summary>Runs body(start, count) over [0, n) in two or more chunks when n is large, else inline.
    /// The only place elementwise work fans out; kernels called from it must not parallelise again.</summary>
    internal static void ParallelChunks(int n, int minChunk, Action<int, int> body)
    {
        int chunks = Math.Min(Environment.ProcessorCount, n / Math.Max(minChunk, 1));
        if (chunks <= 1) { body(0, n); return; }
        int per = (n + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int s = c * per, e = Math.Min(n, s + per);
            if (e > s) body(s, e - s);
        });
    }

    /// <summary>Contiguous float view of t: t itself (aliased) when already contiguous, else a copy.</summary>
    internal static Tensor Contig(Tensor t) => t.IsContig ? t.Alias() : Materialize(t);

    /// <summary>dtype conversion (no graph): Int64→Float32 exact for |x| &lt; 2^24, Float32→Int64 truncates, Bool→0/1.</summary>
    internal static Tensor ConvertType(Tensor t, ScalarType dt)
    {
        if (t.dtype == dt) return Contig(t);
        using var c = Contig(t);
        var r = Tensor.Empty(t.Shape, dt);
        int n = t.Numel;
        switch (t.dtype, dt)
        {
            case (ScalarType.Int64, ScalarType.Float32): { var s = c.LSpan; var d = r.FSpan; for (int i = 0; i < n; i++) d[i] = s[i]; break; }
            case (ScalarType.Bool, ScalarType.Float32): { var s = c.BSpan; var d = r.FSpan; for (int i = 0; i < n; i++) d[i] = s[i] ? 1f : 0f; break; }
            case (ScalarType.Float32, ScalarType.Int64): { var s = c.FSpan; var d = r.LSpan; for (int i = 0; i < n; i++) d[i] = (long)s[i]; break; }
            case (ScalarType.Bool, ScalarType.Int64): { var s = c.BSpan; var d = r.LSpan; for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; break; }
            case (ScalarType.Float32, ScalarType.Bool): { var s = c.FSpan; var d = r.BSpan; for (int i = 0; i < n; i++) d[i] = s[i] != 0; break; }
            default: { var s = c.LSpan; var d = r.BSpan; for (int i = 0; i < n; i++) d[i] = s[i] != 0; break; }
        }
        return r;
    }

    /// <summary>Sums <paramref name="g"/> down to <paramref name="shape"/> (the reverse of broadcasting).
    /// Returns a new tensor the caller owns (an alias of g when the shapes already match).</summary>
    internal static Tensor ReduceTo(Tensor g, int[] shape)
    {
        if (SameShape(g.Shape, shape)) return g.Alias();
        var r = Tensor.Empty(shape, clear: true);
        // View r at g's shape with zero strides on the summed dims and accumulate.
        var rs = new int[g.Shape.Length];
        int off = g.Shape.Length - shape.Length;
        var cs = ContiguousStrides(shape);
        for (int i = 0; i < shape.Length; i++) rs[off + i] = shape[i] == 1 && g.Shape[off + i] != 1 ? 0 : cs[i];
        AccumulateStrided(g, r.FA, r.Offset, rs);
        return r;
    }

    /// <summary>dst[offset + Σ idx·dstStrides] += src[idx] over src's shape (dst strides may be 0 to reduce).</summary>
    internal static void AccumulateStrided(Tensor src, float[] dst, int dstOffset, int[] dstStrides)
    {
        var w = new Walk(src.Shape, [dstOffset, src.Offset], dstStrides, src.Strides);
        if (w.Empty) return;
        var s = src.FA;
        int n = w.Inner, sd = w.InStride[0], ss = w.InStride[1];
        do
        {
            int od = w.Off[0], os = w.Off[1];
            if (sd == 1 && ss == 1) TensorPrimitives.Add(dst.AsSpan(od, n), s.AsSpan(os, n), dst.AsSpan(od, n));
            else if (sd == 0 && ss == 1) dst[od] += TensorPrimitives.Sum(s.AsSpan(os, n));
            else for (int i = 0; i < n; i++) dst[od + i * sd] += s[os + i * ss];
        } while (w.Next());
    }
}
