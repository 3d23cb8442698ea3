using static R1.torch;

namespace R1.Tests.Torch;

public class FusedOpTests
{
    static Tensor R(int seed, params long[] shape) => GradCheck.Rand(shape, seed);

    /// <summary>Composed reference: −log_softmax gathered at the targets, ignored targets dropped.</summary>
    static float[] NaiveCE(Tensor logits, long[] targets, long ignore, out double mean)
    {
        int V = (int)logits.shape[^1];
        var x = logits.ToArray<float>();
        var l = new float[targets.Length];
        double s = 0; int n = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignore) continue;
            double m = double.NegativeInfinity;
            for (int j = 0; j < V; j++) m = Math.Max(m, x[r * V + j]);
            double z = 0;
            for (int j = 0; j < V; j++) z += Math.Exp(x[r * V + j] - m);
            l[r] = (float)(m + Math.Log(z) - x[r * V + targets[r]]);
            s += l[r]; n++;
        }
        mean = s / n;
        return l;
    }

    [Fact]
    public void CrossEntropyMatchesNaiveAndIgnoresIndex()
    {
        var logits = R(1, 2, 3, 5);
        var t = new long[] { 1, -100, 4, 0, 2, -100 };
        var target = tensor(t, 2, 3);
        var naive = NaiveCE(logits, t, -100, out double mean);
        Assert.Equal(mean, nn.functional.cross_entropy(logits, target).item<float>(), 5);
        GradCheck.Close(naive, nn.functional.cross_entropy(logits, target, reduction: "none").ToArray<float>(), 1e-5);
        Assert.Equal(naive.Sum(), nn.functional.cross_entropy(logits, target, reduction: "sum").item<float>(), 4);

        GradCheck.Check(x => nn.functional.cross_entropy(x[0], target), [R(2, 2, 3, 5)]);
        GradCheck.Check(x => nn.functional.cross_entropy(x[0], target, reduction: "none"), [R(3, 2, 3, 5)]);
        GradCheck.Check(x => nn.functional.cross_entropy(x[0].reshape(6, 5), target.reshape(6), reduction: "sum"), [R(4, 2, 3, 5)]);
        // ignored rows get exactly zero gradient
        var lg = R(5, 6, 5); lg.requires_grad = true;
        nn.functional.cross_entropy(lg, target.reshape(6)).backward();
        var g = lg.grad!.ToArray<float>();
        Assert.All(g.Skip(5).Take(5), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void CrossEntropyGradientIsSoftmaxMinusOneHot()
    {
        var logits = tensor(new[] { 1f, 2f, 3f }, [1, 3], requires_grad: true);
        nn.functional.cross_entropy(logits, tensor(new long[] { 2 })).backward();
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        GradCheck.Close(new[] { (float)(Math.Exp(1) / z), (float)(Math.Exp(2) / z), (float)(Math.Exp(3) / z - 1) }, logits.grad!.ToArray<float>(), 1e-6);
    }

    [Fact]
    public void LayerNormAndRmsNorm()
    {
        GradCheck.Check(x => nn.functional.layer_norm(x[0], [4], x[1], x[2]), [R(1, 2, 3, 4), R(2, 4), R(3, 4)], rtol: 3e-2);
        GradCheck.Check(x => nn.functional.layer_norm(x[0], [2, 3]), [R(4, 2, 2, 3)], rtol: 3e-2);
        GradCheck.Check(x => nn.functional.rms_norm(x[0], [4], x[1]), [R(5, 3, 4), R(6, 4)], rtol: 3e-2);

        // against the composed formula
        var x = R(7, 3, 6); var w = R(8, 6); var b = R(9, 6);
        var mean = x.mean(-1, keepdim: true);
        var v = (x - mean).pow(2f).mean(-1, keepdim: true);
        var refLn = (x - mean) / (v + 1e-5f).sqrt() * w + b;
        GradCheck.Close(refLn.ToArray<float>(), nn.functional.layer_norm(x, [6], w, b).ToArray<float>(), 1e-5);
        var refRms = x * (x.pow(2f).mean(-1, keepdim: true) + 1e-6f).rsqrt() * w;
        GradCheck.Close(refRms.ToArray<float>(), nn.functional.rms_norm(x, [6], w, 1e-6).ToArray<float>(), 1e-5);
    }

    /// <summary>Attention composed from primitives: softmax(q·kᵀ/√d + mask)·v, causal aligned at the end of the keys.</summary>
    static Tensor NaiveAttention(Tensor q, Tensor k, Tensor v, bool causal, Tensor? boolMask = null)
    {
        long Tq = q.shape[^2], Tk = k.shape[^2], d = q.shape[^1];
        var s = matmul(q, k.transpose(-2, -1)) * (1.0 / Math.Sqrt(d));
        if (causal)
        {
            var m = triu(ones(Tq, Tk), Tk - Tq + 1).gt(0f);
            s = masked_fill(s, m, float.NegativeInfinity);
        }
        if (boolMask is not null) s = masked_fill(s, boolMask.logical_not(), float.NegativeInfinity);
        return matmul(nn.functional.softmax(s, -1), v);
    }

    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(2, 6, true)]
    [InlineData(1, 4, true)]
    [InlineData(3, 4, false)]
    [InlineData(70, 70, true)]  // row-blocked causal path (blocks of 32, ragged last block)
    [InlineData(66, 100, true)] // row-blocked with the queries at the end of the keys
    public void AttentionMatchesComposed(int Tq, int Tk, bool causal)
    {
        var q = R(1, 2, 2, Tq, 4); var k = R(2, 2, 2, Tk, 4); var v = R(3, 2, 2, Tk, 3);
        var fused = nn.functional.scaled_dot_product_attention(q, k, v, is_causal: causal);
        GradCheck.Close(NaiveAttention(q, k, v, causal).ToArray<float>(), fused.ToArray<float>(), 1e-5);

        // gradients equal the composed graph's gradients
        foreach (var t in new[] { q, k, v }) t.requires_grad = true;
        var gout = R(4, 2, 2, Tq, 3);
        nn.functional.scaled_dot_product_attention(q, k, v, is_causal: causal).backward(gout);
        var fg = new[] { q, k, v }.Select(t => t.grad!.ToArray<float>()).ToArray();
        foreach (var t in new[] { q, k, v }) t.grad = null;
        NaiveAttention(q, k, v, causal).backward(gout);
        for (int i = 0; i < 3; i++) GradCheck.Close(new[] { q, k, v }[i].grad!.ToArray<float>(), fg[i], 1e-4, $"grad {i}");

        if (Tk <= 8)
            GradCheck.Check(x => nn.functional.scaled_dot_product_attention(x[0], x[1], x[2], is_causal: causal), [R(5, 1, 2, Tq, 3), R(6, 1, 2, Tk, 3), R(7, 1, 2, Tk, 2)]);
    }

    [Fact]
    public void AttentionWithBoolMaskAndTransposedInputs()
    {
        // (B, T, H, hd) → transpose(1, 2): non-contiguous inputs as nanoGPT produces them
        var q = R(1, 2, 4, 2, 3); var k = R(2, 2, 4, 2, 3); var v = R(3, 2, 4, 2, 3);
        var mask = tensor(new[] { true, true, false, true }, 1, 1, 1, 4); // key 2 hidden for everyone
        var fused = nn.functional.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask: mask);
        var naive = NaiveAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), false, mask);
        GradCheck.Close(naive.ToArray<float>(), fused.ToArray<float>(), 1e-5);
        Assert.True(fused.transpose(1, 2).is_contiguous()); // laid out like the query: transposing back is free
        GradCheck.Check(x => nn.functional.scaled_dot_product_attention(x[0].transpose(1, 2), x[1].transpose(1, 2), x[2].transpose(1, 2), attn_mask: mask, is_causal: true),
            [R(4, 1, 4, 2, 3), R(5, 1, 4, 2, 3), R(6, 1, 4, 2, 3)]);
    }

    [Fact]
    public void Dropout()
    {
        var x = ones(1000);
        var y = nn.functional.dropout(x, 0.25, true, new Generator(3));
        var a = y.ToArray<float>();
        int zeros = a.Count(v => v == 0f);
        Assert.InRange(zeros, 200, 300);
        Assert.All(a.Where(v => v != 0f), v => Assert.Equal(1f / 0.75f, v, 5));
        Assert.Equal(x.ToArray<float>(), nn.functional.dropout(x, 0.25, training: false).ToArray<float>());
        // backward multiplies by the same mask
        var xin = ones(50); xin.requires_grad = true;
        var yd = nn.functional.dropout(xin, 0.5, true, new Generator(4));
        yd.sum().backward();
        Assert.Equal(yd.ToArray<float>(), xin.grad!.ToArray<float>());
        // attention dropout keeps forward/backward consistent
        GradCheck.Check(t => nn.functional.scaled_dot_product_attention(t[0], t[1], t[2], dropout_p: 0.3, generator: new Generator(9)),
            [R(7, 1, 1, 3, 2), R(8, 1, 1, 3, 2), R(9, 1, 1, 3, 2)]);
    }
}
