using R1.Modules;
using static R1.torch;

namespace R1.Models;

// Legend: B batch, T time (positions), C width (NEmbd), H heads, D head size (C / H), V vocabulary.
// Parameter names are nanoGPT's (transformer.wte.weight, transformer.h.0.attn.c_attn.weight, ...), so weights line
// up with the PyTorch reference in tools/golden/make_golden.py name for name.

/// <summary>Multi-head causal self-attention: one fused (C, 3C) projection for q, k, v, then the output projection.</summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    public readonly Linear c_attn, c_proj;
    readonly int nHead;
    readonly double dropout;

    public CausalSelfAttention(GPTConfig c) : base(nameof(CausalSelfAttention))
    {
        c_attn = nn.Linear(c.NEmbd, 3 * c.NEmbd);
        c_proj = nn.Linear(c.NEmbd, c.NEmbd);
        nHead = c.NHead;
        dropout = c.Dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long B = x.size(0), T = x.size(1), C = x.size(2), D = C / nHead;
        var qkv = c_attn.forward(x).split(C, 2);                              // 3 × (B, T, C)
        var q = qkv[0].view(B, T, nHead, D).transpose(1, 2);                  // (B, H, T, D)
        var k = qkv[1].view(B, T, nHead, D).transpose(1, 2);
        var v = qkv[2].view(B, T, nHead, D).transpose(1, 2);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal: true,
            dropout_p: training ? dropout : 0);                               // (B, H, T, D)
        y = y.transpose(1, 2).contiguous().view(B, T, C);                     // (B, T, C)
        var o = nn.functional.dropout(c_proj.forward(y), dropout, training);
        return o;
    }
}

/// <summary>The feed-forward block: C → 4C → GELU (tanh form, as GPT-2) → C.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear c_fc, c_proj;
    readonly double dropout;

    public Mlp(GPTConfig c) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(c.NEmbd, 4 * c.NEmbd);
        c_proj = nn.Linear(4 * c.NEmbd, c.NEmbd);
        dropout = c.Dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = nn.functional.gelu(c_fc.forward(x), approximate: "tanh");    // (B, T, 4C)
        return nn.functional.dropout(c_proj.forward(h), dropout, training);
    }
}

/// <summary>Pre-norm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)).</summary>
public sealed class Block : nn.Module<Tensor, Tensor>
{
    public readonly LayerNorm ln_1, ln_2;
    public readonly CausalSelfAttention attn;
    public readonly Mlp mlp;

    public Block(GPTConfig c) : base(nameof(Block))
    {
        ln_1 = nn.LayerNorm(c.NEmbd);
        attn = new CausalSelfAttention(c);
        ln_2 = nn.LayerNorm(c.NEmbd);
        mlp = new Mlp(c);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x + attn.forward(ln_1.forward(x));
        x = x + mlp.forward(ln_2.forward(x));
        return x;
    }
}

/// <summary>The body nanoGPT calls <c>transformer</c>: token and position embeddings, the blocks, the final norm.</summary>
public sealed class Transformer : nn.Module
{
    public readonly Embedding wte, wpe;
    public readonly ModuleList<Block> h;
    public readonly LayerNorm ln_f;

    public Transformer(GPTConfig c) : base(nameof(Transformer))
    {
        wte = nn.Embedding(c.VocabSize, c.NEmbd);
        wpe = nn.Embedding(c.BlockSize, c.NEmbd);
        h = nn.ModuleList(Enumerable.Range(0, c.NLayer).Select(_ => new Block(c)).ToArray());
        ln_f = nn.LayerNorm(c.NEmbd);
        RegisterComponents();
    }
}

/// <summary>
/// A GPT-2-shaped language model (nanoGPT): embeddings, pre-norm blocks, final LayerNorm, and an output layer whose
/// weight is the token embedding (tied, so it is one parameter, <c>transformer.wte.weight</c>).
/// The modules open no dispose scopes of their own (tensors saved for backward must live until backward runs):
/// wrap a step in <c>NewDisposeScope()</c>, as the trainers do.
/// </summary>
public sealed class GPT : nn.Module<Tensor, Tensor>
{
    public readonly Transformer transformer;
    public GPTConfig Config { get; }
    GPTWeights? inference;   // plain-array copy of the weights for the KV-cache sampler, refreshed per Generate call
    KVCache? cache;          // kept between Generate calls so repeated sampling (RL) reuses its buffers

    /// <summary>
    /// Builds the model with nanoGPT's initialisation: N(0, 0.02) weights and embeddings, zero biases, unit LayerNorms,
    /// and the residual projections (c_proj) scaled by 1/√(2·NLayer) so the residual stream's variance does not grow
    /// with depth. <paramref name="seed"/> makes the initial weights reproducible.
    /// </summary>
    public GPT(GPTConfig config, long seed = 1337) : base(nameof(GPT))
    {
        Config = config.Validate();
        transformer = new Transformer(config);
        RegisterComponents();
        var g = new Generator(seed);
        using (no_grad())
            foreach (var (name, p) in named_parameters())
            {
                if (name.EndsWith(".bias")) nn.init.zeros_(p);
                else if (name.Contains(".ln_")) nn.init.ones_(p);
                else nn.init.normal_(p, 0, name.EndsWith("c_proj.weight") ? 0.02 / Math.Sqrt(2 * config.NLayer) : 0.02, g);
            }
    }

