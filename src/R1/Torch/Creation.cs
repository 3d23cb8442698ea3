namespace R1;

public static partial class torch
{
    static Tensor Finish(Tensor t, bool requires_grad, Device? device)
    {
        CheckDevice(device);
        if (requires_grad) t.requires_grad = true;
        return t;
    }

    static int[] DataShape(long[] shape, int length, string what)
    {
        if (shape.Length == 0) return [length];
        var s = ToInt(shape);
        long n = 1; foreach (var d in s) n *= d;
        if (n != length) throw new ArgumentException($"tensor: {what} has {length} elements but shape {ShapeStr(shape)} needs {n}.");
        return s;
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/>; with no shape, 1-D.</summary>
    public static Tensor tensor(float[] data, params long[] shape) => tensor(data, shape, false);
    public static Tensor tensor(float[] data, long[] shape, bool requires_grad, Device? device = null)
    {
        var s = DataShape(shape, data.Length, "data");
        var t = new Tensor(Storage.Float((float[])data.Clone()), s, ContiguousStrides(s), 0, ScalarType.Float32);
        return Finish(t, requires_grad, device);
    }
    public static Tensor tensor(long[] data, params long[] shape)
    {
        var s = DataShape(shape, data.Length, "data");
        return new Tensor(Storage.Long((long[])data.Clone()), s, ContiguousStrides(s), 0, ScalarType.Int64);
    }
    public static Tensor tensor(int[] data, params long[] shape) => tensor(Array.ConvertAll(data, x => (long)x), shape);
    public static Tensor tensor(bool[] data, params long[] shape)
    {
        var s = DataShape(shape, data.Length, "data");
        return new Tensor(Storage.Bool((bool[])data.Clone()), s, ContiguousStrides(s), 0, ScalarType.Bool);
    }
    public static Tensor tensor(float[,] data, bool requires_grad = false)
    {
        var flat = new float[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [data.GetLength(0), data.GetLength(1)], requires_grad);
    }
    /// <summary>A 0-d tensor.</summary>
    public static Tensor tensor(float value, bool requires_grad = false)
        => Finish(new Tensor(Storage.Float(new[] { value }), [], [], 0, ScalarType.Float32), requires_grad, null);
    public static Tensor tensor(long value) => scalar_tensor(value);

    public static Tensor scalar_tensor(float value)
    {
        var t = Tensor.Empty([]);
        t.FSpan[0] = value;
        return t;
    }
    public static Tensor scalar_tensor(long value)
    {
        var t = Tensor.Empty([], ScalarType.Int64);
        t.LSpan[0] = value;
        return t;
    }

    public static Tensor empty(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
        => Finish(Tensor.Empty(ToInt(size), dtype), requires_grad, device);
    public static Tensor empty(params long[] size) => empty(size, ScalarType.Float32);

    public static Tensor zeros(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
        => Finish(Tensor.Empty(ToInt(size), dtype, clear: true), requires_grad, device);
    public static Tensor zeros(params long[] size) => zeros(size, ScalarType.Float32);

    public static Tensor ones(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
        => full(size, 1f, dtype, device, requires_grad);
    public static Tensor ones(params long[] size) => ones(size, ScalarType.Float32);

    public static Tensor full(long[] size, float value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var t = Tensor.Empty(ToInt(size), dtype);
        switch (dtype)
        {
            case ScalarType.Float32: t.FSpan.Fill(value); break;
            case ScalarType.Int64: t.LSpan.Fill((long)value); break;
            default: t.BSpan.Fill(value != 0); break;
        }
        return Finish(t, requires_grad, device);
    }

    public static Tensor zeros_like(Tensor t, bool requires_grad = false) => zeros(t.shape, t.dtype, t.device, requires_grad);
    public static Tensor ones_like(Tensor t, bool requires_grad = false) => ones(t.shape, t.dtype, t.device, requires_grad);
    public static Tensor empty_like(Tensor t) => empty(t.shape, t.dtype, t.device);
    public static Tensor full_like(Tensor t, float value) => full(t.shape, value, t.dtype, t.device);

    /// <summary>Int64 0, 1, …, stop−1.</summary>
    public static Tensor arange(long stop) => arange(0, stop, 1);

    /// <summary>Int64 start, start+step, … (exclusive of stop).</summary>
    public static Tensor arange(long start, long stop, long step = 1)
    {
        if (step == 0) throw new ArgumentException("arange: step must be non-zero.");
        long n = Math.Max(0, (stop - start + step - Math.Sign(step)) / step);
        var t = Tensor.Empty([(int)n], ScalarType.Int64);
        var d = t.LSpan;
        for (int i = 0; i < d.Length; i++) d[i] = start + i * step;
        return t;
    }

    /// <summary>Float32 start, start+step, … (exclusive of stop).</summary>
    public static Tensor arange(float start, float stop, float step = 1f)
    {
        if (step == 0) throw new ArgumentException("arange: step must be non-zero.");
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / (double)step));
        var t = Tensor.Empty([n]);
        var d = t.FSpan;
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return t;
    }

    /// <summary>Identity matrix (n, n).</summary>
    public static Tensor eye(long n)
    {
        var t = zeros(n, n);
        var d = t.FSpan;
        for (int i = 0; i < n; i++) d[i * (int)n + i] = 1f;
        return t;
    }
}
