using static R1.torch;

namespace R1.Modules;

/// <summary>Parameters sharing hyper-parameters (PyTorch's param_groups entry). Settable between steps.</summary>
public sealed class ParamGroup
{
    public IReadOnlyList<Tensor> Parameters { get; }
    public double LearningRate { get; set; }
    public double WeightDecay { get; set; }
    public double Beta1 { get; set; } = 0.9;
    public double Beta2 { get; set; } = 0.999;
    public double Eps { get; set; } = 1e-8;

    /// <summary>Hyper-parameters left null take the optimizer's defaults.</summary>
    public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weight_decay = null)
    {
        Parameters = parameters.ToList();
        LearningRate = lr ?? double.NaN; WeightDecay = weight_decay ?? double.NaN;
    }
}

/// <summary>Per-parameter AdamW state (exposed for checkpoints). Tensors are owned by the optimizer, never pooled.</summary>
public sealed class AdamWState
{
    public long step;
    public Tensor exp_avg;
    public Tensor exp_avg_sq;
    internal AdamWState(Tensor exp_avg, Tensor exp_avg_sq) { this.exp_avg = exp_avg; this.exp_avg_sq = exp_avg_sq; }
}

/// <summary>
/// Adam with decoupled weight decay, exactly as PyTorch 1.13's single-tensor AdamW:
/// p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
/// p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps). Parameters without a gradient are skipped.
/// </summary>
public sealed class AdamW : IDisposable
{
    readonly Dictionary<Tensor, AdamWState> state = new(ReferenceEqualityComparer.Instance);
    public IReadOnlyList<ParamGroup> ParamGroups { get; }

