namespace R1.Tasks;

/// <summary>
/// A small seeded PRNG whose output is fixed forever: xoshiro256** seeded by SplitMix64 (Vigna's reference
/// algorithms). Dataset generators use it instead of <see cref="System.Random"/>, whose algorithm may change
/// between .NET versions, so committed datasets regenerate byte-identically on every platform.
/// Only integer arithmetic (plus one exact 53-bit conversion in <see cref="NextDouble"/>).
/// </summary>
public sealed class Rng
{
    ulong s0, s1, s2, s3;

    public Rng(ulong seed)
    {
        ulong sm = seed;
        s0 = SplitMix64(ref sm); s1 = SplitMix64(ref sm); s2 = SplitMix64(ref sm); s3 = SplitMix64(ref sm);
    }

    /// <summary>A generator for a named stream (e.g. "arithmetic/test") derived from a base seed.</summary>
    public static Rng ForStream(ulong seed, string stream)
    {
        // FNV-1a over the UTF-16 code units: stable and platform independent (unlike string.GetHashCode).
        ulong h = 14695981039346656037UL;
        foreach (char c in stream) { h ^= c; h *= 1099511628211UL; }
        return new Rng(seed ^ h);
    }

    /// <summary>One SplitMix64 step: advances <paramref name="state"/> and returns the mixed output.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, n), unbiased (rejection of the short last bucket).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Upper bound must be positive.");
        ulong un = (ulong)n;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % un + 1) % un; // largest multiple of n, minus 1
        ulong x;
        do x = NextUInt64(); while (x > limit);
        return (int)(x % un);
    }

    /// <summary>Uniform integer in [lo, hi] (both inclusive, like the ranges in the datasheets).</summary>
    public int NextInt(int lo, int hi)
    {
        if (hi < lo) throw new ArgumentOutOfRangeException(nameof(hi), $"Empty range [{lo}, {hi}].");
        return lo + NextInt(hi - lo + 1);
    }

    /// <summary>Uniform double in [0, 1) from the top 53 bits (exact, so identical everywhere).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
