using System.Globalization;
using System.Text;

namespace R1;

public static partial class torch
{
    /// <summary>
    /// An n-dimensional array of float32, int64 or bool on a device, with autograd. Contiguous row-major by
    /// default; views (transpose, permute, expand, narrow, ...) share storage and carry their own strides.
    /// Disposing returns the buffer to the pool once no view uses it; <see cref="NewDisposeScope"/> does that
    /// for every tensor created inside a training step.
    /// </summary>
    public sealed partial class Tensor : IDisposable
    {
        Storage? storage;
        internal readonly int[] Shape;
        internal readonly int[] Strides;
        internal readonly int Offset;
        internal readonly int Numel;
        internal readonly bool IsContig;
        public ScalarType dtype { get; }

        bool requiresGrad;
        internal Tensor? gradT;       // .grad of a leaf (owned, never pooled, never in a scope)
        internal GradFn? fn;          // how this tensor was made, when it needs a gradient
        internal Tensor? gacc;        // gradient being accumulated during backward (non-leaves only)
        internal DisposeScope? scope;
        internal bool IsParameter;
        bool disposed;
        internal int graphUses;       // live graph nodes that read this tensor in their backward
        bool releasePending;          // disposed while graphUses > 0: release when the last node is done

        internal Tensor(Storage storage, int[] shape, int[] strides, int offset, ScalarType dtype)
        {
            this.storage = storage;
            storage.RefCount++;
            Shape = shape; Strides = strides; Offset = offset; this.dtype = dtype;
            long n = 1;
            foreach (var d in shape) n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"Tensor of shape {ShapeStr(shape)} has {n} elements; at most {Array.MaxLength} are supported.");
            Numel = (int)n;
            IsContig = ComputeContiguous(shape, strides);
            DisposeScope.Register(this);
        }

        /// <summary>A fresh contiguous tensor with uninitialised (pooled) contents unless <paramref name="clear"/>.</summary>
        internal static Tensor Empty(int[] shape, ScalarType dt = ScalarType.Float32, bool clear = false, bool pooled = true)
        {
            long n = 1;
            foreach (var d in shape)
            {
                if (d < 0) throw new ArgumentException($"Negative dimension in shape {ShapeStr(shape)}.");
                n *= d;
            }
            if (n > Array.MaxLength) throw new ArgumentException($"Tensor of shape {ShapeStr(shape)} has {n} elements; at most {Array.MaxLength} are supported.");
            var st = dt switch
            {
                ScalarType.Float32 => Storage.Float((int)n, pooled, clear),
                ScalarType.Int64 => Storage.Long(new long[n]),
                _ => Storage.Bool(new bool[n]),
            };
            return new Tensor(st, shape, ContiguousStrides(shape), 0, dt);
        }

        internal static Tensor FromArray(float[] data, int[] shape) => new(Storage.Float(data), shape, ContiguousStrides(shape), 0, ScalarType.Float32);

        internal Storage S => storage ?? throw new ObjectDisposedException(nameof(Tensor),
            "This tensor was disposed (explicitly or by its dispose scope) and its buffer may be reused. " +
            "Keep tensors that must outlive a scope with MoveToOuterScope() or DetachFromDisposeScope().");

        internal float[] FA => S.F ?? throw DtypeError(ScalarType.Float32);
        internal long[] LA => S.L ?? throw DtypeError(ScalarType.Int64);
        internal bool[] BA => S.B ?? throw DtypeError(ScalarType.Bool);

        Exception DtypeError(ScalarType want) => new InvalidOperationException($"Expected a {want} tensor but got {dtype}.");

        /// <summary>The contiguous float elements (callers make sure the tensor is contiguous).</summary>
        internal Span<float> FSpan => FA.AsSpan(Offset, Numel);
        internal Span<long> LSpan => LA.AsSpan(Offset, Numel);
        internal Span<bool> BSpan => BA.AsSpan(Offset, Numel);

