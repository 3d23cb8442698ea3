namespace R1;

public static partial class torch
{
    /// <summary>The op that made a tensor: its inputs and the closure that turns the output's gradient into
    /// input gradients (by calling <see cref="Acc"/> for each input that needs one).</summary>
    internal sealed class GradFn
    {
        public readonly string Name;
        public readonly Tensor[] Inputs;
        public readonly int[] Versions; // the inputs' storage versions when recorded
        public Action<Tensor>? Backward;
        public GradFn(string name, Tensor[] inputs, Action<Tensor> backward)
        {
            Name = name; Inputs = inputs; Backward = backward;
            Versions = new int[inputs.Length];
            for (int i = 0; i < inputs.Length; i++) Versions[i] = inputs[i].Version;
        }

        public void CheckVersions()
        {
            for (int i = 0; i < Inputs.Length; i++)
                if (Inputs[i].Version != -1 && Inputs[i].Version != Versions[i])
                    throw new InvalidOperationException(
                        $"backward(): input {i} of {Name} (shape {ShapeStr(Inputs[i].Shape)}) was modified by an in-place operation after it was used; " +
                        "its old values are needed for the gradient. Use an out-of-place op or clone() it first.");
        }
    }

    [ThreadStatic] static bool gradDisabled;

    public static bool is_grad_enabled() => !gradDisabled;

    public static void set_grad_enabled(bool enabled) => gradDisabled = !enabled;

    /// <summary>Disables graph building until disposed: <c>using (torch.no_grad()) { ... }</c>.</summary>
    public static IDisposable no_grad() => new GradMode(false);

    /// <summary>Re-enables graph building inside a no_grad block until disposed.</summary>
    public static IDisposable enable_grad() => new GradMode(true);

    sealed class GradMode : IDisposable
    {
        readonly bool prevDisabled;
        bool done;
        public GradMode(bool enabled) { prevDisabled = gradDisabled; gradDisabled = !enabled; }
        public void Dispose() { if (done) return; done = true; gradDisabled = prevDisabled; }
    }

    /// <summary>True when an op over these inputs must record a graph node.</summary>
    internal static bool NeedsGrad(Tensor a) => !gradDisabled && a.requires_grad;
    internal static bool NeedsGrad(Tensor a, Tensor b) => !gradDisabled && (a.requires_grad || b.requires_grad);
    internal static bool NeedsGrad(Tensor a, Tensor b, Tensor c) => !gradDisabled && (a.requires_grad || b.requires_grad || c.requires_grad);

    /// <summary>Marks <paramref name="result"/> as produced by an op with the given backward.</summary>
    internal static Tensor Record(Tensor result, string name, Action<Tensor> backward, params Tensor[] inputs)
    {
        result.fn = new GradFn(name, inputs, backward);
        result.SetRequiresGradInternal();
        foreach (var t in inputs) t.graphUses++;
        result.graphUses++;
        if (Profiler.Enabled) Profiler.Forward(name);
        return result;
    }

    /// <summary>
    /// Adds gradient <paramref name="g"/> (same shape as <paramref name="t"/>; ownership passes to the engine)
    /// into t's accumulator: a leaf's persistent .grad, or a non-leaf's pending gradient for this pass.
    /// </summary>
    internal static void Acc(Tensor t, Tensor g)
    {
        if (!t.requires_grad) { g.Dispose(); return; }
        if (!SameShape(t.Shape, g.Shape))
            throw new InvalidOperationException($"Internal autograd error: gradient of shape {ShapeStr(g.Shape)} for a tensor of shape {ShapeStr(t.Shape)}.");
        if (t.fn is null)
        {
            // Leaf: .grad is owned by the tensor (not pooled, not in a scope) and accumulates across backward calls.
            if (t.gradT is null)
            {
                var ng = Tensor.Empty(t.Shape, pooled: false);
                ng.scope = null;
                CopyInto(g, ng);
                t.gradT = ng;
            }
            else AddInto(t.gradT, g);
            g.Dispose();
            return;
        }
        if (t.gacc is null) { t.gacc = g; return; }
        var cur = t.gacc;
        if (cur.IsContig && cur.StorageRefCount == 1) { AddInto(cur, g); g.Dispose(); }
        else if (g.IsContig && g.StorageRefCount == 1) { AddInto(g, cur); cur.Dispose(); t.gacc = g; }
        else
        {
            var sum = Tensor.Empty(t.Shape);
            BinaryInto(BinOp.Add, cur, g, sum);
            cur.Dispose(); g.Dispose();
            t.gacc = sum;
        }
    }

