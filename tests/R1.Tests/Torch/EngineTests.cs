using R1.Modules;
using static R1.torch;

namespace R1.Tests.Torch;

public class EngineTests
{
    sealed class Block : nn.Module<Tensor, Tensor>
    {
        public readonly Linear c_fc;
        public readonly LayerNorm ln;
        public Block() : base("Block") { ln = nn.LayerNorm(4); c_fc = nn.Linear(4, 4); RegisterComponents(); }
        public override Tensor forward(Tensor x) => c_fc.call(ln.call(x));
    }

    sealed class Net : nn.Module<Tensor, Tensor>
    {
        public readonly Embedding wte;
        public readonly ModuleList<Block> h;
        public readonly Linear lm_head;
        public Net() : base("Net")
        {
            wte = nn.Embedding(10, 4);
            h = nn.ModuleList(new Block(), new Block());
            lm_head = nn.Linear(4, 10, hasBias: false);
            RegisterComponents();
        }
        public override Tensor forward(Tensor idx)
        {
            var x = wte.call(idx);
            foreach (var b in h) x = b.call(x);
            return lm_head.call(x);
        }
    }

    [Fact]
    public void NamedParametersUseDottedNames()
    {
        var net = new Net();
        var names = net.named_parameters().Select(p => p.name).ToArray();
        Assert.Equal(new[]
        {
            "wte.weight", "h.0.c_fc.weight", "h.0.c_fc.bias", "h.0.ln.weight", "h.0.ln.bias",
            "h.1.c_fc.weight", "h.1.c_fc.bias", "h.1.ln.weight", "h.1.ln.bias", "lm_head.weight",
        }.OrderBy(s => s), names.OrderBy(s => s));
        Assert.Equal("wte.weight", names[0]);
        Assert.Equal(new long[] { 10, 4 }, net.lm_head.weight.shape);
        Assert.Equal(names.Length, net.state_dict().Count);
        Assert.Equal(10 * 4 + 2 * (16 + 4 + 4 + 4) + 40, net.parameter_count());
    }

    [Fact]
    public void LoadStateDictRoundTripAndErrors()
    {
        var a = new Net(); var b = new Net();
        b.load_state_dict(a.state_dict());
        Assert.Equal(a.wte.weight.ToArray<float>(), b.wte.weight.ToArray<float>());

        var missing = a.state_dict(); missing.Remove("h.1.ln.bias");
        var e1 = Assert.Throws<ArgumentException>(() => b.load_state_dict(missing));
        Assert.Contains("missing keys: h.1.ln.bias", e1.Message);
        var (mk, _) = b.load_state_dict(missing, strict: false);
        Assert.Equal(new[] { "h.1.ln.bias" }, mk);

        var extra = a.state_dict(); extra["h.2.ln.bias"] = zeros(4);
        Assert.Contains("unexpected keys: h.2.ln.bias", Assert.Throws<ArgumentException>(() => b.load_state_dict(extra)).Message);

        var bad = a.state_dict(); bad["lm_head.weight"] = zeros(10, 5);
        var e3 = Assert.Throws<ArgumentException>(() => b.load_state_dict(bad, strict: false));
        Assert.Contains("lm_head.weight", e3.Message);
        Assert.Contains("[10, 5]", e3.Message);
        Assert.Contains("[10, 4]", e3.Message);
    }

    [Fact]
    public void TrainingLoopReducesLoss()
    {
        manual_seed(1);
        var net = new Net();
        var opt = optim.AdamW(net.parameters(), lr: 1e-2);
        var idx = tensor(new long[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var tgt = tensor(new long[] { 2, 3, 4, 5, 6, 7 }, 2, 3);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(net.call(idx), tgt);
            opt.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(net.parameters(), 1.0);
            opt.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first * 0.2, $"loss {first} → {last}");
    }

    [Fact]
    public void LeafGradsAccumulateAndGraphIsFreed()
    {
        var x = tensor(new[] { 1f, 2f }, [2], requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 2f, 4f }, x.grad!.ToArray<float>());
        (x * 3f).sum().backward();
        Assert.Equal(new[] { 5f, 7f }, x.grad!.ToArray<float>());
        var e = Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.Contains("second time", e.Message);
    }

    [Fact]
    public void InPlaceChangeOfASavedInputIsCaught()
    {
        var w = tensor(new[] { 1f, 2f }, [2], requires_grad: true);
        var x = tensor(new[] { 3f, 4f });
        var y = (w * x).sum();
        x.add_(1f);
        var e = Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.Contains("modified by an in-place operation", e.Message);
    }