        internal int StorageRefCount => S.RefCount;
        internal int Version => storage?.Version ?? -1;

        // ---- properties (TorchSharp names) ----
        public long[] shape { get { var r = new long[Shape.Length]; for (int i = 0; i < r.Length; i++) r[i] = Shape[i]; return r; } }
        public long size(int dim) => Shape[NormDim(dim, Shape.Length)];
        public long[] size() => shape;
        public long[] stride() { var r = new long[Strides.Length]; for (int i = 0; i < r.Length; i++) r[i] = Strides[i]; return r; }
        public long stride(int dim) => Strides[NormDim(dim, Shape.Length)];
        public int dim() => Shape.Length;
        public long numel() => Numel;
        public long Dimensions => Shape.Length;
        public Device device => S.Device;
        public bool is_contiguous() => IsContig;
        public bool is_leaf => fn is null;
        public bool IsInvalid => disposed;
        /// <summary>Name of the op that produced this tensor (null for leaves), like grad_fn in PyTorch.</summary>
        public string? grad_fn => fn?.Name;

        public bool requires_grad
        {
            get => requiresGrad;
            set
            {
                if (!value && fn is not null)
                    throw new InvalidOperationException("requires_grad can only be turned off on leaf tensors; use detach() for a non-leaf.");
                if (value && dtype != ScalarType.Float32)
                    throw new InvalidOperationException($"Only float tensors can require gradients; this tensor is {dtype}.");
                requiresGrad = value;
            }
        }

        public Tensor requires_grad_(bool requires_grad = true) { this.requires_grad = requires_grad; return this; }

        /// <summary>The accumulated gradient of a leaf after backward(); null before.</summary>
        public Tensor? grad
        {
            get => gradT;
            set
            {
                if (value is not null && !SameShape(value.Shape, Shape))
                    throw new ArgumentException($"grad of shape {ShapeStr(value.Shape)} does not match tensor shape {ShapeStr(Shape)}.");
                gradT = value;
            }
        }

        public T item<T>() where T : unmanaged
        {
            if (Numel != 1) throw new InvalidOperationException($"item() needs a tensor with one element; this one has shape {ShapeStr(Shape)} ({Numel} elements).");
            object v = dtype switch
            {
                ScalarType.Float32 => FA[Offset],
                ScalarType.Int64 => LA[Offset],
                _ => BA[Offset],
            };
            if (v is T t) return t;
            return (T)Convert.ChangeType(v, typeof(T), CultureInfo.InvariantCulture);
        }

        /// <summary>The elements of a contiguous tensor as a writable span over its storage (no copy).</summary>
        public Span<T> data<T>() where T : unmanaged
        {
            if (!IsContig) throw new InvalidOperationException($"data<T>() needs a contiguous tensor (shape {ShapeStr(Shape)}, strides {ShapeStr(Strides)}); call contiguous() first.");
            CheckType<T>();
            if (typeof(T) == typeof(float)) return System.Runtime.InteropServices.MemoryMarshal.Cast<float, T>(FSpan);
            if (typeof(T) == typeof(long)) return System.Runtime.InteropServices.MemoryMarshal.Cast<long, T>(LSpan);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<bool, T>(BSpan);
        }

        void CheckType<T>()
        {
            var want = typeof(T) == typeof(float) ? ScalarType.Float32 : typeof(T) == typeof(long) ? ScalarType.Int64
                : typeof(T) == typeof(bool) ? ScalarType.Bool : throw new ArgumentException($"Element type {typeof(T).Name} is not supported; use float, long or bool.");
            if (want != dtype) throw new InvalidOperationException($"Tensor has dtype {dtype}; asked for {typeof(T).Name} elements ({want}).");
        }

        /// <summary>A copy of the elements in row-major order (works for views too).</summary>
        public T[] ToArray<T>() where T : unmanaged
        {
            CheckType<T>();
            using var c = contiguous_nograd();
            return c.data<T>().ToArray();
        }

