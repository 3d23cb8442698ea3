using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    public sealed partial class Tensor
    {
        // ---- operators ----
        public static Tensor operator +(Tensor a, Tensor b) => torch.add(a, b);
        public static Tensor operator -(Tensor a, Tensor b) => torch.sub(a, b);
        public static Tensor operator *(Tensor a, Tensor b) => torch.mul(a, b);
        public static Tensor operator /(Tensor a, Tensor b) => torch.div(a, b);
        public static Tensor operator -(Tensor a) => torch.neg(a);
        public static Tensor operator +(Tensor a, float s) => torch.add(a, s);
        public static Tensor operator +(float s, Tensor a) => torch.add(a, s);
        public static Tensor operator -(Tensor a, float s) => torch.add(a, -s);
        public static Tensor operator -(float s, Tensor a) => torch.rsub(a, s);
        public static Tensor operator *(Tensor a, float s) => torch.mul(a, s);
        public static Tensor operator *(float s, Tensor a) => torch.mul(a, s);
        public static Tensor operator /(Tensor a, float s) => torch.div(a, s);
        public static Tensor operator /(float s, Tensor a) => torch.rdiv(a, s);
        public static Tensor operator +(Tensor a, double s) => torch.add(a, (float)s);
        public static Tensor operator +(double s, Tensor a) => torch.add(a, (float)s);
        public static Tensor operator -(Tensor a, double s) => torch.add(a, -(float)s);
        public static Tensor operator -(double s, Tensor a) => torch.rsub(a, (float)s);
        public static Tensor operator *(Tensor a, double s) => torch.mul(a, (float)s);
        public static Tensor operator *(double s, Tensor a) => torch.mul(a, (float)s);
        public static Tensor operator /(Tensor a, double s) => torch.div(a, (float)s);
        public static Tensor operator /(double s, Tensor a) => torch.rdiv(a, (float)s);

        // ---- arithmetic (graph-building) ----
        public Tensor add(Tensor other) => torch.add(this, other);
        public Tensor add(float s) => torch.add(this, s);
        public Tensor sub(Tensor other) => torch.sub(this, other);
        public Tensor sub(float s) => torch.add(this, -s);
        public Tensor mul(Tensor other) => torch.mul(this, other);
        public Tensor mul(float s) => torch.mul(this, s);
        public Tensor div(Tensor other) => torch.div(this, other);
        public Tensor div(float s) => torch.div(this, s);
        public Tensor pow(float e) => torch.pow(this, e);
        public Tensor pow(Tensor e) => torch.pow(this, e);
        public Tensor neg() => torch.neg(this);
        public Tensor exp() => torch.exp(this);
        public Tensor log() => torch.log(this);
        public Tensor sqrt() => torch.sqrt(this);
        public Tensor rsqrt() => torch.rsqrt(this);
        public Tensor tanh() => torch.tanh(this);
        public Tensor sigmoid() => torch.sigmoid(this);
        public Tensor relu() => torch.relu(this);
        public Tensor abs() => torch.abs(this);
        public Tensor square() => torch.pow(this, 2f);
        public Tensor clamp(float? min = null, float? max = null) => torch.clamp(this, min, max);
        public Tensor clamp_min(float min) => torch.clamp(this, min, null);
        public Tensor clamp_max(float max) => torch.clamp(this, null, max);
        public Tensor maximum(Tensor other) => torch.maximum(this, other);
        public Tensor minimum(Tensor other) => torch.minimum(this, other);
        public Tensor matmul(Tensor other) => torch.matmul(this, other);
        public Tensor mm(Tensor other) => torch.mm(this, other);
        public Tensor bmm(Tensor other) => torch.bmm(this, other);

        // ---- reductions ----
        public Tensor sum() => torch.sum(this);
        public Tensor sum(long dim, bool keepdim = false) => torch.sum(this, dim, keepdim);
        public Tensor sum(long[] dims, bool keepdim = false) => torch.sum(this, dims, keepdim);
        public Tensor mean() => torch.mean(this);
        public Tensor mean(long dim, bool keepdim = false) => torch.mean(this, dim, keepdim);
        public Tensor mean(long[] dims, bool keepdim = false) => torch.mean(this, dims, keepdim);
        public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => torch.var(this, dim, unbiased, keepdim);
        public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => torch.std(this, dim, unbiased, keepdim);
        public Tensor max() => torch.max(this);
        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false) => torch.max(this, dim, keepdim);
        public Tensor min() => torch.min(this);
        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false) => torch.min(this, dim, keepdim);
        public Tensor amax(long dim, bool keepdim = false) => torch.amax(this, dim, keepdim);
        public Tensor amin(long dim, bool keepdim = false) => torch.amin(this, dim, keepdim);
        public Tensor argmax() => torch.argmax(this);
        public Tensor argmax(long dim, bool keepdim = false) => torch.argmax(this, dim, keepdim);
        public Tensor argmin(long dim, bool keepdim = false) => torch.argmin(this, dim, keepdim);
        public Tensor logsumexp(long dim, bool keepdim = false) => torch.logsumexp(this, dim, keepdim);
        public Tensor softmax(long dim) => nn.functional.softmax(this, dim);
        public Tensor log_softmax(long dim) => nn.functional.log_softmax(this, dim);

        // ---- comparisons (Bool) ----
        public Tensor eq(Tensor o) => torch.eq(this, o);
        public Tensor ne(Tensor o) => torch.ne(this, o);
        public Tensor lt(Tensor o) => torch.lt(this, o);
        public Tensor le(Tensor o) => torch.le(this, o);
        public Tensor gt(Tensor o) => torch.gt(this, o);
        public Tensor ge(Tensor o) => torch.ge(this, o);
        public Tensor eq(float s) => torch.eq(this, s);
        public Tensor ne(float s) => torch.ne(this, s);
        public Tensor lt(float s) => torch.lt(this, s);
        public Tensor le(float s) => torch.le(this, s);
        public Tensor gt(float s) => torch.gt(this, s);
        public Tensor ge(float s) => torch.ge(this, s);
        public Tensor logical_not() => torch.logical_not(this);
        public Tensor logical_and(Tensor o) => torch.logical_and(this, o);
        public Tensor logical_or(Tensor o) => torch.logical_or(this, o);

        // ---- dtype / device ----
        /// <summary>Converts the element type (a copy; differentiable for Float32 → Float32 only).</summary>
        public Tensor to_type(ScalarType type) => type == dtype ? alias_with_grad() : ConvertType(this, type);
        public Tensor to(ScalarType type) => to_type(type);
        public Tensor @float() => to_type(ScalarType.Float32);
        public Tensor @long() => to_type(ScalarType.Int64);
        public Tensor @bool() => to_type(ScalarType.Bool);

        /// <summary>Moves to a device; a no-op alias on the same device.</summary>
        public Tensor to(Device device)
        {
            CheckDevice(device);
            return device.Equals(this.device) ? alias_with_grad() : throw new NotSupportedException($"Copying between {this.device} and {device} is not available.");
        }
        public Tensor cpu() => to(CPU);

        // ---- in-place (for optimizers and initialisation; refuse on tensors inside a graph) ----
        void CheckInPlace(string op)
        {
            if (!gradDisabled && (fn is not null || requiresGrad))
                throw new InvalidOperationException($"{op}: in-place update of a tensor that {(fn is null ? "requires grad (a leaf)" : "is part of an autograd graph")}; wrap it in torch.no_grad() or use the out-of-place op.");
            if (dtype != ScalarType.Float32 && op is not ("copy_" or "fill_" or "zero_"))
                throw new InvalidOperationException($"{op} needs a Float32 tensor; got {dtype}.");
            S.Version++;
        }

        public Tensor zero_()
        {
            CheckInPlace("zero_");
            using var z = zeros_like(this);
            CopyInto(z, this);
            return this;
        }

        public Tensor fill_(float value)
        {
            CheckInPlace("fill_");
            using var f = full_like(this, value);
            CopyInto(f, this);
            return this;
        }

        /// <summary>Copies src (broadcast to this shape) into this tensor.</summary>
        public Tensor copy_(Tensor src)
        {
            CheckInPlace("copy_");
            BroadcastShape(src.Shape, Shape, "copy_");
            if (src.Shape.Length > Shape.Length) throw new ArgumentException($"copy_: source shape {ShapeStr(src.Shape)} does not broadcast to {ShapeStr(Shape)}.");
            for (int i = 0; i < src.Shape.Length; i++)
            {
                int me = Shape[Shape.Length - src.Shape.Length + i];
                if (src.Shape[i] != me && src.Shape[i] != 1) throw new ArgumentException($"copy_: source shape {ShapeStr(src.Shape)} does not broadcast to {ShapeStr(Shape)}.");
            }
            CopyInto(src, this);
            return this;
        }

        Tensor InPlace(BinOp op, Tensor other, string name)
        {
            CheckInPlace(name);
            var bs = BroadcastShape(Shape, other.Shape, name);
            if (!SameShape(bs, Shape)) throw new ArgumentException($"{name}: operand of shape {ShapeStr(other.Shape)} would broadcast this tensor {ShapeStr(Shape)} to {ShapeStr(bs)}.");
            using var o = other.dtype == ScalarType.Float32 ? other.Alias() : ConvertType(other, ScalarType.Float32);
            BinaryInto(op, this, o, this);
            return this;
        }

        Tensor InPlace(BinOp op, float s, string name)
        {
            CheckInPlace(name);
            if (IsContig)
            {
                var sa = new[] { s };
                FloatRun(op, FA, Offset, 1, sa, 0, 0, FA, Offset, 1, Numel);
                return this;
            }
            using var st = scalar_tensor(s);
            BinaryInto(op, this, st, this);
            return this;
        }

        public Tensor add_(Tensor other) => InPlace(BinOp.Add, other, "add_");
        public Tensor add_(Tensor other, float alpha) { if (alpha == 1f) return add_(other); using var t = torch.mul(other, alpha); return add_(t); }
        public Tensor add_(float s) => InPlace(BinOp.Add, s, "add_");
        public Tensor sub_(Tensor other) => InPlace(BinOp.Sub, other, "sub_");
        public Tensor sub_(float s) => InPlace(BinOp.Add, -s, "sub_");
        public Tensor mul_(Tensor other) => InPlace(BinOp.Mul, other, "mul_");
        public Tensor mul_(float s) => InPlace(BinOp.Mul, s, "mul_");
        public Tensor div_(Tensor other) => InPlace(BinOp.Div, other, "div_");
        public Tensor div_(float s) => InPlace(BinOp.Mul, 1f / s, "div_");
        public Tensor clamp_(float? min = null, float? max = null)
        {
            CheckInPlace("clamp_");
            if (min is float lo) InPlace(BinOp.Max, lo, "clamp_");
            if (max is float hi) InPlace(BinOp.Min, hi, "clamp_");
            return this;
        }

        /// <summary>In place: this = this + value·t1·t2.</summary>
        public Tensor addcmul_(Tensor t1, Tensor t2, float value = 1f)
        {
            using var p = torch.mul(t1, t2);
            if (value != 1f) p.mul_(value);
            return add_(p);
        }

        /// <summary>In place: this = this + value·t1/t2.</summary>
        public Tensor addcdiv_(Tensor t1, Tensor t2, float value = 1f)
        {
            using var p = torch.div(t1, t2);
            if (value != 1f) p.mul_(value);
            return add_(p);
        }

        /// <summary>In place: this = this + weight·(end − this).</summary>
        public Tensor lerp_(Tensor end, float weight)
        {
            using var d = torch.sub(end, this);
            d.mul_(weight);
            return add_(d);
        }

        /// <summary>In-place masked fill (no graph).</summary>
        public Tensor masked_fill_(Tensor mask, float value)
        {
            CheckInPlace("masked_fill_");
            using var r = torch.masked_fill(this, mask, value);
            CopyInto(r, this);
            return this;
        }

        public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null) => nn.init.normal_(this, mean, std, generator);
        public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null) => nn.init.uniform_(this, from, to, generator);

        /// <summary>L2 norm of all elements as a double (no graph); used by clip_grad_norm_ and metrics.</summary>
        internal double SquaredNorm()
        {
            using var c = Contig(this);
            var s = c.FSpan;
            double acc = 0;
            const int Block = 4096; // sum blocks in float (SIMD), accumulate blocks in double
            for (int i = 0; i < s.Length; i += Block)
            {
                var b = s.Slice(i, Math.Min(Block, s.Length - i));
                acc += TensorPrimitives.Dot(b, b);
            }
            return acc;
        }
    }
}
