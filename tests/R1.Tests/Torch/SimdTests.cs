using static R1.torch;

namespace R1.Tests.Torch;

public class SimdTests
{
    [Fact]
    public void ExpIsAccurateAndMatchesItsScalarTwin()
    {
        var xs = Enumerable.Range(0, 4001).Select(i => -100f + i * 0.05f).Concat(new[] { float.NegativeInfinity, 88.7f, 0f, -87.3f }).ToArray();
        var y = new float[xs.Length]; var ys = new float[xs.Length];
        float sum = Simd.ExpSum(xs, 0f, y);
        float sumS = Simd.ExpSumScalar(xs, 0f, ys);
        for (int i = 0; i < xs.Length; i++)
        {
            double want = Math.Exp(xs[i]);
            if (want < 1.2e-38) Assert.True(y[i] < 1.2e-38f, $"exp({xs[i]}) = {y[i]}");
            else if (want > float.MaxValue) Assert.Equal(float.PositiveInfinity, y[i]);
            else Assert.True(Math.Abs(y[i] - want) <= 3e-7 * want, $"exp({xs[i]}): {y[i]} vs {want}");
            if (!float.IsInfinity(ys[i])) Assert.True(Math.Abs(y[i] - ys[i]) <= 2e-7 * Math.Abs(ys[i]), $"SIMD vs scalar at {xs[i]}: {y[i]} vs {ys[i]}");
        }
        Assert.Equal(0f, y[4001]);
        Assert.True(float.IsInfinity(sum) && float.IsInfinity(sumS));
        var part = xs.AsSpan(0, 3000); // up to x = 50: a finite sum
        float s1 = Simd.ExpSum(part, 1f, new float[3000]), s2 = Simd.ExpSumScalar(part, 1f, new float[3000]);
        double exact = part.ToArray().Sum(v => Math.Exp(v - 1.0));
        Assert.True(Math.Abs(s1 - exact) <= 1e-5 * exact && Math.Abs(s2 - exact) <= 1e-5 * exact, $"{s1} {s2} {exact}");
    }

    [Fact]
    public void GeluKernelsMatchScalarTwinsAndFormula()
    {
        var xs = Enumerable.Range(0, 203).Select(i => -10f + i * 0.1f).ToArray();
        var y = new float[xs.Length]; var d = new float[xs.Length]; var ones = Enumerable.Repeat(1f, xs.Length).ToArray();
        Simd.GeluTanh(xs, y);
        Simd.GeluTanhBackward(xs, ones, d);
        for (int i = 0; i < xs.Length; i++)
        {
            double v = xs[i], t = Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v));
            double want = 0.5 * v * (1 + t);
            double dwant = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
            Assert.True(Math.Abs(y[i] - want) <= 1e-6 * (1 + Math.Abs(want)), $"gelu({v}): {y[i]} vs {want}");
            Assert.True(Math.Abs(d[i] - dwant) <= 2e-6 * (1 + Math.Abs(dwant)), $"gelu'({v}): {d[i]} vs {dwant}");
            Assert.Equal(Simd.GeluTanhScalar(xs[i]), y[i], 1e-6f);
            Assert.Equal(Simd.GeluTanhGradScalar(xs[i]), d[i], 1e-6f);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(37)]
    public void ScaledSoftmaxRowAndBackwardMatchDoubleReference(int n)
    {
        var r = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 6 - 3)).ToArray();
        var mask = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? float.NegativeInfinity : (float)(r.NextDouble() - 0.5)).ToArray();
        var y = (float[])x.Clone();
        float lse = Simd.ScaledSoftmax(y, 0.5f, mask);
        var s = x.Select((v, i) => 0.5 * v + mask[i]).ToArray();
        double m = s.Max(), z = s.Sum(v => Math.Exp(v - m));
        Assert.Equal(m + Math.Log(z), lse, 5);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Exp(s[i] - m) / z, y[i], 6);

        var d = Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        double dot = d.Select((v, i) => (double)v * y[i]).Sum();
        var want = d.Select((v, i) => (v - dot) * y[i] * 0.5).ToArray();
        Simd.SoftmaxBackwardRow(d, y, 0.5f);
        for (int i = 0; i < n; i++) Assert.Equal(want[i], d[i], 6);

        var none = new float[n];
        Array.Fill(none, float.NegativeInfinity);
        Assert.Equal(float.NegativeInfinity, Simd.ScaledSoftmax((float[])x.Clone(), 1f, none));
    }
}
