namespace R1;

public static partial class torch
{
    public sealed partial class Tensor
    {
        /// <summary>A view over this tensor's storage; records a backward that maps the view's gradient back.</summary>
        Tensor View(int[] shape, int[] strides, int offset, string name, Func<Tensor, Tensor> backward)
        {
            var v = new Tensor(S, shape, strides, offset, dtype);
            if (NeedsGrad(this)) { var src = this; Record(v, name, g => Acc(src, backward(g)), src); }
            return v;
        }

        /// <summary>A sub-view (narrow/slice/select) whose gradient is added into the same region of this tensor's accumulator.</summary>
        Tensor SubView(int[] shape, int[] strides, int offset, string name, Func<Tensor, Tensor> sameView)
        {
            var v = new Tensor(S, shape, strides, offset, dtype);
            if (NeedsGrad(this)) { var src = this; Record(v, name, g => AccRegion(src, g, sameView), src); }
            return v;
        }

        int[] InferShape(long[] shape, string op)
        {
            var r = new int[shape.Length];
            int infer = -1; long known = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shape[i] == -1)
                {
                    if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be -1 in {ShapeStr(shape)}.");
                    infer = i; continue;
                }
                if (shape[i] < 0) throw new ArgumentException($"{op}: invalid dimension {shape[i]} in {ShapeStr(shape)}.");
                r[i] = (int)shape[i]; known *= shape[i];
            }
            if (infer >= 0)
            {
                if (known == 0 || Numel % known != 0)
                    throw new ArgumentException($"{op}: shape {ShapeStr(shape)} is invalid for a tensor of {Numel} elements (shape {ShapeStr(Shape)}).");
                r[infer] = (int)(Numel / known);
            }
            else if (known != Numel)
                throw new ArgumentException($"{op}: shape {ShapeStr(shape)} is invalid for a tensor of {Numel} elements (shape {ShapeStr(Shape)}).");
            return r;
        }

        /// <summary>Strides that present this tensor's elements at <paramref name="ns"/> without copying, if any (ATen's rule).</summary>
        int[]? ViewStrides(int[] ns)
        {
            if (IsContig) return ContiguousStrides(ns);
            var os = Shape; var ost = Strides;
            var nst = new int[ns.Length];
            int viewD = ns.Length - 1;
            long chunkBase = ost[^1], tensorNumel = 1, viewNumel = 1;
            for (int td = os.Length - 1; td >= 0; td--)
            {
                tensorNumel *= os[td];
                if (td == 0 || (os[td - 1] != 1 && ost[td - 1] != tensorNumel * chunkBase))
                {
                    while (viewD >= 0 && (viewNumel < tensorNumel || ns[viewD] == 1))
                    {
                        nst[viewD] = (int)(viewNumel * chunkBase);
                        viewNumel *= ns[viewD];
                        viewD--;
                    }
                    if (viewNumel != tensorNumel) return null;
                    if (td > 0) { chunkBase = ost[td - 1]; tensorNumel = 1; viewNumel = 1; }
                }
            }
            return viewD == -1 ? nst : null;
        }

        /// <summary>Same elements, new shape (one dim may be -1); must be expressible as a view.</summary>
        public Tensor view(params long[] shape)
        {
            var ns = InferShape(shape, "view");
            var st = ViewStrides(ns) ?? throw new InvalidOperationException(
                $"view: shape {ShapeStr(shape)} is not compatible with the strides of this tensor (shape {ShapeStr(Shape)}, strides {ShapeStr(Strides)}); use reshape() or contiguous().view().");
            var old = Shape;
            return View(ns, st, Offset, "ViewBackward", g => g.reshape(ToLong(old)));
        }

        /// <summary>Same elements, new shape: a view when possible, else a copy.</summary>
        public Tensor reshape(params long[] shape)
        {
            var ns = InferShape(shape, "reshape");
            var st = ViewStrides(ns);
            var old = Shape;
            if (st is not null) return View(ns, st, Offset, "ReshapeBackward", g => g.reshape(ToLong(old)));
            using var c = contiguous();
            return c.view(shape);
        }

        public Tensor flatten(long start_dim = 0, long end_dim = -1)
        {
            if (Shape.Length == 0) return reshape(1);
            int s = NormDim(start_dim, Shape.Length), e = NormDim(end_dim, Shape.Length);
            if (s > e) throw new ArgumentException($"flatten: start_dim {start_dim} comes after end_dim {end_dim}.");
            var ns = new List<long>();
            for (int i = 0; i < s; i++) ns.Add(Shape[i]);
            long m = 1; for (int i = s; i <= e; i++) m *= Shape[i];
            ns.Add(m);
            for (int i = e + 1; i < Shape.Length; i++) ns.Add(Shape[i]);
            return reshape(ns.ToArray());
        }

        /// <summary>Reshapes dimension <paramref name="dim"/> into <paramref name="sizes"/>.</summary>
        public Tensor unflatten(long dim, params long[] sizes)
        {
            int d = NormDim(dim, Shape.Length);
            var ns = new List<long>();
            for (int i = 0; i < d; i++) ns.Add(Shape[i]);
            ns.AddRange(sizes);
            for (int i = d + 1; i < Shape.Length; i++) ns.Add(Shape[i]);
            return view(ns.ToArray());
        }

        public Tensor transpose(long dim0, long dim1)
        {
            int a = NormDim(dim0, Shape.Length), b = NormDim(dim1, Shape.Length);
            var ns = (int[])Shape.Clone(); var st = (int[])Strides.Clone();
            (ns[a], ns[b]) = (ns[b], ns[a]); (st[a], st[b]) = (st[b], st[a]);
            return View(ns, st, Offset, "TransposeBackward", g => g.transpose(a, b));
        }

        /// <summary>Transpose of a 2-D tensor (a 0-D or 1-D tensor is returned as is).</summary>
        public Tensor t()
        {
            if (Shape.Length > 2) throw new ArgumentException($"t() expects a tensor with at most 2 dimensions; got shape {ShapeStr(Shape)}. Use transpose(-2, -1) or mT.");
            return Shape.Length < 2 ? alias_with_grad() : transpose(0, 1);
        }

        /// <summary>The last two dimensions swapped.</summary>
        public Tensor mT => transpose(-2, -1);

        public Tensor permute(params long[] dims)
        {
            if (dims.Length != Shape.Length) throw new ArgumentException($"permute: got {dims.Length} dims {ShapeStr(dims)} for a tensor with {Shape.Length} dimensions.");
            var p = new int[dims.Length]; var seen = new bool[dims.Length];
            var ns = new int[dims.Length]; var st = new int[dims.Length];
            for (int i = 0; i < dims.Length; i++)
            {
                p[i] = NormDim(dims[i], Shape.Length);
                if (seen[p[i]]) throw new ArgumentException($"permute: dimension {dims[i]} appears twice in {ShapeStr(dims)}.");
                seen[p[i]] = true;
                ns[i] = Shape[p[i]]; st[i] = Strides[p[i]];
            }
            var inv = new long[p.Length];
            for (int i = 0; i < p.Length; i++) inv[p[i]] = i;
            return View(ns, st, Offset, "PermuteBackward", g => g.permute(inv));
        }

        public Tensor unsqueeze(long dim)
        {
            int d = NormDim(dim, Shape.Length + 1);
            var ns = new List<int>(Shape); var st = new List<int>(Strides);
            ns.Insert(d, 1); st.Insert(d, d < Strides.Length ? Strides[d] * Shape[d] : 1);
            var old = Shape;
            return View(ns.ToArray(), st.ToArray(), Offset, "UnsqueezeBackward", g => g.reshape(ToLong(old)));
        }

        /// <summary>Removes size-1 dimensions (all of them, or just <paramref name="dim"/> when it has size 1).</summary>
        public Tensor squeeze(long? dim = null)
        {
            var ns = new List<int>(); var st = new List<int>();
            int only = dim is long dl ? NormDim(dl, Shape.Length) : -1;
            for (int i = 0; i < Shape.Length; i++)
            {
                if (Shape[i] == 1 && (only < 0 || only == i)) continue;
                ns.Add(Shape[i]); st.Add(Strides[i]);
            }
            var old = Shape;
            return View(ns.ToArray(), st.ToArray(), Offset, "SqueezeBackward", g => g.reshape(ToLong(old)));
        }

        /// <summary>Broadcasts size-1 dimensions (and new leading ones) to <paramref name="sizes"/> without copying; -1 keeps a size.</summary>
        public Tensor expand(params long[] sizes)
        {
            if (sizes.Length < Shape.Length) throw new ArgumentException($"expand: target {ShapeStr(sizes)} has fewer dimensions than the tensor {ShapeStr(Shape)}.");
            var ns = new int[sizes.Length]; var st = new int[sizes.Length];
            int off = sizes.Length - Shape.Length;
            for (int i = 0; i < sizes.Length; i++)
            {
                int src = i - off;
                if (src < 0)
                {
                    if (sizes[i] < 0) throw new ArgumentException($"expand: size -1 is not allowed for the new leading dimension {i} in {ShapeStr(sizes)}.");
                    ns[i] = (int)sizes[i]; st[i] = 0; continue;
                }
                long want = sizes[i] == -1 ? Shape[src] : sizes[i];
                if (want == Shape[src]) { ns[i] = Shape[src]; st[i] = Strides[src]; }
                else if (Shape[src] == 1) { ns[i] = (int)want; st[i] = 0; }
                else throw new ArgumentException($"expand: cannot expand dimension {src} of size {Shape[src]} to {want} (tensor {ShapeStr(Shape)} → {ShapeStr(sizes)}); only size-1 dimensions expand.");
            }
            var old = Shape;
            return View(ns, st, Offset, "ExpandBackward", g => ReduceTo(g, old));
        }

        public Tensor expand_as(Tensor other) => expand(other.shape);

        /// <summary>Elements [start, start+length) along <paramref name="dim"/>, as a view.</summary>
        public Tensor narrow(long dim, long start, long length)
        {
            int d = NormDim(dim, Shape.Length);
            if (start < 0) start += Shape[d];
            if (start < 0 || length < 0 || start + length > Shape[d])
                throw new ArgumentOutOfRangeException(nameof(start), $"narrow: range [{start}, {start + length}) is outside dimension {dim} of size {Shape[d]}.");
            var ns = (int[])Shape.Clone(); ns[d] = (int)length;
            return SubView(ns, Strides, Offset + (int)start * Strides[d], "NarrowBackward", z => z.narrow(d, start, length));
        }

        /// <summary>Elements start, start+step, … before end along <paramref name="dim"/> (Python's a[start:end:step]).</summary>
        public Tensor slice(long dim, long start, long end, long step = 1)
        {
            int d = NormDim(dim, Shape.Length);
            if (step <= 0) throw new ArgumentException($"slice: step must be positive, got {step}.");
            long n = Shape[d];
            if (start < 0) start += n; if (end < 0) end += n;
            start = Math.Clamp(start, 0, n); end = Math.Clamp(end, start, n);
            var ns = (int[])Shape.Clone(); ns[d] = (int)((end - start + step - 1) / step);
            var st = (int[])Strides.Clone(); st[d] = Strides[d] * (int)step;
            long s0 = start, e0 = end;
            return SubView(ns, st, Offset + (int)start * Strides[d], "SliceBackward", z => z.slice(d, s0, e0, step));
        }

        /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, that dimension removed.</summary>
        public Tensor select(long dim, long index)
        {
            int d = NormDim(dim, Shape.Length);
            long i = index < 0 ? index + Shape[d] : index;
            if (i < 0 || i >= Shape[d]) throw new ArgumentOutOfRangeException(nameof(index), $"select: index {index} is out of range for dimension {dim} of size {Shape[d]}.");
            var ns = new List<int>(Shape); var st = new List<int>(Strides);
            ns.RemoveAt(d); st.RemoveAt(d);
            return SubView(ns.ToArray(), st.ToArray(), Offset + (int)i * Strides[d], "SelectBackward", z => z.select(d, i));
        }

        /// <summary>Splits into pieces of <paramref name="size"/> along <paramref name="dim"/> (the last may be smaller).</summary>
        public Tensor[] split(long size, long dim = 0)
        {
            int d = NormDim(dim, Shape.Length);
            if (size <= 0) throw new ArgumentException($"split: size must be positive, got {size}.");
            var r = new List<Tensor>();
            for (long s = 0; s < Shape[d]; s += size) r.Add(narrow(d, s, Math.Min(size, Shape[d] - s)));
            return r.ToArray();
        }

        /// <summary>Splits into pieces of the given sizes along <paramref name="dim"/>.</summary>
        public Tensor[] split(long[] sizes, long dim = 0)
        {
            int d = NormDim(dim, Shape.Length);
            long total = 0; foreach (var s in sizes) total += s;
            if (total != Shape[d]) throw new ArgumentException($"split: sizes {ShapeStr(sizes)} sum to {total}, but dimension {dim} has size {Shape[d]}.");
            var r = new Tensor[sizes.Length];
            long at = 0;
            for (int i = 0; i < sizes.Length; i++) { r[i] = narrow(d, at, sizes[i]); at += sizes[i]; }
            return r;
        }

        public Tensor[] chunk(long chunks, long dim = 0)
        {
            int d = NormDim(dim, Shape.Length);
            return split((Shape[d] + chunks - 1) / chunks, d);
        }

        /// <summary>A contiguous tensor with the same values (sharing storage when already contiguous).</summary>
        public Tensor contiguous()
        {
            if (IsContig) return alias_with_grad(); // a new handle, as TorchSharp returns: safe to dispose
            var o = Materialize(this);
            if (NeedsGrad(this)) { var src = this; Record(o, "CloneBackward", g => Acc(src, g.Alias()), src); }
            return o;
        }

        /// <summary>A copy that stays in the graph.</summary>
        public Tensor clone()
        {
            var o = Materialize(this);
            if (NeedsGrad(this)) { var src = this; Record(o, "CloneBackward", g => Acc(src, g.Alias()), src); }
            return o;
        }

        Tensor alias_with_grad() => View(Shape, Strides, Offset, "AliasBackward", g => g.Alias());

        /// <summary>Shares storage, cut from the graph (requires_grad false).</summary>
        public Tensor detach() => new(S, Shape, Strides, Offset, dtype);

        /// <summary>Detaches in place: this tensor becomes a leaf that does not require grad.</summary>
        public Tensor detach_() { fn = null; requiresGrad = false; return this; }
    }

    internal static long[] ToLong(int[] s) { var r = new long[s.Length]; for (int i = 0; i < s.Length; i++) r[i] = s[i]; return r; }

    public static Tensor reshape(Tensor t, params long[] shape) => t.reshape(shape);
    public static Tensor transpose(Tensor t, long dim0, long dim1) => t.transpose(dim0, dim1);
    public static Tensor permute(Tensor t, params long[] dims) => t.permute(dims);
    public static Tensor unsqueeze(Tensor t, long dim) => t.unsqueeze(dim);
    public static Tensor squeeze(Tensor t, long? dim = null) => t.squeeze(dim);
    public static Tensor flatten(Tensor t, long start_dim = 0, long end_dim = -1) => t.flatten(start_dim, end_dim);
    public static Tensor narrow(Tensor t, long dim, long start, long length) => t.narrow(dim, start, length);
    public static Tensor select(Tensor t, long dim, long index) => t.select(dim, index);
    public static Tensor clone(Tensor t) => t.clone();
}
