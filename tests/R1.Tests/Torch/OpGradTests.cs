using static R1.torch;

namespace R1.Tests.Torch;

public class OpGradTests
{
    static Tensor R(int seed, params long[] shape) => GradCheck.Rand(shape, seed);
    static Tensor Pos(int seed, params long[] shape) => GradCheck.Rand(shape, seed, 0.5f, 2f);
    static Tensor Spread(int seed, params long[] shape) => (randperm(shape.Aggregate(1L, (a, b) => a * b), new Generator(seed)).@float() * 0.1f).reshape(shape).detach();

    [Fact]
    public void BroadcastingArithmetic()
    {
        GradCheck.Check(x => x[0] + x[1], [R(1, 2, 3), R(2, 3)]);
        GradCheck.Check(x => x[0] - x[1], [R(3, 2, 1, 3), R(4, 4, 1)]);
        GradCheck.Check(x => x[0] * x[1], [R(5, 2, 1), R(6, 1, 3)]);
        GradCheck.Check(x => x[0] / x[1], [R(7, 4, 2, 3), Pos(8, 2, 1)]);
        GradCheck.Check(x => x[0] * 3f - 2.5f / x[1] + 1f, [R(9, 3), Pos(10, 3)]);
        GradCheck.Check(x => 2f - x[0], [R(11, 5)]);
        GradCheck.Check(x => -x[0], [R(11, 5)]);
        GradCheck.Check(x => maximum(x[0], x[1]), [R(12, 3, 4), R(13, 4)]);
    }

    [Fact]
    public void PowAndUnary()
    {
        GradCheck.Check(x => x[0].pow(2f), [R(1, 6)]);
        GradCheck.Check(x => x[0].pow(3f), [R(2, 6)]);
        GradCheck.Check(x => x[0].pow(-0.5f), [Pos(3, 6)]);
        GradCheck.Check(x => pow(x[0], x[1]), [Pos(4, 2, 3), R(5, 3)]);
        GradCheck.Check(x => x[0].exp(), [R(6, 7)]);
        GradCheck.Check(x => x[0].log(), [Pos(7, 7)]);
        GradCheck.Check(x => x[0].sqrt(), [Pos(8, 7)]);
        GradCheck.Check(x => x[0].rsqrt(), [Pos(8, 7)]);
        GradCheck.Check(x => x[0].tanh(), [R(9, 7)]);
        GradCheck.Check(x => x[0].sigmoid(), [R(10, 7)]);
        GradCheck.Check(x => gelu(x[0], "tanh"), [R(11, 9)]);
        GradCheck.Check(x => gelu(x[0]), [R(12, 9)]);
        GradCheck.Check(x => silu(x[0]), [R(13, 9)]);
    }

    [Fact]
    public void PiecewiseUnaryAwayFromKinks()
    {
        var x = tensor(new[] { -1.5f, -0.7f, -0.2f, 0.3f, 0.8f, 1.4f });
        GradCheck.Check(t => t[0].relu(), [x]);
        GradCheck.Check(t => t[0].abs(), [x.clone().detach()]);
        GradCheck.Check(t => t[0].clamp(-0.5f, 1f), [x.clone().detach()]);
    }

