using System.Collections;
using static R1.torch;

namespace R1.Modules;

/// <summary>y = x·Wᵀ + b with W (out, in); PyTorch's default init U(−1/√in, 1/√in) for both.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    public Tensor weight;
    public Tensor? bias;
    public readonly long in_features, out_features;

    public Linear(long inputSize, long outputSize, bool hasBias = true, Generator? generator = null) : base(nameof(Linear))
    {
        in_features = inputSize; out_features = outputSize;
        double bound = 1.0 / Math.Sqrt(Math.Max(inputSize, 1));
        using (no_grad())
        {
            weight = nn.Parameter(empty(outputSize, inputSize));
            nn.init.uniform_(weight, -bound, bound, generator);
            if (hasBias) { bias = nn.Parameter(empty(outputSize)); nn.init.uniform_(bias, -bound, bound, generator); }
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}

/// <summary>A lookup table (num_embeddings, embedding_dim), initialised N(0, 1) like PyTorch.</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    public Tensor weight;

    public Embedding(long num_embeddings, long embedding_dim, Generator? generator = null) : base(nameof(Embedding))
    {
        using (no_grad()) { weight = nn.Parameter(empty(num_embeddings, embedding_dim)); nn.init.normal_(weight, 0, 1, generator); }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.embedding(input, weight);
}

/// <summary>Layer normalisation over the trailing dims, weight 1 and bias 0 at init.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    public Tensor? weight, bias;
    readonly long[] shape;
    readonly double eps;

    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true) : base(nameof(LayerNorm))
    {
        shape = (long[])normalized_shape.Clone(); this.eps = eps;
        if (elementwise_affine)
        {
            weight = nn.Parameter(ones(shape));
            if (bias) this.bias = nn.Parameter(zeros(shape));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.layer_norm(input, shape, weight, bias, eps);
}

/// <summary>RMS normalisation over the trailing dims, weight 1 at init.</summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    public Tensor? weight;
    readonly long[] shape;
    readonly double? eps;

    public RMSNorm(long[] normalized_shape, double? eps = null, bool elementwise_affine = true) : base(nameof(RMSNorm))
    {
        shape = (long[])normalized_shape.Clone(); this.eps = eps;
        if (elementwise_affine) weight = nn.Parameter(ones(shape));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.rms_norm(input, shape, weight, eps);
}

/// <summary>Dropout active only in training mode.</summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>
{
    public readonly double p;
    public Dropout(double p = 0.5) : base(nameof(Dropout))
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1]; got {p}.");
        this.p = p;
    }
    public override Tensor forward(Tensor input) => nn.functional.dropout(input, p, training);
}

public sealed class GELU : nn.Module<Tensor, Tensor>
{
    readonly string approximate;
    public GELU(string approximate = "none") : base(nameof(GELU)) { this.approximate = approximate; }
    public override Tensor forward(Tensor input) => gelu(input, approximate);
}

public sealed class ReLU : nn.Module<Tensor, Tensor>
{
    public ReLU() : base(nameof(ReLU)) { }
    public override Tensor forward(Tensor input) => relu(input);
}

public sealed class SiLU : nn.Module<Tensor, Tensor>
{
    public SiLU() : base(nameof(SiLU)) { }
    public override Tensor forward(Tensor input) => silu(input);
}

/// <summary>Modules applied in order; children named "0", "1", ….</summary>
public sealed class Sequential : nn.Module<Tensor, Tensor>
{
    readonly List<nn.Module<Tensor, Tensor>> layers = new();

    public Sequential(params nn.Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        foreach (var m in modules) { register_module(layers.Count.ToString(), m); layers.Add(m); }
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var l in layers)
        {
            var y = l.call(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = y;
        }
        return ReferenceEquals(x, input) ? input.alias_with_grad_internal() : x;
    }
}

/// <summary>A list of child modules named "0", "1", … (PyTorch's nn.ModuleList).</summary>
public sealed class ModuleList<T> : nn.Module, IReadOnlyList<T> where T : nn.Module
{
    readonly List<T> items = new();

    public ModuleList(params T[] modules) : base(nameof(ModuleList<T>)) { foreach (var m in modules) Add(m); }

    public void Add(T module) { register_module(items.Count.ToString(), module); items.Add(module); }
    public T this[int index] => items[index];
    public int Count => items.Count;
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Child modules by name, in insertion order (PyTorch's nn.ModuleDict).</summary>
public sealed class ModuleDict<T> : nn.Module, IEnumerable<(string name, T module)> where T : nn.Module
{
    readonly List<(string, T)> items = new();

    public ModuleDict() : base(nameof(ModuleDict<T>)) { }

    public void Add(string name, T module) { register_module(name, module); items.Add((name, module)); }
    public T this[string name] => items.First(x => x.Item1 == name).Item2;
    public IEnumerator<(string name, T module)> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
