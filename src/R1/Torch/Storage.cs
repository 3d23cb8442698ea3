namespace R1;

public static partial class torch
{
    /// <summary>
    /// The buffer behind one or more tensors (a tensor and its views share it). Reference counted: the last
    /// tensor to be disposed hands a pooled float buffer back to <see cref="BufferPool"/>.
    /// </summary>
    internal sealed class Storage
    {
        public float[]? F;
        public long[]? L;
        public bool[]? B;
        public readonly Device Device;
        public readonly bool Pooled;
        public int RefCount;
        public int Version; // bumped by every in-place op; the autograd checks saved inputs against it

        Storage(Device device, bool pooled) { Device = device; Pooled = pooled; }

        public static Storage Float(int n, bool pooled = true, bool clear = false)
        {
            var s = new Storage(CPU, pooled) { F = pooled ? BufferPool.Rent(n, clear) : new float[n] };
            return s;
        }
        public static Storage Float(float[] data) => new(CPU, false) { F = data };
        public static Storage Long(long[] data) => new(CPU, false) { L = data };
        public static Storage Bool(bool[] data) => new(CPU, false) { B = data };

        public void Release()
        {
            if (--RefCount > 0) return;
            if (Pooled && F is not null) BufferPool.Return(F);
            F = null; L = null; B = null;
        }
    }

    /// <summary>
    /// Size-bucketed pool of float buffers (sizes rounded up to 4 steps per power of two, so at most 25 %
    /// slack). Training steps repeat the same shapes, so after the first step nearly every buffer is reused.
    /// </summary>
    internal static class BufferPool
    {
        static readonly Dictionary<int, Stack<float[]>> buckets = new();
        static readonly object gate = new();
        static long pooledFloats;
        const long MaxPooledFloats = 256L << 20; // 1 GiB of floats kept at most; beyond that the GC takes them

        public static long Rents, Reuses, Returns;

        internal static int BucketSize(int n)
        {
            if (n <= 16) return 16;
            int hb = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)n); // n in [2^hb, 2^(hb+1))
            int step = 1 << (hb - 2);
            long r = ((long)n + step - 1) / step * step;
            return (int)Math.Min(r, Array.MaxLength);
        }

        public static float[] Rent(int n, bool clear)
        {
            int size = BucketSize(n);
            float[]? a = null;
            lock (gate)
            {
                Rents++;
                if (buckets.TryGetValue(size, out var st) && st.Count > 0)
                {
                    a = st.Pop(); pooledFloats -= a.Length; Reuses++;
                }
            }
            if (a is null) return new float[size];
            if (clear) Array.Clear(a, 0, n);
            return a;
        }

        public static void Return(float[] a)
        {
            if (a.Length != BucketSize(a.Length)) return; // not one of ours
            lock (gate)
            {
                Returns++;
                if (pooledFloats + a.Length > MaxPooledFloats) return;
                if (!buckets.TryGetValue(a.Length, out var st)) buckets[a.Length] = st = new Stack<float[]>();
                st.Push(a); pooledFloats += a.Length;
            }
        }

        /// <summary>Drops every pooled buffer (tests, or after a phase with very different shapes).</summary>
        public static void Clear() { lock (gate) { buckets.Clear(); pooledFloats = 0; } }
    }
}
