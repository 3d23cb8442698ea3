namespace R1;

public static partial class torch
{
    /// <summary>
    /// A seeded random stream (xoshiro256** seeded by SplitMix64). Same seed, same numbers, on every machine.
    /// Pass one to randn/rand/randint/randperm/multinomial/dropout for reproducible sampling independent of the
    /// global stream that <see cref="manual_seed"/> resets.
    /// </summary>
    public sealed class Generator
    {
        ulong s0, s1, s2, s3;
        double spare; bool hasSpare;
        long seed;

        public Generator(long seed = 0) => manual_seed(seed);

        public Generator manual_seed(long seed)
        {
            this.seed = seed;
            ulong x = (ulong)seed;
            s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
            hasSpare = false;
            return this;
        }

        public long initial_seed() => seed;

        /// <summary>The full stream state (for checkpoints): an Int64 tensor of 6 values.</summary>
        public Tensor get_state() => tensor(new long[] { (long)s0, (long)s1, (long)s2, (long)s3, hasSpare ? 1 : 0, BitConverter.DoubleToInt64Bits(spare) });

        public Generator set_state(Tensor state)
        {
            var v = state.ToArray<long>();
            if (v.Length != 6) throw new ArgumentException($"Generator state must hold 6 Int64 values; got {v.Length}.");
            s0 = (ulong)v[0]; s1 = (ulong)v[1]; s2 = (ulong)v[2]; s3 = (ulong)v[3]; hasSpare = v[4] != 0; spare = BitConverter.Int64BitsToDouble(v[5]);
            return this;
        }

        static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        internal ulong NextU64()
        {
            ulong result = System.Numerics.BitOperations.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
            s3 = System.Numerics.BitOperations.RotateLeft(s3, 45);
            return result;
        }

        /// <summary>Uniform in [0, 1) with 24 random bits (every float32 step).</summary>
        internal float NextFloat() => (NextU64() >> 40) * (1f / (1 << 24));

        /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
        internal double NextDouble() => (NextU64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Standard normal (Box–Muller, pairs).</summary>
        internal double NextNormal()
        {
            if (hasSpare) { hasSpare = false; return spare; }
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            spare = r * Math.Sin(2 * Math.PI * u2); hasSpare = true;
            return r * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>Uniform integer in [0, n) without modulo bias.</summary>
        internal long NextLong(long n)
        {
            if (n <= 0) throw new ArgumentException($"Random range must be positive; got {n}.");
            ulong un = (ulong)n, lim = ulong.MaxValue - ulong.MaxValue % un;
            ulong v;
            do v = NextU64(); while (v >= lim);
            return (long)(v % un);
        }
    }

    [ThreadStatic] static Generator? defaultGen;
    static Generator DefaultGen => defaultGen ??= new Generator(0);

    /// <summary>The global stream used when no generator is passed (per thread).</summary>
    public static Generator default_generator => DefaultGen;

    /// <summary>Re-seeds the global stream (per thread) and returns it.</summary>
    public static Generator manual_seed(long seed) => DefaultGen.manual_seed(seed);

    public static Tensor randn(long[] size, Generator? generator = null, bool requires_grad = false, Device? device = null)
    {
        CheckDevice(device);
        var g = generator ?? DefaultGen;
        var t = Tensor.Empty(ToInt(size));
        var d = t.FSpan;
        for (int i = 0; i < d.Length; i++) d[i] = (float)g.NextNormal();
        if (requires_grad) t.requires_grad = true;
        return t;
    }
    public static Tensor randn(params long[] size) => randn(size, null);

    public static Tensor rand(long[] size, Generator? generator = null, bool requires_grad = false, Device? device = null)
    {
        CheckDevice(device);
        var g = generator ?? DefaultGen;
        var t = Tensor.Empty(ToInt(size));
        var d = t.FSpan;
        for (int i = 0; i < d.Length; i++) d[i] = g.NextFloat();
        if (requires_grad) t.requires_grad = true;
        return t;
    }
    public static Tensor rand(params long[] size) => rand(size, null);

    public static Tensor randn_like(Tensor t, Generator? generator = null) => randn(t.shape, generator);
    public static Tensor rand_like(Tensor t, Generator? generator = null) => rand(t.shape, generator);

    /// <summary>Int64 integers uniform in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, Generator? generator = null)
    {
        if (high <= low) throw new ArgumentException($"randint: high ({high}) must be greater than low ({low}).");
        var g = generator ?? DefaultGen;
        var t = Tensor.Empty(ToInt(size), ScalarType.Int64);
        var d = t.LSpan;
        for (int i = 0; i < d.Length; i++) d[i] = low + g.NextLong(high - low);
        return t;
    }
    public static Tensor randint(long high, long[] size, Generator? generator = null) => randint(0, high, size, generator);

    /// <summary>A random permutation of 0..n-1 (Int64), Fisher–Yates.</summary>
    public static Tensor randperm(long n, Generator? generator = null)
    {
        var g = generator ?? DefaultGen;
        var t = arange(n);
        var d = t.LSpan;
        for (int i = d.Length - 1; i > 0; i--) { int j = (int)g.NextLong(i + 1); (d[i], d[j]) = (d[j], d[i]); }
        return t;
    }

    /// <summary>
    /// Samples <paramref name="num_samples"/> category indices per row of <paramref name="input"/> (1-D or 2-D
    /// non-negative weights, not necessarily normalised). Returns Int64 of shape (rows, num_samples) or (num_samples).
    /// </summary>
    public static Tensor multinomial(Tensor input, long num_samples, bool replacement = false, Generator? generator = null)
    {
        if (input.dtype != ScalarType.Float32) throw new ArgumentException($"multinomial: probabilities must be Float32, got {input.dtype}.");
        if (input.dim() is < 1 or > 2) throw new ArgumentException($"multinomial: input must be 1-D or 2-D, got shape {ShapeStr(input.Shape)}.");
        int rows = input.dim() == 1 ? 1 : input.Shape[0], V = input.Shape[^1], n = (int)num_samples;
        if (n <= 0) throw new ArgumentException($"multinomial: num_samples must be positive, got {num_samples}.");
        if (!replacement && n > V) throw new ArgumentException($"multinomial: cannot draw {n} samples without replacement from {V} categories.");
        var g = generator ?? DefaultGen;
        using var p = Contig(input);
        var o = Tensor.Empty(input.dim() == 1 ? [n] : [rows, n], ScalarType.Int64);
        var P = p.FSpan; var O = o.LSpan;
        var w = new double[V];
        for (int r = 0; r < rows; r++)
        {
            double total = 0;
            for (int j = 0; j < V; j++)
            {
                float v = P[r * V + j];
                if (!(v >= 0) || float.IsInfinity(v)) throw new ArgumentException($"multinomial: row {r} has an invalid probability {v} at index {j} (must be finite and ≥ 0).");
                w[j] = v; total += v;
            }
            for (int s = 0; s < n; s++)
            {
                if (!(total > 0)) throw new ArgumentException($"multinomial: row {r} has no positive probability left to sample from.");
                double u = g.NextDouble() * total, c = 0;
                int pick = -1;
                for (int j = 0; j < V; j++) { if (w[j] <= 0) continue; c += w[j]; pick = j; if (u < c) break; }
                O[r * n + s] = pick;
                if (!replacement) { total -= w[pick]; w[pick] = 0; }
            }
        }
        return o;
    }
}
