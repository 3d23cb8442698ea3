using System.Text.Json;
using R1.RL;
using static R1.torch;

namespace R1.Tests.RL;

/// <summary>The clipped GRPO loss against PyTorch autograd (tools/golden/rl_golden.py): value, gradient w.r.t. the
/// policy log-probs, and the logged statistics, for every loss type × clip regime × β/KL estimator.</summary>
public class GrpoLossTests
{
    public static TheoryData<string> CaseNames()
    {
        var d = new TheoryData<string>();
        foreach (var c in Golden.Root.GetProperty("cases").EnumerateArray()) d.Add(c.GetProperty("name").GetString()!);
        return d;
    }

    static JsonElement Case(string name) =>
        Golden.Root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    static Tensor Rows(string key, int[] rows, int T, bool requiresGrad = false)
    {
        var all = Golden.Matrix(Golden.Root.GetProperty(key));
        var data = rows.SelectMany(r => all.Skip(r * T).Take(T)).Select(x => (float)x).ToArray();
        return tensor(data, [rows.Length, T], requiresGrad);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        var c = Case(name);
        int T = Golden.Root.GetProperty("T").GetInt32();
        var rows = c.GetProperty("rows").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        bool mu1 = name.Contains("/mu1/");
        var logp = Rows("logp", rows, T, requiresGrad: true);
        var old = mu1 ? logp.detach() : Rows("old_logp", rows, T);
        var refLogp = Rows("ref_logp", rows, T);
        var mask = name == "grpo/mu1/beta0" ? ones(rows.Length, T) : Rows("mask", rows, T);
        var advAll = Golden.Vector(Golden.Root.GetProperty("advantages"));
        var adv = tensor(rows.Select(r => (float)advAll[r]).ToArray(), rows.Length);
        var config = new GrpoLossConfig
        {
            LossType = c.GetProperty("loss_type").GetString() switch
            {
                "grpo" => LossType.Grpo, "bnpo" => LossType.Bnpo, "dr_grpo" => LossType.DrGrpo, "dapo" => LossType.Dapo,
                var s => throw new InvalidDataException(s),
            },
            EpsLow = c.GetProperty("eps_low").GetDouble(),
            EpsHigh = c.GetProperty("eps_high").GetDouble(),
            Beta = c.GetProperty("beta").GetDouble(),
            KlEstimator = Enum.Parse<KlEstimator>(c.GetProperty("kl_estimator").GetString()!, ignoreCase: true),
            MaxCompletionLength = c.GetProperty("max_completion_length").GetInt32(),
        };
        var tib = c.GetProperty("tokens_in_batch");
        double? tokensInBatch = tib.ValueKind == JsonValueKind.Null ? null : tib.GetDouble();

        var r = GrpoLoss.Compute(logp, old, refLogp, adv, mask, config, tokensInBatch);
        r.Loss.backward();

        double expected = c.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(r.Loss.item<float>() - expected) <= 2e-6 + 1e-5 * Math.Abs(expected),
            $"{name}: loss {r.Loss.item<float>():R}, PyTorch {expected:R}");
        var grad = logp.grad!.ToFloatArray().Select(x => (double)x).ToArray();
        var eg = Golden.Matrix(c.GetProperty("grad_logp"));
        for (int i = 0; i < eg.Length; i++)
            Assert.True(Math.Abs(grad[i] - eg[i]) <= 1e-6 + 1e-4 * Math.Abs(eg[i]), $"{name}: dloss/dlogp[{i}] = {grad[i]:R}, PyTorch {eg[i]:R}");
        var st = c.GetProperty("stats");
        Assert.Equal(st.GetProperty("kl").GetDouble(), r.Kl, 5);
        Assert.Equal(st.GetProperty("clip_ratio/low_mean").GetDouble(), r.ClipLow, 6);
        Assert.Equal(st.GetProperty("clip_ratio/high_mean").GetDouble(), r.ClipHigh, 6);
        Assert.Equal(st.GetProperty("clip_ratio/region_mean").GetDouble(), r.ClipRegion, 6);
    }

    [Fact]
    public void LossIsZeroAtFirstIterationWithBetaZeroButGradientIsNot()
    {
        // A known pain point: with μ = 1 (old = logp.detach(), so every ratio is 1), β = 0 and group-normalised
        // advantages (zero mean per group), the grpo loss is −mean(A) = 0 at every step. The gradient, −A_i/|o_i| per
        // token, is not zero, so the policy still learns: watch the reward, not the loss.
        var logp = tensor(new float[] { -1, -2, -0.5f, -1.5f, -0.3f, -0.7f }, [3, 2], requires_grad: true);
        var adv = tensor(Advantages.Group([1.0, 0.0, 0.5], 3).Select(x => (float)x).ToArray(), 3);
        var r = GrpoLoss.Compute(logp, logp.detach(), null, adv, ones(3, 2), new GrpoLossConfig { LossType = LossType.Grpo });
        Assert.Equal(0f, r.Loss.item<float>(), 6);
        r.Loss.backward();
        var g = logp.grad!.ToFloatArray();
        // dL/dlogp_{i,t} = −A_i / (B · |o_i|) = −A_i / 6 here
        float a0 = (float)(0.5 / 0.5001);
        Assert.Equal([-a0 / 6, -a0 / 6, a0 / 6, a0 / 6, 0, 0], g.Select(x => MathF.Round(x, 6)).ToArray(),
            new FloatTolerance(1e-6f));
    }

    [Fact]
    public void PerTokenAdvantagesAndFullyMaskedRows()
    {
        // PPO form: (B, T) advantages. Row 1 is fully masked (a filtered truncated completion): grpo still divides
        // by B = 2 (as TRL), so the row only dilutes the mean; its gradient is 0.
        var logp = tensor(new float[] { -1, -2, -0.5f, -1.5f }, [2, 2], requires_grad: true);
        var adv = tensor(new float[] { 1, -2, 3, 4 }, [2, 2]);
        var mask = tensor(new float[] { 1, 1, 0, 0 }, [2, 2]);
        var r = GrpoLoss.Compute(logp, logp.detach(), null, adv, mask, new GrpoLossConfig { LossType = LossType.Grpo });
        Assert.Equal(-(1 - 2) / 2.0 / 2.0, r.Loss.item<float>(), 6);
        r.Loss.backward();
        Assert.Equal([-0.25f, 0.5f, 0, 0], logp.grad!.ToFloatArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        var logp = zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, zeros(2, 4), null, zeros(2), ones(2, 3), new GrpoLossConfig()));
        Assert.Contains("oldLogp has shape [2, 4]; expected [2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, logp, null, zeros(2), ones(2, 3), new GrpoLossConfig { Beta = 0.1 }));
        Assert.Contains("refLogp is null", e.Message);
        e = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, logp, null, zeros(3), ones(2, 3), new GrpoLossConfig()));
        Assert.Contains("advantages has shape [3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(logp, logp, null, zeros(2), ones(2, 3), new GrpoLossConfig { LossType = LossType.DrGrpo }));
        Assert.Contains("MaxCompletionLength", e.Message);
    }

    sealed class FloatTolerance(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tol;
        public int GetHashCode(float obj) => 0;
    }
}