    public AdamW(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weight_decay)
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), $"AdamW: learning rate must be ≥ 0; got {lr}.");
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"AdamW: betas must be in [0, 1); got ({beta1}, {beta2}).");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), $"AdamW: eps must be ≥ 0; got {eps}.");
        var gs = groups.ToList();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in gs)
        {
            if (double.IsNaN(g.LearningRate)) g.LearningRate = lr;
            if (double.IsNaN(g.WeightDecay)) g.WeightDecay = weight_decay;
            g.Beta1 = beta1; g.Beta2 = beta2; g.Eps = eps;
            foreach (var p in g.Parameters)
            {
                if (!p.requires_grad) throw new ArgumentException($"AdamW: a parameter of shape [{string.Join(", ", p.shape)}] does not require grad.");
                if (!seen.Add(p)) throw new ArgumentException("AdamW: some parameters appear in more than one group (or twice).");
            }
        }
        ParamGroups = gs;
    }

    /// <summary>Learning rate of the first group; setting it sets every group (for schedules).</summary>
    public double lr
    {
        get => ParamGroups.Count > 0 ? ParamGroups[0].LearningRate : 0;
        set { foreach (var g in ParamGroups) g.LearningRate = value; }
    }

    /// <summary>The state of one parameter (null before its first step).</summary>
    public AdamWState? State(Tensor parameter) => state.TryGetValue(parameter, out var s) ? s : null;

    /// <summary>Every parameter in group order with its state (null if not stepped yet): for checkpoints.</summary>
    public IEnumerable<(Tensor parameter, AdamWState? state)> state_dict()
        => ParamGroups.SelectMany(g => g.Parameters).Select(p => (p, State(p)));

    /// <summary>Restores one parameter's state (copies the moment tensors).</summary>
    public void load_state(Tensor parameter, long step, Tensor exp_avg, Tensor exp_avg_sq)
    {
        var s = GetOrCreate(parameter);
        if (!exp_avg.shape.SequenceEqual(parameter.shape) || !exp_avg_sq.shape.SequenceEqual(parameter.shape))
            throw new ArgumentException($"AdamW.load_state: moment shapes [{string.Join(", ", exp_avg.shape)}] / [{string.Join(", ", exp_avg_sq.shape)}] do not match the parameter [{string.Join(", ", parameter.shape)}].");
        using (no_grad()) { s.exp_avg.copy_(exp_avg); s.exp_avg_sq.copy_(exp_avg_sq); }
        s.step = step;
    }

    AdamWState GetOrCreate(Tensor p)
    {
        if (state.TryGetValue(p, out var s)) return s;
        var m = zeros(p.shape).DetachFromDisposeScope();
        var v = zeros(p.shape).DetachFromDisposeScope();
        // own, non-pooled copies: optimizer state lives as long as the optimizer
        s = new AdamWState(nn.Parameter(m, false), nn.Parameter(v, false));
        m.Dispose(); v.Dispose();
        state[p] = s;
        return s;
    }

    public void step()
    {
        foreach (var g in ParamGroups)
        {
            float b1 = (float)g.Beta1, b2 = (float)g.Beta2;
            foreach (var p in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                var s = GetOrCreate(p);
                s.step++;
                double bc1 = 1 - Math.Pow(g.Beta1, s.step), bc2 = 1 - Math.Pow(g.Beta2, s.step);
                float decay = (float)(1 - g.LearningRate * g.WeightDecay);
                float stepSize = (float)(g.LearningRate / bc1), bc2Sqrt = (float)Math.Sqrt(bc2), eps = (float)g.Eps;
                float omb1 = (float)(1 - g.Beta1), omb2 = (float)(1 - g.Beta2); // in double first, as PyTorch's Python scalars
                using var gc = grad.contiguous();
                var c = new AdamWStep(b1, b2, omb1, omb2, decay, stepSize, bc2Sqrt, eps);
                AdamWUpdate(c, p.data<float>(), gc.data<float>(), s.exp_avg.data<float>(), s.exp_avg_sq.data<float>());
            }
        }
    }

    internal readonly record struct AdamWStep(float B1, float B2, float OneMinusB1, float OneMinusB2, float Decay, float StepSize, float Bc2Sqrt, float Eps);

    /// <summary>The fused AdamW element update (vectorised; the scalar loop is its twin and handles the tail).</summary>
    internal static void AdamWUpdate(in AdamWStep c, Span<float> P, ReadOnlySpan<float> G, Span<float> M, Span<float> V)
    {
        int i = 0, n = P.Length;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            var b1 = System.Runtime.Intrinsics.Vector256.Create(c.B1); var b2 = System.Runtime.Intrinsics.Vector256.Create(c.B2);
            var o1 = System.Runtime.Intrinsics.Vector256.Create(c.OneMinusB1); var o2 = System.Runtime.Intrinsics.Vector256.Create(c.OneMinusB2);
            var dec = System.Runtime.Intrinsics.Vector256.Create(c.Decay); var ss = System.Runtime.Intrinsics.Vector256.Create(c.StepSize);
            var bc = System.Runtime.Intrinsics.Vector256.Create(c.Bc2Sqrt); var eps = System.Runtime.Intrinsics.Vector256.Create(c.Eps);
            for (; i <= n - 8; i += 8)
            {
                var g = System.Runtime.Intrinsics.Vector256.Create(G.Slice(i, 8));
                var m = System.Runtime.Intrinsics.Vector256.Create(M.Slice(i, 8)) * b1 + o1 * g;
                var v = System.Runtime.Intrinsics.Vector256.Create(V.Slice(i, 8)) * b2 + o2 * g * g;
                var p = System.Runtime.Intrinsics.Vector256.Create(P.Slice(i, 8)) * dec;
                p -= ss * (m / (System.Runtime.Intrinsics.Vector256.Sqrt(v) / bc + eps));
                System.Runtime.Intrinsics.Vector256.CopyTo(m, M.Slice(i, 8)); System.Runtime.Intrinsics.Vector256.CopyTo(v, V.Slice(i, 8)); System.Runtime.Intrinsics.Vector256.CopyTo(p, P.Slice(i, 8));
            }
        }
        for (; i < n; i++) AdamWScalar(c, ref P[i], G[i], ref M[i], ref V[i]);
    }

    internal static void AdamWScalar(in AdamWStep c, ref float p, float g, ref float m, ref float v)
    {
        m = m * c.B1 + c.OneMinusB1 * g;
        v = v * c.B2 + c.OneMinusB2 * g * g;
        p = p * c.Decay - c.StepSize * (m / (MathF.Sqrt(v) / c.Bc2Sqrt + c.Eps));
    }

    /// <summary>Zeroes the gradients of every parameter in place (or drops them with set_to_none).</summary>
    public void zero_grad(bool set_to_none = false)
    {
        foreach (var p in ParamGroups.SelectMany(g => g.Parameters))
        {
            if (p.grad is null) continue;
            if (set_to_none) { var gr = p.grad; p.grad = null; gr.Dispose(); }
            else using (no_grad()) p.grad.zero_();
        }
    }

    public void Dispose()
    {
        foreach (var s in state.Values) { s.exp_avg.Dispose(); s.exp_avg_sq.Dispose(); }
        state.Clear();
    }
}

/// <summary>Learning-rate schedules as pure functions of the step.</summary>
public static class LRSchedules
{
    /// <summary>
    /// nanoGPT's schedule: linear warmup to <paramref name="maxLr"/> over <paramref name="warmup"/> steps
    /// (lr·(step+1)/(warmup+1)), then cosine decay to <paramref name="minLr"/> at <paramref name="total"/>, then flat.
    /// </summary>
    public static double CosineWithWarmup(long step, long warmup, long total, double maxLr, double minLr)
    {
        if (step < warmup) return maxLr * (step + 1) / (warmup + 1);
        if (step >= total) return minLr;
        double ratio = (double)(step - warmup) / Math.Max(1, total - warmup);
        return minLr + 0.5 * (1 + Math.Cos(Math.PI * ratio)) * (maxLr - minLr);
    }
}