    [Fact]
    public void NoGradBuildsNoGraph()
    {
        var x = tensor(new[] { 1f, 2f }, [2], requires_grad: true);
        Tensor y;
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            y = (x * 2f).exp().sum();
            using (enable_grad()) Assert.True((x * 2f).requires_grad);
        }
        Assert.True(is_grad_enabled());
        Assert.False(y.requires_grad);
        Assert.Null(y.grad_fn);
        Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.False(x.detach().requires_grad);
        Assert.Equal("MulBackward", (x * 2f).grad_fn);
    }

    [Fact]
    public void DisposeScopeReturnsBuffersToThePool()
    {
        float[] first;
        Tensor kept;
        using (var scope = NewDisposeScope())
        {
            var t = zeros(12345);
            first = t.data<float>().ToArray() is var _ ? GetBuffer(t) : null!;
            kept = ones(3).MoveToOuterScope();
            Assert.True(scope.Count >= 2);
        }
        Assert.Equal(new[] { 1f, 1f, 1f }, kept.ToArray<float>());
        long reuses = BufferPool.Reuses;
        using (NewDisposeScope())
        {
            var t2 = empty(12345);
            Assert.Same(first, GetBuffer(t2)); // the same array came back from the pool
        }
        Assert.True(BufferPool.Reuses > reuses);
    }

    [Fact]
    public void DisposedTensorsThrowClearly()
    {
        Tensor t;
        using (NewDisposeScope()) t = ones(2);
        var e = Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Contains("MoveToOuterScope", e.Message);
    }

    [Fact]
    public void ScopeDisposalDuringTrainingStepKeepsParametersAndGrads()
    {
        var lin = nn.Linear(3, 2);
        using (NewDisposeScope())
        {
            var y = lin.call(ones(4, 3)).sum();
            y.backward();
        }
        Assert.Equal(new[] { 4f, 4f }, lin.bias!.grad!.ToArray<float>());
        Assert.Equal(6, lin.weight.ToArray<float>().Length);
    }

    static float[] GetBuffer(Tensor t) => t.FA;

    [Fact]
    public void BadInputsSayWhatWasWrong()
    {
        Assert.Contains("cannot be multiplied", Assert.Throws<ArgumentException>(() => matmul(ones(2, 3), ones(4, 5))).Message);
        Assert.Contains("not broadcastable", Assert.Throws<ArgumentException>(() => ones(2, 3) + ones(4)).Message);
        Assert.Contains("sizes must match", Assert.Throws<ArgumentException>(() => cat([ones(2, 3), ones(3, 4)], 0)).Message);
        Assert.Contains("not compatible", Assert.Throws<InvalidOperationException>(() => ones(2, 3).t().view(6)).Message);
        Assert.Contains("invalid for a tensor of 6", Assert.Throws<ArgumentException>(() => ones(2, 3).view(4, 2)).Message);
        var ge = Assert.Throws<ArgumentOutOfRangeException>(() => gather(ones(2, 3), 1, tensor(new long[] { 0, 3 }, 2, 1)));
        Assert.Contains("index 3 is out of range", ge.Message);
        var ee = Assert.Throws<ArgumentOutOfRangeException>(() => nn.functional.embedding(tensor(new long[] { 1, 12 }), ones(10, 4)));
        Assert.Contains("id 12", ee.Message); Assert.Contains("0..9", ee.Message);
        var ce = Assert.Throws<ArgumentOutOfRangeException>(() => nn.functional.cross_entropy(ones(2, 5), tensor(new long[] { 1, 7 })));
        Assert.Contains("target 7 at position 1", ce.Message);
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => nn.functional.cross_entropy(ones(2, 5), ones(2))).Message);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => matmul(arange(4).reshape(2, 2), ones(2, 2))).Message);
        Assert.Contains("out of range", Assert.Throws<ArgumentOutOfRangeException>(() => ones(2, 3).sum(2)).Message);
        Assert.Contains("in-place", Assert.Throws<InvalidOperationException>(() => ones(new long[] { 2 }, requires_grad: true).add_(1f)).Message);
        Assert.Contains("cannot expand", Assert.Throws<ArgumentException>(() => ones(2, 3).expand(4, 3)).Message);
        Assert.Contains("Tq ≤ Tk", Assert.Throws<ArgumentException>(() => nn.functional.scaled_dot_product_attention(ones(1, 4, 2), ones(1, 3, 2), ones(1, 3, 2), is_causal: true)).Message);
    }

    [Fact]
    public void AdamWMatchesHandComputedSteps()
    {
        // one parameter, gradient g = 2p (loss = Σp²), lr 0.1, betas (0.9, 0.999), eps 1e-8, wd 0.1
        var p = nn.Parameter(tensor(new[] { 1f, -2f }));
        var opt = optim.AdamW([p], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1);
        double[] pv = { 1, -2 }, m = { 0, 0 }, v = { 0, 0 };
        for (int t = 1; t <= 3; t++)
        {
            opt.zero_grad();
            (p * p).sum().backward();
            opt.step();
            for (int i = 0; i < 2; i++)
            {
                double g = 2 * pv[i];
                pv[i] *= 1 - 0.1 * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(0.999, t)) + 1e-8;
                pv[i] -= 0.1 / (1 - Math.Pow(0.9, t)) * m[i] / denom;
            }
            GradCheck.Close(pv.Select(x => (float)x).ToArray(), p.ToArray<float>(), 1e-6, $"step {t}");
        }
        Assert.Equal(3, opt.State(p)!.step);
        GradCheck.Close(m.Select(x => (float)x).ToArray(), opt.State(p)!.exp_avg.ToArray<float>(), 1e-6);
        opt.lr = 0.5;
        Assert.Equal(0.5, opt.ParamGroups[0].LearningRate);
    }

    [Fact]
    public void AdamWVectorUpdateMatchesScalarTwin()
    {
        var r = new Random(3);
        float[] Rnd(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        int n = 37;
        var p = Rnd(n); var g = Rnd(n); var m = Rnd(n); var v = Rnd(n).Select(Math.Abs).ToArray();
        var c = new AdamW.AdamWStep(0.9f, 0.95f, 0.1f, 0.05f, 0.999f, 0.01f, 0.3f, 1e-8f);
        var (p2, m2, v2) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
        AdamW.AdamWUpdate(c, p, g, m, v);
        for (int i = 0; i < n; i++) AdamW.AdamWScalar(c, ref p2[i], g[i], ref m2[i], ref v2[i]);
        Assert.Equal(p2, p); Assert.Equal(m2, m); Assert.Equal(v2, v);
    }

    [Fact]
    public void ClipGradNorm()
    {
        var a = nn.Parameter(zeros(2)); var b = nn.Parameter(zeros(1));
        a.grad = tensor(new[] { 3f, 0f }); b.grad = tensor(new[] { 4f });
        double n = nn.utils.clip_grad_norm_([a, b], 1.0);
        Assert.Equal(5.0, n, 6);
        GradCheck.Close(new[] { 0.6f, 0f }, a.grad.ToArray<float>(), 1e-5);
        GradCheck.Close(new[] { 0.8f }, b.grad!.ToArray<float>(), 1e-5);
        Assert.Equal(1.0, nn.utils.clip_grad_norm_([a, b], 10.0), 5); // under the limit: unchanged
        GradCheck.Close(new[] { 0.6f, 0f }, a.grad!.ToArray<float>(), 1e-5);
    }

    [Fact]
    public void CosineWithWarmupSchedule()
    {
        Assert.Equal(1e-3 * 1 / 11, optim.lr_scheduler.CosineWithWarmup(0, 10, 110, 1e-3, 1e-4), 12);
        Assert.Equal(1e-3, optim.lr_scheduler.CosineWithWarmup(10, 10, 110, 1e-3, 1e-4), 12);
        Assert.Equal(0.55e-3, optim.lr_scheduler.CosineWithWarmup(60, 10, 110, 1e-3, 1e-4), 12);
        Assert.Equal(1e-4, optim.lr_scheduler.CosineWithWarmup(500, 10, 110, 1e-3, 1e-4), 12);
    }

    [Fact]
    public void RandomIsDeterministic()
    {
        manual_seed(42);
        var a = randn(5).ToArray<float>();
        manual_seed(42);
        Assert.Equal(a, randn(5).ToArray<float>());
        var probs = tensor(new[] { 0.1f, 0.0f, 0.6f, 0.3f, 0.5f, 0.5f, 0f, 0f }, 2, 4);
        var s1 = multinomial(probs, 3, true, new Generator(7)).ToArray<long>();
        var s2 = multinomial(probs, 3, true, new Generator(7)).ToArray<long>();
        Assert.Equal(s1, s2);
        Assert.DoesNotContain(1L, s1.Take(3));
        Assert.All(s1.Skip(3), v => Assert.InRange(v, 0, 1));
        var counts = new int[4];
        var many = multinomial(tensor(new[] { 0.2f, 0.8f, 0f, 0f }), 2000, true, new Generator(1)).ToArray<long>();
        foreach (var v in many) counts[v]++;
        Assert.InRange(counts[1], 1500, 1700);
        var noRep = multinomial(tensor(new[] { 1f, 1f, 1f }), 3, false, new Generator(2)).ToArray<long>();
        Assert.Equal(new long[] { 0, 1, 2 }, noRep.OrderBy(v => v));
    }

    [Fact]
    public void ToStringShowsShapeAndValues()
    {
        var s = tensor(new[] { 1f, 2.5f, 3f }, 1, 3).ToString();
        Assert.Contains("[1x3]", s);
        Assert.Contains("2.5", s);
        Assert.Contains("Float32", s);
    }
}
