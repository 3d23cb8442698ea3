using System.Reflection;

namespace R1;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Wraps <paramref name="data"/> as a trainable parameter: a leaf that requires grad, with its own (never pooled,
        /// never scope-owned) copy of the values.
        /// </summary>
        public static Tensor Parameter(Tensor data, bool requires_grad = true)
        {
            if (data.dtype != ScalarType.Float32) throw new ArgumentException($"Parameter: only Float32 tensors can be parameters; got {data.dtype}.");
            var p = Tensor.Empty(data.Shape, pooled: false);
            p.DetachFromDisposeScope();
            CopyInto(data, p);
            p.IsParameter = true;
            if (requires_grad) p.requires_grad = true;
            return p;
        }

        /// <summary>
        /// Base of every layer. Children and parameters are registered by name (explicitly with register_module /
        /// register_parameter / register_buffer, or from fields by <see cref="RegisterComponents"/>), which gives
        /// dotted names like "h.0.attn.c_attn.weight" for named_parameters() and state_dict().
        /// </summary>
        public abstract class Module : IDisposable
        {
            readonly List<(string name, Tensor? t)> parametersList = new();
            readonly List<(string name, Tensor? t, bool persistent)> buffersList = new();
            readonly List<(string name, Module m)> modulesList = new();
            readonly string name;

            protected Module(string name) { this.name = name; }

            public string GetName() => name;

            /// <summary>True in training mode (dropout active); set by train()/eval() recursively.</summary>
            public bool training { get; private set; } = true;

            static void CheckName(string name, string what)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"{what} name '{name}' must be non-empty and contain no '.'.");
            }

            bool Has(string n) => parametersList.Any(p => p.name == n) || buffersList.Any(b => b.name == n) || modulesList.Any(m => m.name == n);

            public void register_parameter(string name, Tensor? param)
            {
                CheckName(name, "Parameter");
                if (Has(name)) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
                if (param is not null && !param.IsParameter)
                {
                    if (!param.is_leaf) throw new ArgumentException($"register_parameter: '{name}' must be a leaf tensor (detach() it first).");
                    param.DetachFromDisposeScope();
                    param.IsParameter = true;
                    param.requires_grad = true;
                }
                parametersList.Add((name, param));
            }

            public void register_buffer(string name, Tensor? tensor, bool persistent = true)
            {
                CheckName(name, "Buffer");
                if (Has(name)) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
                tensor?.DetachFromDisposeScope();
                buffersList.Add((name, tensor, persistent));
            }

            public void register_module(string name, Module module)
            {
                CheckName(name, "Module");
                if (Has(name)) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
                modulesList.Add((name, module));
            }

            /// <summary>
            /// Registers, in declaration order (base class first), every field holding a Module or a parameter Tensor
            /// (one made by nn.Parameter) under the field's name (a property's name for auto-properties). Plain tensor
            /// fields are left alone; use register_buffer for state that belongs in state_dict().
            /// </summary>
            protected void RegisterComponents()
            {
                var types = new List<Type>();
                for (var t = GetType(); t is not null && t != typeof(Module); t = t.BaseType) types.Insert(0, t);
                foreach (var t in types)
                    foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        var n = f.Name;
                        if (n.StartsWith('<')) n = n[1..n.IndexOf('>')];
                        var v = f.GetValue(this);
                        if (Has(n)) continue;
                        if (v is Module m) register_module(n, m);
                        else if (v is Tensor { IsParameter: true } p) register_parameter(n, p);
                    }
            }

            /// <summary>Parameters with dotted names, own first then children's in registration order; a tensor shared
            /// by two modules (tied weights) appears once, under its first name — as in PyTorch.</summary>
            public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (n, p) in NamedParamsAll(recurse ? "" : null))
                    if (seen.Add(p)) yield return (n, p);
            }

            IEnumerable<(string, Tensor)> NamedParamsAll(string? prefix)
            {
                foreach (var (n, p) in parametersList) if (p is not null) yield return ((prefix ?? "") + n, p);
                if (prefix is null) yield break;
                foreach (var (n, m) in modulesList)
                    foreach (var x in m.NamedParamsAll(prefix + n + ".")) yield return x;
            }

            public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(x => x.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                foreach (var (n, b, _) in buffersList) if (b is not null) yield return (n, b);
                if (!recurse) yield break;
                foreach (var (n, m) in modulesList)
                    foreach (var (bn, b) in m.named_buffers()) yield return (n + "." + bn, b);
            }

            public IEnumerable<(string name, Module module)> named_children() => modulesList;
            public IEnumerable<Module> children() => modulesList.Select(x => x.m);

            public IEnumerable<(string name, Module module)> named_modules()
            {
                yield return ("", this);
                foreach (var (n, m) in modulesList)
                    foreach (var (sn, sm) in m.named_modules()) yield return (sn.Length == 0 ? n : n + "." + sn, sm);
            }
            public IEnumerable<Module> modules() => named_modules().Select(x => x.module);

            /// <summary>Every parameter and persistent buffer by dotted name (tied tensors appear under each name).
            /// The tensors are the live ones (no copy), as in PyTorch.</summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var d = new Dictionary<string, Tensor>();
                Collect(d, "");
                return d;
            }

            void Collect(Dictionary<string, Tensor> d, string prefix)
            {
                foreach (var (n, p) in parametersList) if (p is not null) d[prefix + n] = p;
                foreach (var (n, b, keep) in buffersList) if (b is not null && keep) d[prefix + n] = b;
                foreach (var (n, m) in modulesList) m.Collect(d, prefix + n + ".");
            }

            /// <summary>
            /// Copies values from <paramref name="source"/> into this module's parameters and buffers. A shape mismatch
            /// always throws (naming the key and both shapes); with <paramref name="strict"/>, missing or unexpected
            /// keys throw too. Returns the missing and unexpected keys.
            /// </summary>
            public (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(IDictionary<string, Tensor> source, bool strict = true)
            {
                var mine = state_dict();
                var missing = mine.Keys.Where(k => !source.ContainsKey(k)).ToList();
                var unexpected = source.Keys.Where(k => !mine.ContainsKey(k)).ToList();
                if (strict && (missing.Count > 0 || unexpected.Count > 0))
                    throw new ArgumentException("load_state_dict: " +
                        (missing.Count > 0 ? $"missing keys: {string.Join(", ", missing)}" : "") +
                        (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                        (unexpected.Count > 0 ? $"unexpected keys: {string.Join(", ", unexpected)}" : "") + ".");
                foreach (var (k, dst) in mine)
                {
                    if (!source.TryGetValue(k, out var src)) continue;
                    if (!SameShape(src.Shape, dst.Shape))
                        throw new ArgumentException($"load_state_dict: size mismatch for {k}: checkpoint has shape {ShapeStr(src.Shape)}, the model expects {ShapeStr(dst.Shape)}.");
                    if (src.dtype != dst.dtype)
                        throw new ArgumentException($"load_state_dict: dtype mismatch for {k}: checkpoint has {src.dtype}, the model expects {dst.dtype}.");
                }
                using (no_grad())
                    foreach (var (k, dst) in mine)
                        if (source.TryGetValue(k, out var src)) dst.copy_(src);
                return (missing, unexpected);
            }

            public Module train(bool mode = true)
            {
                training = mode;
                foreach (var (_, m) in modulesList) m.train(mode);
                return this;
            }

            public Module eval() => train(false);

            /// <summary>Clears gradients: zeroes them in place (keeps the buffers; PyTorch 1.13's default) or drops them.</summary>
            public void zero_grad(bool set_to_none = false)
            {
                foreach (var p in parameters())
                {
                    if (p.grad is null) continue;
                    if (set_to_none) { var g = p.grad; p.grad = null; g.Dispose(); }
                    else using (no_grad()) p.grad.zero_();
                }
            }

            /// <summary>Moves parameters and buffers to a device (only cpu exists today).</summary>
            public Module to(Device device)
            {
                CheckDevice(device);
                return this;
            }

            /// <summary>Total number of parameter elements.</summary>
            public long parameter_count() => parameters().Sum(p => p.numel());

            public virtual void Dispose()
            {
                foreach (var (_, p) in parametersList) p?.Dispose();
                foreach (var (_, b, _) in buffersList) b?.Dispose();
                foreach (var (_, m) in modulesList) m.Dispose();
                GC.SuppressFinalize(this);
            }

            public override string ToString() => $"{GetType().Name}({name})";
        }

        /// <summary>A module with one input: implement forward; call it with call(x) (or forward(x)).</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }
            public abstract TResult forward(T input);
            public TResult call(T input) => forward(input);
        }

        /// <summary>A module with two inputs.</summary>
        public abstract class Module<T1, T2, TResult> : Module
        {
            protected Module(string name) : base(name) { }
            public abstract TResult forward(T1 input1, T2 input2);
            public TResult call(T1 input1, T2 input2) => forward(input1, input2);
        }
    }
}

public static partial class torch
{
    public static partial class nn
    {
        public static Modules.Linear Linear(long inputSize, long outputSize, bool hasBias = true) => new(inputSize, outputSize, hasBias);
        public static Modules.Embedding Embedding(long num_embeddings, long embedding_dim) => new(num_embeddings, embedding_dim);
        public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true)
            => new([normalized_shape], eps, elementwise_affine, bias);
        public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true)
            => new(normalized_shape, eps, elementwise_affine, bias);
        public static Modules.RMSNorm RMSNorm(long normalized_shape, double? eps = null, bool elementwise_affine = true) => new([normalized_shape], eps, elementwise_affine);
        public static Modules.Dropout Dropout(double p = 0.5) => new(p);
        public static Modules.GELU GELU(string approximate = "none") => new(approximate);
        public static Modules.ReLU ReLU() => new();
        public static Modules.SiLU SiLU() => new();
        public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
        public static Modules.ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
        public static Modules.ModuleDict<T> ModuleDict<T>() where T : Module => new();
    }
}
