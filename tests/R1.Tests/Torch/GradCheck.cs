using static R1.torch;

namespace R1.Tests.Torch;

/// <summary>
/// Compares autograd gradients with central finite differences. The output is projected on a fixed random tensor
/// R (loss = Σ out·R, summed in double) so every output element matters; the analytic side is out.backward(R).
/// </summary>
static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, float h = 1e-2f, double rtol = 2e-2, double atol = 2e-3, int seed = 7)
    {
        foreach (var x in inputs) if (x.dtype == ScalarType.Float32) { x.requires_grad = true; x.grad = null; }
        var out0 = f(inputs);
        var gen = new Generator(seed);
        var R = randn(out0.shape, gen);
        var r = R.ToArray<float>();
        out0.backward(R);

        double Loss()
        {
            using var _ = no_grad();
            var o = f(inputs).ToArray<float>();
            double s = 0;
            for (int i = 0; i < o.Length; i++) s += (double)o[i] * r[i];
            return s;
        }

        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            if (x.dtype != ScalarType.Float32) continue;
            Assert.True(x.grad is not null, $"input {k} got no gradient");
            var analytic = x.grad!.ToArray<float>();
            var data = x.data<float>();
            for (int i = 0; i < data.Length; i++)
            {
                float orig = data[i];
                data[i] = orig + h; double lp = Loss();
                data[i] = orig - h; double lm = Loss();
                data[i] = orig;
                double numeric = (lp - lm) / (2 * h);
                double diff = Math.Abs(analytic[i] - numeric);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {k} element {i}: analytic {analytic[i]:G6} vs numeric {numeric:G6} (diff {diff:G3})");
            }
        }
    }

    public static Tensor Rand(long[] shape, int seed, float lo = -1f, float hi = 1f)
    {
        var g = new Generator(seed);
        var t = rand(shape, g);
        using var _ = no_grad();
        t.mul_(hi - lo).add_(lo);
        return t.detach();
    }

    public static void Close(float[] expected, float[] actual, double tol = 1e-5, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:G7}, got {actual[i]:G7}");
    }
}
