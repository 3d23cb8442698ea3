namespace R1;

public static partial class torch
{
    /// <summary>Bool: which elements are NaN / ±∞ / finite.</summary>
    public static Tensor isnan(Tensor x) => FloatPredicate(x, float.IsNaN);
    public static Tensor isinf(Tensor x) => FloatPredicate(x, float.IsInfinity);
    public static Tensor isfinite(Tensor x) => FloatPredicate(x, float.IsFinite);

    static Tensor FloatPredicate(Tensor x, Func<float, bool> f)
    {
        var o = Tensor.Empty(x.Shape, ScalarType.Bool);
        if (x.dtype != ScalarType.Float32) { o.BSpan.Fill(f == float.IsFinite); return o; }
        using var c = Contig(x);
        var s = c.FSpan; var d = o.BSpan;
        for (int i = 0; i < s.Length; i++) d[i] = f(s[i]);
        return o;
    }

    /// <summary>True when any / every element is non-zero (0-d Bool).</summary>
    public static Tensor any(Tensor x) { using var b = ConvertType(x, ScalarType.Bool); var r = Tensor.Empty([], ScalarType.Bool); r.BSpan[0] = b.BSpan.Contains(true); return r; }
    public static Tensor all(Tensor x) { using var b = ConvertType(x, ScalarType.Bool); var r = Tensor.Empty([], ScalarType.Bool); r.BSpan[0] = !b.BSpan.Contains(false); return r; }

    /// <summary>Tiles the tensor: dimension i repeated repeats[i] times (extra leading repeats add dimensions).</summary>
    public static Tensor repeat(Tensor x, params long[] repeats)
    {
        if (repeats.Length < x.dim()) throw new ArgumentException($"repeat: got {repeats.Length} repeat counts for a tensor with {x.dim()} dimensions.");
        int lead = repeats.Length - x.dim();
        var shape = new long[repeats.Length];
        for (int i = 0; i < lead; i++) shape[i] = 1;
        for (int i = 0; i < x.dim(); i++) shape[lead + i] = x.Shape[i];
        using var v = x.reshape(shape);
        // (…, 1, d, …) expanded to (…, r, d, …) then merged
        var inter = new List<long>(); var expandTo = new List<long>(); var final = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            inter.Add(1); inter.Add(shape[i]);
            expandTo.Add(repeats[i]); expandTo.Add(shape[i]);
            final[i] = repeats[i] * shape[i];
        }
        using var u = v.reshape(inter.ToArray());
        using var e = u.expand(expandTo.ToArray());
        return e.reshape(final);
    }

    /// <summary>Each element (slice along <paramref name="dim"/>) repeated <paramref name="repeats"/> times in place.</summary>
    public static Tensor repeat_interleave(Tensor x, long repeats, long dim)
    {
        int d = NormDim(dim, x.dim());
        using var u = x.unsqueeze(d + 1);
        var to = new long[x.dim() + 1];
        for (int i = 0; i < to.Length; i++) to[i] = u.Shape[i];
        to[d + 1] = repeats;
        using var e = u.expand(to);
        return e.flatten(d, d + 1);
    }

    public static Tensor softmax(Tensor x, long dim) => nn.functional.softmax(x, dim);
    public static Tensor log_softmax(Tensor x, long dim) => nn.functional.log_softmax(x, dim);

    public sealed partial class Tensor
    {
        /// <summary>x[i] (a view along dim 0), x[i, j] …; negative indices count from the end.</summary>
        public Tensor this[long index] => select(0, index);
        public Tensor this[params long[] indices]
        {
            get
            {
                if (indices.Length == 0 || indices.Length > Shape.Length)
                    throw new ArgumentException($"Indexing with {indices.Length} indices a tensor with {Shape.Length} dimensions.");
                var t = select(0, indices[0]);
                for (int i = 1; i < indices.Length; i++) { var n = t.select(0, indices[i]); t.Dispose(); t = n; }
                return t;
            }
        }

        public Tensor gather(long dim, Tensor index) => torch.gather(this, dim, index);
        public Tensor index_select(long dim, Tensor index) => torch.index_select(this, dim, index);
        public Tensor masked_fill(Tensor mask, float value) => torch.masked_fill(this, mask, value);
        public Tensor cumsum(long dim) => torch.cumsum(this, dim);
        public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false) => torch.sort(this, dim, descending);
        public (Tensor values, Tensor indexes) topk(long k, long dim = -1, bool largest = true) => torch.topk(this, k, dim, largest);
        public Tensor triu(long diagonal = 0) => torch.triu(this, diagonal);
        public Tensor tril(long diagonal = 0) => torch.tril(this, diagonal);
        public Tensor repeat(params long[] repeats) => torch.repeat(this, repeats);
        public Tensor repeat_interleave(long repeats, long dim) => torch.repeat_interleave(this, repeats, dim);
        public Tensor isnan() => torch.isnan(this);
        public Tensor isfinite() => torch.isfinite(this);
        public Tensor any() => torch.any(this);
        public Tensor all() => torch.all(this);
        public Tensor gelu(string approximate = "none") => torch.gelu(this, approximate);
        public Tensor silu() => torch.silu(this);
        public Tensor view_as(Tensor other) => view(other.shape);
        public Tensor reshape_as(Tensor other) => reshape(other.shape);
    }
}
