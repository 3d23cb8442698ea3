using R1.Tasks;

namespace R1.Tests.Tasks;

public class RngTests
{
    [Fact]
    public void SplitMix64MatchesPublishedSequence()
    {
        // The reference C splitmix64.c seeded with 1234567 (the sequence quoted with Vigna's reference code).
        ulong state = 1234567;
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        foreach (var e in expected) Assert.Equal(e, Rng.SplitMix64(ref state));
    }

    [Fact]
    public void Xoshiro256StarStarMatchesIndependentImplementation()
    {
        // Produced by a separate Python implementation of xoshiro256** (state = 4 SplitMix64 outputs of seed 42):
        //   r = rotl(s1*5, 7)*9; t = s1<<17; s2^=s0; s3^=s1; s1^=s2; s0^=s3; s2^=t; s3 = rotl(s3, 45)
        var rng = new Rng(42);
        ulong[] expected = [1546998764402558742, 6990951692964543102, 12544586762248559009, 17057574109182124193, 18295552978065317476];
        foreach (var e in expected) Assert.Equal(e, rng.NextUInt64());
    }

    [Fact]
    public void NextIntStaysInRangeAndCoversIt()
    {
        var rng = new Rng(7);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        // Each bucket expects 10,000 with std ≈ 91; 500 is more than 5 sigma.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        for (int i = 0; i < 1000; i++) Assert.InRange(rng.NextInt(10, 12), 10, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(5, 4));
    }

    [Fact]
    public void StreamsAreReproducibleAndDistinct()
    {
        Assert.Equal(Rng.ForStream(1, "a/test").NextUInt64(), Rng.ForStream(1, "a/test").NextUInt64());
        Assert.NotEqual(Rng.ForStream(1, "a/test").NextUInt64(), Rng.ForStream(1, "a/train").NextUInt64());
        double d = new Rng(3).NextDouble();
        Assert.InRange(d, 0.0, 1.0 - 1e-17);
    }
}
