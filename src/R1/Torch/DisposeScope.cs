namespace R1;

public static partial class torch
{
    /// <summary>
    /// Every tensor created while this scope is the innermost one on the thread is disposed with it (its buffer
    /// goes back to the pool), unless moved out with <see cref="Tensor.MoveToOuterScope"/> or
    /// <see cref="Tensor.DetachFromDisposeScope"/>. Use one per training step:
    /// <code>using (var scope = torch.NewDisposeScope()) { loss = ...; loss.backward(); opt.step(); }</code>
    /// </summary>
    public sealed class DisposeScope : IDisposable
    {
        [ThreadStatic] static DisposeScope? current;
        readonly List<Tensor> tensors = new();
        readonly DisposeScope? outer;
        bool disposed;

        internal DisposeScope() { outer = current; current = this; }

        /// <summary>Tensors registered here (some may have moved out since).</summary>
        public int Count => tensors.Count;

        internal static void Register(Tensor t)
        {
            var s = current;
            if (s is null) return;
            t.scope = s;
            s.tensors.Add(t);
        }

        internal static void MoveToOuter(Tensor t)
        {
            var s = t.scope;
            if (s is null) return;
            t.scope = s.outer;
            s.outer?.tensors.Add(t);
        }

        internal static void Detach(Tensor t) => t.scope = null;

        /// <summary>Moves tensors to the enclosing scope (or out of all scopes) so they survive this one.</summary>
        public void MoveToOuter(params Tensor[] ts) { foreach (var t in ts) if (t.scope == this) MoveToOuter(t); }

        /// <summary>Detaches tensors from every scope: they live until disposed by hand or collected.</summary>
        public void Detach(params Tensor[] ts) { foreach (var t in ts) if (t.scope == this) t.scope = null; }

        /// <summary>Disposes everything registered so far but keeps the scope open (e.g. between steps).</summary>
        public void DisposeEverything()
        {
            foreach (var t in tensors) if (t.scope == this) t.Dispose();
            tensors.Clear();
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            if (current != this)
                throw new InvalidOperationException("Dispose scopes must be disposed innermost first (a nested scope is still open), or on the thread that opened them.");
            current = outer;
            DisposeEverything();
        }
    }

    /// <summary>Opens a dispose scope on this thread (TorchSharp's idiom for per-step memory reuse).</summary>
    public static DisposeScope NewDisposeScope() => new();
}