    /// <summary>Logits for every position: idx (B, T) Int64 token ids → (B, T, V).</summary>
    public override Tensor forward(Tensor idx)
    {
        CheckTokens(idx, nameof(idx));
        long T = idx.size(1);
        using var pos = arange(T);                                            // (T)
        var x = transformer.wte.forward(idx) + transformer.wpe.forward(pos);  // (B, T, C)
        x = nn.functional.dropout(x, Config.Dropout, training);
        foreach (var block in transformer.h) x = block.forward(x);
        x = transformer.ln_f.forward(x);
        var logits = nn.functional.linear(x, transformer.wte.weight);         // (B, T, V): lm_head tied to wte
        return logits;
    }

    /// <summary>Mean next-token cross entropy; targets (B, T) Int64, −100 where a position is not scored.</summary>
    public Tensor Loss(Tensor idx, Tensor targets)
    {
        var logits = forward(idx);                                            // (B, T, V)
        if (!targets.shape.SequenceEqual(idx.shape))
            throw new ArgumentException($"Loss: targets shape [{string.Join(", ", targets.shape)}] must equal idx shape [{string.Join(", ", idx.shape)}].");
        return nn.functional.cross_entropy(logits, targets, ignore_index: -100);
    }

    /// <summary>
    /// Per-token log-probabilities of given sequences, the primitive of every RL loss. For ids (B, T) the result is
    /// (B, T−1) with <c>result[b, t] = log p(ids[b, t+1] | ids[b, 0..t])</c>: column t scores the token that FOLLOWS
    /// position t, so column 0 scores the second token and the first token (usually &lt;bos&gt;) is never scored.
    /// With a <paramref name="completionMask"/> (B, T) over ids (nonzero/true = a completion token), entries whose
    /// scored token ids[b, t+1] is not a completion token are exactly 0 and get no gradient. Differentiable; the
    /// forward runs on the first T−1 positions only and the fused cross entropy gives −log p without a log-softmax
    /// tensor.
    /// </summary>
    public Tensor LogProbs(Tensor ids, Tensor? completionMask = null)
    {
        CheckTokens(ids, nameof(ids));
        long B = ids.size(0), T = ids.size(1);
        if (T < 2) throw new ArgumentException($"LogProbs needs sequences of at least 2 tokens; got shape [{B}, {T}].");
        if (completionMask is not null && !completionMask.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"LogProbs: completion mask shape [{string.Join(", ", completionMask.shape)}] must equal ids shape [{B}, {T}].");
        var input = ids.narrow(1, 0, T - 1);                                  // (B, T-1)
        var target = ids.narrow(1, 1, T - 1).contiguous();                    // (B, T-1)
        if (completionMask is not null)
        {
            var scored = completionMask.narrow(1, 1, T - 1).to_type(ScalarType.Bool);
            target = masked_fill(target, logical_not(scored), -100);          // ignored → loss 0, no gradient
        }
        var nll = nn.functional.cross_entropy(forward(input), target, ignore_index: -100, reduction: "none"); // (B, T-1)
        return (-nll);
    }

    /// <summary>
    /// Batched sampling with a KV cache (see <see cref="SamplingOptions"/> and <see cref="GenerationResult"/>).
    /// Prompts may have different lengths; each is processed at its own positions without padding. Runs on plain
    /// buffers and the GEMM kernel, outside autograd; deterministic for a fixed seed. Reads the current weights on
    /// every call (so it follows training) and reuses its cache buffers between calls; not for concurrent use.
    /// </summary>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, SamplingOptions? options = null)
    {
        inference = RefreshWeights(inference);
        return Sampler.Generate(inference, prompts, options ?? new SamplingOptions(), ref cache);
    }

    /// <summary>Copies the current parameters into plain arrays (into <paramref name="w"/>'s arrays when given).</summary>
    internal GPTWeights RefreshWeights(GPTWeights? w)
    {
        if (w is null)
        {
            var ps = named_parameters().ToDictionary(p => p.name, p => p.parameter);
            return GPTWeights.From(Config, n => ps[n].ToArray<float>());
        }
        foreach (var (name, p) in named_parameters()) p.data<float>().CopyTo(w.ByName[name]);
        return w;
    }

    void CheckTokens(Tensor idx, string what)
    {
        if (idx.dtype != ScalarType.Int64) throw new ArgumentException($"GPT: {what} must hold Int64 token ids; got {idx.dtype}.");
        if (idx.dim() != 2) throw new ArgumentException($"GPT: {what} must be (B, T); got shape [{string.Join(", ", idx.shape)}].");
        if (idx.size(1) > Config.BlockSize)
            throw new ArgumentException($"GPT: sequence length {idx.size(1)} exceeds the model's context (BlockSize {Config.BlockSize}).");
        using var c = idx.contiguous();
        var ids = c.data<long>();
        for (int i = 0; i < ids.Length; i++)
            if ((ulong)ids[i] >= (ulong)Config.VocabSize)
                throw new ArgumentOutOfRangeException(what, $"GPT: token id {ids[i]} at row {i / idx.size(1)}, position {i % idx.size(1)} is out of range for vocabulary size {Config.VocabSize}.");
    }
}