    [Fact]
    public void GeluMatchesReferenceValues()
    {
        // exact: 0.5·x·(1 + erf(x/√2)); values from the closed form in double
        var xs = new[] { -3f, -1f, -0.25f, 0f, 0.5f, 2f };
        var exact = xs.Select(v => (float)(0.5 * v * (1 + ErfDouble(v / Math.Sqrt(2))))).ToArray();
        var tanhApprox = xs.Select(v => (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))))).ToArray();
        GradCheck.Close(exact, gelu(tensor(xs)).ToArray<float>(), 2e-6);
        GradCheck.Close(tanhApprox, gelu(tensor(xs), "tanh").ToArray<float>(), 2e-6);
    }

    static double ErfDouble(double x)
    {
        // series / continued fraction good to 1e-12 on [-4, 4]
        double sum = x, term = x, x2 = x * x;
        for (int n = 1; n < 100; n++) { term *= -x2 / n; sum += term / (2 * n + 1); }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Fact]
    public void Reductions()
    {
        GradCheck.Check(x => x[0].sum(), [R(1, 3, 4)]);
        GradCheck.Check(x => x[0].sum(1), [R(2, 3, 4, 2)]);
        GradCheck.Check(x => x[0].sum(new long[] { 0, 2 }, keepdim: true), [R(3, 3, 4, 2)]);
        GradCheck.Check(x => x[0].mean(-1), [R(4, 3, 5)]);
        GradCheck.Check(x => x[0].mean(), [R(5, 3, 5)]);
        // max/min: well-separated values so the finite differences never swap the winner
        GradCheck.Check(x => x[0].max(1).values, [Spread(6, 3, 5, 2)]);
        GradCheck.Check(x => x[0].amin(-1, keepdim: true), [Spread(7, 4, 6)]);
        GradCheck.Check(x => x[0].max(), [Spread(8, 4, 6)]);
        GradCheck.Check(x => x[0].var(1), [R(9, 3, 5)]);
        GradCheck.Check(x => x[0].logsumexp(1), [R(10, 3, 5)]);
    }

    [Fact]
    public void ReductionValues()
    {
        var x = tensor(new[] { 1f, 5f, 3f, 4f, 2f, 6f }, 2, 3);
        Assert.Equal(new[] { 9f, 12f }, x.sum(1).ToArray<float>());
        Assert.Equal(new[] { 2.5f, 3.5f, 4.5f }, x.mean(0).ToArray<float>());
        var (v, i) = x.max(1);
        Assert.Equal(new[] { 5f, 6f }, v.ToArray<float>());
        Assert.Equal(new[] { 1L, 2L }, i.ToArray<long>());
        Assert.Equal(5L, x.argmax().item<long>());
        Assert.Equal(new long[] { 1, 0, 1 }, x.argmax(0).ToArray<long>());
        Assert.Equal(new long[] { 2, 1 }, x.sum(1, keepdim: true).shape);
        Assert.Equal(21f, x.sum().item<float>());
    }

    [Fact]
    public void SoftmaxFamily()
    {
        GradCheck.Check(x => nn.functional.softmax(x[0], -1), [R(1, 3, 5)]);
        GradCheck.Check(x => nn.functional.log_softmax(x[0], -1), [R(2, 3, 5)]);
        GradCheck.Check(x => nn.functional.softmax(x[0], 1), [R(3, 2, 4, 3)]);
        GradCheck.Check(x => nn.functional.log_softmax(x[0], 0), [R(4, 4, 3)]);
        var s = nn.functional.softmax(tensor(new[] { 1f, 2f, 3f }), 0).ToArray<float>();
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        GradCheck.Close(new[] { (float)(Math.Exp(1) / z), (float)(Math.Exp(2) / z), (float)(Math.Exp(3) / z) }, s, 1e-6);
    }

    [Fact]
    public void Matmul()
    {
        GradCheck.Check(x => matmul(x[0], x[1]), [R(1, 3, 4), R(2, 4, 5)]);
        GradCheck.Check(x => matmul(x[0], x[1]), [R(3, 2, 3, 4), R(4, 2, 4, 5)]);
        GradCheck.Check(x => matmul(x[0], x[1]), [R(5, 2, 3, 4), R(6, 4, 5)]);        // Linear-style fold
        GradCheck.Check(x => matmul(x[0], x[1]), [R(7, 3, 4), R(8, 2, 4, 5)]);        // broadcast left
        GradCheck.Check(x => matmul(x[0], x[1]), [R(9, 2, 1, 3, 4), R(10, 3, 4, 2)]); // broadcast batch dims
        GradCheck.Check(x => matmul(x[0], x[1]), [R(11, 4), R(12, 4, 3)]);            // 1-D left
        GradCheck.Check(x => matmul(x[0], x[1]), [R(13, 2, 3, 4), R(14, 4)]);         // 1-D right
        GradCheck.Check(x => matmul(x[0], x[1]), [R(15, 4), R(16, 4)]);               // dot
        GradCheck.Check(x => matmul(x[0], x[1].transpose(-2, -1)), [R(17, 2, 3, 4), R(18, 2, 5, 4)]); // transposed view
        GradCheck.Check(x => bmm(x[0].transpose(1, 2), x[1]), [R(19, 2, 4, 3), R(20, 2, 4, 5)]);
    }

    [Fact]
    public void MatmulValues()
    {
        var a = tensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 2, 3);
        var b = tensor(new[] { 7f, 8f, 9f, 10f, 11f, 12f }, 3, 2);
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, matmul(a, b).ToArray<float>());
        Assert.Equal(new[] { 58f, 139f, 64f, 154f }, matmul(b.t(), a.t()).ToArray<float>());
    }

    [Fact]
    public void Linear()
    {
        GradCheck.Check(x => nn.functional.linear(x[0], x[1], x[2]), [R(1, 2, 3, 4), R(2, 5, 4), R(3, 5)]);
        GradCheck.Check(x => nn.functional.linear(x[0], x[1]), [R(4, 3, 4), R(5, 2, 4)]);
        GradCheck.Check(x => nn.functional.linear(x[0].transpose(0, 1), x[1], x[2]), [R(6, 4, 3), R(7, 2, 4), R(8, 2)]);
        var y = nn.functional.linear(tensor(new[] { 1f, 2f }, 1, 2), tensor(new[] { 1f, 0f, 0f, 1f, 1f, 1f }, 3, 2), tensor(new[] { 0.5f, 0f, -1f }));
        Assert.Equal(new[] { 1.5f, 2f, 2f }, y.ToArray<float>());
    }

    [Fact]
    public void ViewsThroughBackward()
    {
        GradCheck.Check(x => x[0].transpose(0, 1) * x[1], [R(1, 3, 4), R(2, 4, 3)]);
        GradCheck.Check(x => x[0].permute(2, 0, 1).reshape(4, 6), [R(3, 2, 3, 4)]);
        GradCheck.Check(x => x[0].narrow(1, 1, 2) * 2f, [R(4, 3, 4)]);
        GradCheck.Check(x => x[0].select(0, 1), [R(5, 3, 4)]);
        GradCheck.Check(x => x[0].slice(1, 0, 5, 2), [R(6, 3, 5)]);
        GradCheck.Check(x => x[0].unsqueeze(1).expand(3, 4, 2) * x[1], [R(7, 3, 2), R(8, 4, 2)]);
        GradCheck.Check(x => x[0].transpose(0, 1).reshape(-1).unsqueeze(0).squeeze(), [R(9, 3, 4)]);
        GradCheck.Check(x => x[0].flatten(1), [R(10, 2, 3, 2)]);
        GradCheck.Check(x => x[0].split(2, 1)[1] * x[0].split(2, 1)[0], [R(11, 2, 4)]);
        GradCheck.Check(x => x[0].view(2, 6).contiguous(), [R(12, 3, 4)]);
        GradCheck.Check(x => x[0].mT.contiguous().view(-1), [R(13, 3, 4)]);
    }

    [Fact]
    public void ViewSharesStorage()
    {
        var x = arange(0f, 6f).reshape(2, 3);
        var t = x.transpose(0, 1);
        Assert.False(t.is_contiguous());
        Assert.Equal(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, t.ToArray<float>());
        using (no_grad()) x.add_(1f);
        Assert.Equal(new[] { 1f, 4f, 2f, 5f, 3f, 6f }, t.ToArray<float>());
        Assert.Equal(new[] { 2f, 5f }, x.narrow(1, 1, 1).reshape(-1).ToArray<float>());
    }

    [Fact]
    public void IndexingOps()
    {
        var idx = tensor(new long[] { 2, 0, 1, 1, 3, 0 }, 2, 3);
        GradCheck.Check(x => gather(x[0], 1, idx), [R(1, 2, 4)]);
        GradCheck.Check(x => index_select(x[0], 0, tensor(new long[] { 2, 0, 2 })), [R(2, 3, 4)]);
        GradCheck.Check(x => nn.functional.embedding(tensor(new long[] { 1, 3, 1, 0 }, 2, 2), x[0]), [R(3, 4, 3)]);
        var mask = tensor(new[] { true, false, false, true });
        GradCheck.Check(x => masked_fill(x[0], mask, -2f), [R(4, 3, 4)]);
        var cond = tensor(new[] { true, false, true, false, false, true }, 2, 3);
        GradCheck.Check(x => where(cond, x[0], x[1]), [R(5, 2, 3), R(6, 3)]);
        GradCheck.Check(x => cat([x[0], x[1], x[0]], 1), [R(7, 2, 3), R(8, 2, 1)]);
        GradCheck.Check(x => stack([x[0], x[1]], 1), [R(9, 2, 3), R(10, 2, 3)]);
        GradCheck.Check(x => triu(x[0], 1) + tril(x[0]), [R(11, 4, 4)]);
        GradCheck.Check(x => cumsum(x[0], 1), [R(12, 2, 4)]);
    }

    [Fact]
    public void IndexingValues()
    {
        var x = arange(0f, 8f).reshape(2, 4);
        Assert.Equal(new[] { 2f, 0f, 5f, 7f }, gather(x, 1, tensor(new long[] { 2, 0, 1, 3 }, 2, 2)).ToArray<float>());
        Assert.Equal(new[] { 1f, 0f, 0f, 1f, 1f, 0f, 1f, 1f, 1f }, tril(ones(3, 3)).ToArray<float>());
        Assert.Equal(new[] { 0f, 1f, 1f, 0f, 0f, 1f, 0f, 0f, 0f }, triu(ones(3, 3), 1).ToArray<float>());
        var c = cat([tensor(new[] { 1f, 2f }, 1, 2), tensor(new[] { 3f, 4f, 5f, 6f }, 2, 2)], 0);
        Assert.Equal(new long[] { 3, 2 }, c.shape);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, c.ToArray<float>());
        var w = where(tensor(new[] { true, false }), tensor(new[] { 1f, 2f }), tensor(new[] { 9f, 8f }));
        Assert.Equal(new[] { 1f, 8f }, w.ToArray<float>());
        var (tv, ti) = topk(tensor(new[] { 3f, 1f, 4f, 1f, 5f }), 2);
        Assert.Equal(new[] { 5f, 4f }, tv.ToArray<float>());
        Assert.Equal(new long[] { 4, 2 }, ti.ToArray<long>());
    }

    [Fact]
    public void ComparisonsAndDtypes()
    {
        var a = tensor(new[] { 1f, 2f, 3f });
        Assert.Equal(new[] { false, true, false }, a.eq(2f).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.gt(2f).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.le(tensor(new[] { 1f, 2f, 2f })).ToArray<bool>());
        var l = tensor(new long[] { 5, -100, 7 });
        Assert.Equal(new[] { true, false, true }, l.ne(-100).ToArray<bool>());
        Assert.Equal(new[] { 5f, -100f, 7f }, l.@float().ToArray<float>());
        Assert.Equal(new long[] { 1, 2, 3 }, a.@long().ToArray<long>());
        Assert.Equal(ScalarType.Int64, arange(4).dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, arange(4).ToArray<long>());
        Assert.Equal(2L, l.ne(-100).sum().item<long>());
    }

    [Fact]
    public void RepeatAndPredicates()
    {
        var x = tensor(new[] { 1f, 2f, 3f, 4f }, 2, 2);
        Assert.Equal(new[] { 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f }, x.repeat(1, 2).ToArray<float>());
        Assert.Equal(new long[] { 2, 4, 2 }, x.repeat(2, 2, 1).shape);
        Assert.Equal(new[] { 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f }, x.repeat_interleave(2, 0).ToArray<float>());
        GradCheck.Check(t => t[0].repeat(2, 3), [R(1, 2, 2)]);
        GradCheck.Check(t => t[0].repeat_interleave(3, 1), [R(2, 2, 2)]);
        var y = tensor(new[] { 1f, float.NaN, float.PositiveInfinity });
        Assert.Equal(new[] { false, true, false }, y.isnan().ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, y.isfinite().ToArray<bool>());
        Assert.True(y.isnan().any().item<bool>());
        Assert.False(y.isfinite().all().item<bool>());
        Assert.Equal(new[] { 3f, 4f }, x[1].ToArray<float>());
        Assert.Equal(2f, x[0, -1].item<float>());
        GradCheck.Check(t => t[0][1] * 2f, [R(3, 3, 2)]);
    }
}