    /// <summary>
    /// Adds <paramref name="g"/> (not owned) into region(accumulator of t), where region picks the part of t a
    /// sub-view covers (narrow, slice, select). Avoids building a zero tensor of t's full size per sub-view: the
    /// pieces of a split all land in one accumulator.
    /// </summary>
    internal static void AccRegion(Tensor t, Tensor g, Func<Tensor, Tensor> region)
    {
        if (!t.requires_grad) return;
        Tensor target;
        if (t.fn is null)
        {
            if (t.gradT is null) { var ng = Tensor.Empty(t.Shape, clear: true, pooled: false); ng.scope = null; t.gradT = ng; }
            target = t.gradT;
        }
        else
        {
            if (t.gacc is null) t.gacc = Tensor.Empty(t.Shape, clear: true);
            else if (!(t.gacc.IsContig && t.gacc.StorageRefCount == 1)) { var c = Materialize(t.gacc); t.gacc.Dispose(); t.gacc = c; }
            target = t.gacc;
        }
        using var v = region(target);
        BinaryInto(BinOp.Add, v, g, v);
    }

    public sealed partial class Tensor
    {
        internal void SetRequiresGradInternal() => requiresGrad = true;

        /// <summary>
        /// Computes gradients of this tensor (a scalar, unless <paramref name="gradient"/> is given) with respect to
        /// every leaf that requires grad, accumulating into their <see cref="grad"/>. The graph is freed afterwards.
        /// </summary>
        public void backward(Tensor? gradient = null)
        {
            if (!requiresGrad)
                throw new InvalidOperationException("backward(): this tensor does not require grad and has no grad_fn (was it computed under no_grad, or from tensors without requires_grad?).");
            if (gradient is null && Numel != 1)
                throw new InvalidOperationException($"backward() without a gradient needs a scalar output; this tensor has shape {ShapeStr(Shape)}. Pass a gradient of that shape.");
            if (gradient is not null && !SameShape(gradient.Shape, Shape))
                throw new ArgumentException($"backward(): gradient shape {ShapeStr(gradient.Shape)} does not match the tensor shape {ShapeStr(Shape)}.");

            // Reverse topological order over tensors that have a grad_fn.
            var order = new List<Tensor>();
            var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            var stack = new Stack<(Tensor t, int next)>();
            if (fn is not null) { stack.Push((this, 0)); visited.Add(this); }
            while (stack.Count > 0)
            {
                var (t, next) = stack.Pop();
                var inputs = t.fn!.Inputs;
                if (next < inputs.Length)
                {
                    stack.Push((t, next + 1));
                    var c = inputs[next];
                    if (c.fn is not null && c.requiresGrad && visited.Add(c)) stack.Push((c, 0));
                }
                else order.Add(t);
            }

            using var _ = no_grad();
            Tensor seed;
            if (gradient is null) { seed = Tensor.Empty(Shape); seed.FSpan.Fill(1f); }
            else { seed = Tensor.Empty(Shape); CopyInto(gradient, seed); }
            Acc(this, seed);
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var g = t.gacc;
                t.gacc = null;
                var bw = t.fn!.Backward ?? throw new InvalidOperationException(
                    $"Trying to backward through the graph a second time (op {t.fn.Name}); its saved tensors were freed after the first backward().");
                t.fn.Backward = null;
                long t0 = Profiler.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
                if (g is not null) { t.fn.CheckVersions(); bw(g); g.Dispose(); } // else no gradient flowed here
                if (Profiler.Enabled) Profiler.Backward(t.fn.Name, t0);
                foreach (var x in t.fn.Inputs) x.Unuse();
                t.Unuse();
            }
        }
    }
}