        public float[] ToFloatArray() => dtype == ScalarType.Float32 ? ToArray<float>() : to_type(ScalarType.Float32).ToArray<float>();
        public long[] ToInt64Array() => dtype == ScalarType.Int64 ? ToArray<long>() : to_type(ScalarType.Int64).ToArray<long>();

        Tensor contiguous_nograd() => IsContig ? Alias() : Materialize(this);

        /// <summary>A new tensor object over the same storage and layout (shares the buffer; refcounted).</summary>
        internal Tensor Alias() => new(S, Shape, Strides, Offset, dtype);

        /// <summary>
        /// Returns the buffer to the pool once no view shares it. A tensor still needed by a pending backward
        /// (an input or output of a recorded op) is released right after that op's backward has run instead,
        /// so composed ops may dispose their intermediates freely.
        /// </summary>
        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            if (graphUses > 0) { releasePending = true; return; }
            Release();
        }

        void Release()
        {
            storage?.Release();
            storage = null;
            gacc = null; // fn stays: a disposed intermediate may still sit inside a graph that needs its link
            if (gradT is not null) { gradT.Dispose(); gradT = null; }
        }

        internal void Unuse()
        {
            if (--graphUses == 0 && releasePending) { releasePending = false; Release(); }
        }

        public override string ToString()
        {
            if (disposed) return "tensor(<disposed>)";
            var sb = new StringBuilder();
            sb.Append('[').Append(string.Join('x', Shape)).Append("], type = ").Append(dtype).Append(", device = ").Append(device);
            if (requiresGrad) sb.Append(", requires_grad");
            sb.Append(" {");
            int show = Math.Min(Numel, 8);
            var idx = new int[Shape.Length];
            for (int i = 0; i < show; i++)
            {
                int off = Offset;
                for (int d = 0; d < idx.Length; d++) off += idx[d] * Strides[d];
                if (i > 0) sb.Append(", ");
                sb.Append(dtype switch
                {
                    ScalarType.Float32 => S.F![off].ToString("G5", CultureInfo.InvariantCulture),
                    ScalarType.Int64 => S.L![off].ToString(CultureInfo.InvariantCulture),
                    _ => S.B![off] ? "true" : "false",
                });
                for (int d = idx.Length - 1; d >= 0; d--) { if (++idx[d] < Shape[d]) break; idx[d] = 0; }
            }
            if (Numel > show) sb.Append(", ...");
            return sb.Append('}').ToString();
        }

        // ---- dispose scopes ----
        public Tensor MoveToOuterScope() { DisposeScope.MoveToOuter(this); return this; }
        public Tensor DetachFromDisposeScope() { DisposeScope.Detach(this); return this; }
    }

    // ---- shape helpers shared by the ops ----
    internal static int[] ContiguousStrides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= Math.Max(shape[i], 1); }
        return s;
    }

    static bool ComputeContiguous(int[] shape, int[] strides)
    {
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (strides[i] != acc) return false;
            acc *= shape[i];
        }
        return true;
    }

    internal static string ShapeStr(int[] s) => "[" + string.Join(", ", s) + "]";
    internal static string ShapeStr(long[] s) => "[" + string.Join(", ", s) + "]";

    internal static bool SameShape(int[] a, int[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }

    internal static int NormDim(long dim, int rank)
    {
        int r = Math.Max(rank, 1);
        long d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= r)
            throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} is out of range for a tensor with {rank} dimensions (expected {-r}..{r - 1}).");
        return (int)d;
    }

    internal static int[] ToInt(long[] shape)
    {
        var r = new int[shape.Length];
        for (int i = 0; i < r.Length; i++)
        {
            if (shape[i] < 0 || shape[i] > int.MaxValue) throw new ArgumentException($"Invalid dimension {shape[i]} in shape {ShapeStr(shape)}.");
            r[i] = (int)shape[i];
        }
        return r;
    }
}
