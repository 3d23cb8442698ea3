using System.Numerics.Tensors;

namespace R1.Models;

/// <summary>How <see cref="GPT.Generate"/> picks tokens.</summary>
public sealed record SamplingOptions
{
    /// <summary>Most tokens appended per sequence (the stop token included).</summary>
    public int MaxNewTokens { get; init; } = 128;
    /// <summary>Softmax temperature; 0 means greedy (argmax).</summary>
    public float Temperature { get; init; } = 1f;
    /// <summary>Keep only the k most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }
    /// <summary>Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all.</summary>
    public float TopP { get; init; } = 1f;
    /// <summary>Seed of the sampler's own random streams (one per sequence, so a sequence's tokens do not depend on its batch-mates).</summary>
    public ulong Seed { get; init; }
    /// <summary>Generation of a sequence ends after this token (the tokenizer's &lt;eos&gt; by default); −1 never stops early.</summary>
    public int StopToken { get; init; } = 2;

    internal void Validate(int vocab)
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"MaxNewTokens must be at least 1, got {MaxNewTokens}.");
        if (!(Temperature >= 0) || float.IsInfinity(Temperature)) throw new ArgumentException($"Temperature must be a finite number ≥ 0, got {Temperature}.");
        if (TopK < 0) throw new ArgumentException($"TopK must be ≥ 0 (0 = off), got {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"TopP must be in (0, 1], got {TopP}.");
        if (StopToken != -1 && (uint)StopToken >= (uint)vocab) throw new ArgumentException($"StopToken {StopToken} is out of range for vocabulary size {vocab}.");
    }
}

/// <summary>
/// What <see cref="GPT.Generate"/> returns, one entry per prompt: the appended tokens (the stop token included when
/// it was produced), log p(token | prefix) of each under the model itself — a temperature-1 softmax with no
/// top-k/top-p filtering, the quantity RL ratios need — and whether the sequence stopped on its own
/// (<see cref="Finished"/>) or was cut at MaxNewTokens or the context length (truncated).
/// </summary>
public sealed class GenerationResult
{
    public required int[][] Tokens { get; init; }
    public required float[][] LogProbs { get; init; }
    public required bool[] Finished { get; init; }

    public int Count => Tokens.Length;
    public bool Truncated(int i) => !Finished[i];

    /// <summary>The completions as one (B, maxLen) matrix, shorter rows padded with <paramref name="padId"/>.</summary>
    public long[,] Padded(int padId = 0)
    {
        int n = Tokens.Length == 0 ? 0 : Tokens.Max(t => t.Length);
        var m = new long[Tokens.Length, n];
        for (int b = 0; b < Tokens.Length; b++)
            for (int t = 0; t < n; t++) m[b, t] = t < Tokens[b].Length ? Tokens[b][t] : padId;
        return m;
    }
}

/// <summary>
/// Batched sampling over the <see cref="KVCache"/>: prefill every prompt (ragged, no padding), then one token per
/// live sequence per step until each stops, reaches MaxNewTokens, or would exceed the context (prompt + completion
/// ≤ BlockSize, so every result can be scored again by <see cref="GPT.LogProbs"/>). Buffers are allocated once
/// per call; decoding steps allocate nothing of their own.
/// </summary>
internal static class Sampler
{
    const int PrefillRows = 2048;   // rows per prefill call: bounds the row buffers for many long prompts

    public static GenerationResult Generate(GPTWeights w, IReadOnlyList<int[]> prompts, SamplingOptions o)
    {
        KVCache? cache = null;
        return Generate(w, prompts, o, ref cache);
    }

    /// <summary>As above, reusing <paramref name="cache"/> when it is big enough (else replacing it).</summary>
    public static GenerationResult Generate(GPTWeights w, IReadOnlyList<int[]> prompts, SamplingOptions o, ref KVCache? cache)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(o);
        var c = w.Config;
        int B = prompts.Count, V = c.VocabSize;
        o.Validate(V);
        if (B == 0) return new GenerationResult { Tokens = [], LogProbs = [], Finished = [] };
        int maxPrompt = 0;
        for (int b = 0; b < B; b++)
        {
            var p = prompts[b] ?? throw new ArgumentNullException(nameof(prompts), $"Prompt {b} is null.");
            if (p.Length == 0) throw new ArgumentException($"Prompt {b} is empty; start it with <bos> at least.", nameof(prompts));
            if (p.Length >= c.BlockSize)
                throw new ArgumentException($"Prompt {b} has {p.Length} tokens; the model's context is {c.BlockSize}, leaving no room to generate.", nameof(prompts));
            for (int t = 0; t < p.Length; t++)
                if ((uint)p[t] >= (uint)V) throw new ArgumentOutOfRangeException(nameof(prompts), $"Prompt {b} token {t} is id {p[t]}, out of range for vocabulary size {V}.");
            maxPrompt = Math.Max(maxPrompt, p.Length);
        }

        int needed = Math.Min(c.BlockSize, maxPrompt + o.MaxNewTokens);
        if (cache is null || cache.Weights != w || cache.Slots < B || cache.Capacity < needed) cache = new KVCache(w, B, needed);
        else cache.Reset();
        var kv = cache;
        var logits = new float[B * V];
        var scratch = new float[V];
        var sortKeys = new float[V];
        var sortIdx = new int[V];
        var rng = new ulong[B];
        for (int b = 0; b < B; b++) rng[b] = o.Seed * 0x9E3779B97F4A7C15UL + (ulong)(b + 1) * 0xD1B54A32D192ED03UL;

        var tokens = new List<int>[B];
        var logps = new List<float>[B];
        var finished = new bool[B];
        var done = new bool[B];
        for (int b = 0; b < B; b++) { tokens[b] = new List<int>(o.MaxNewTokens); logps[b] = new List<float>(o.MaxNewTokens); }

        // Prefill in chunks of whole or partial prompts; a prompt's logits come from its last row.
        var slotBuf = new List<int>(); var tokBuf = new List<int>(); var lastRows = new List<int>(); var lastSlots = new List<int>();
        void Flush()
        {
            if (tokBuf.Count == 0) return;
            kv.Forward(slotBuf.ToArray(), tokBuf.ToArray(), lastRows.ToArray(), logits);
            for (int i = 0; i < lastSlots.Count; i++) Pick(lastSlots[i], logits.AsSpan(i * V, V));
            slotBuf.Clear(); tokBuf.Clear(); lastRows.Clear(); lastSlots.Clear();
        }
        for (int b = 0; b < B; b++)
            for (int t = 0; t < prompts[b].Length; t++)
            {
                slotBuf.Add(b); tokBuf.Add(prompts[b][t]);
                if (t == prompts[b].Length - 1) { lastRows.Add(tokBuf.Count - 1); lastSlots.Add(b); }
                if (tokBuf.Count == PrefillRows) Flush();
            }
        Flush();

        // Decode: one row per live sequence.
        var live = new int[B];
        var next = new int[B];
        var rows = Enumerable.Range(0, B).ToArray();
        while (true)
        {
            int n = 0;
            for (int b = 0; b < B; b++) if (!done[b]) { live[n] = b; next[n] = tokens[b][^1]; n++; }
            if (n == 0) break;
            kv.Forward(live.AsSpan(0, n), next.AsSpan(0, n), rows.AsSpan(0, n), logits);
            for (int i = 0; i < n; i++) Pick(live[i], logits.AsSpan(i * V, V));
        }
        return new GenerationResult
        {
            Tokens = tokens.Select(t => t.ToArray()).ToArray(),
            LogProbs = logps.Select(t => t.ToArray()).ToArray(),
            Finished = finished,
        };

        void Pick(int b, Span<float> row)
        {
            int tok = SampleToken(row, o, ref rng[b], scratch, sortKeys, sortIdx, out float logp);
            tokens[b].Add(tok);
            logps[b].Add(logp);
            if (tok == o.StopToken) { finished[b] = true; done[b] = true; }
            else if (tokens[b].Count >= o.MaxNewTokens || prompts[b].Length + tokens[b].Count >= c.BlockSize) done[b] = true;
        }
    }

    /// <summary>
    /// Picks one token from a row of logits (greedy, or temperature → top-k → top-p → sample) and returns its
    /// log-probability under the unmodified model (temperature 1, no filtering).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static int SampleToken(ReadOnlySpan<float> logits, SamplingOptions o, ref ulong rng,
        Span<float> p, Span<float> sortKeys, Span<int> sortIdx, out float logp)
    {
        int V = logits.Length;
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, p);
        TensorPrimitives.Exp(p, p);
        float logZ = max + MathF.Log(TensorPrimitives.Sum(p));   // log Σ exp(logits)

        int tok;
        if (o.Temperature == 0) tok = TensorPrimitives.IndexOfMax(logits);
        else
        {
            // p ∝ exp((logits − max) / T), with tokens outside top-k at zero.
            TensorPrimitives.Subtract(logits, max, p);
            TensorPrimitives.Multiply(p, 1f / o.Temperature, p);
            TensorPrimitives.Exp(p, p);
            if (o.TopK > 0 && o.TopK < V)
            {
                logits.CopyTo(sortKeys);
                sortKeys[..V].Sort();
                float kth = sortKeys[V - o.TopK];
                for (int j = 0; j < V; j++) if (logits[j] < kth) p[j] = 0;
            }
            float total = TensorPrimitives.Sum(p[..V]);
            float u = NextUniform(ref rng);
            tok = -1;
            if (o.TopP < 1)
            {
                // Sort by probability, descending; keep the shortest prefix holding TopP of the mass.
                for (int j = 0; j < V; j++) { sortKeys[j] = -p[j]; sortIdx[j] = j; }
                sortKeys[..V].Sort(sortIdx[..V]);
                float keep = 0, target = o.TopP * total;
                int m = 0;
                while (m < V && sortKeys[m] < 0 && (m == 0 || keep < target)) keep -= sortKeys[m++];
                float r = u * keep, acc = 0;
                for (int i = 0; i < m && tok < 0; i++) { acc -= sortKeys[i]; if (r < acc) tok = sortIdx[i]; }
                if (tok < 0) tok = sortIdx[m - 1];
            }
            else
            {
                float r = u * total, acc = 0;
                int last = 0;
                for (int j = 0; j < V && tok < 0; j++)
                {
                    if (p[j] > 0) last = j;
                    acc += p[j];
                    if (r < acc) tok = j;
                }
                if (tok < 0) tok = last;   // rounding left r at the very top
            }
        }
        logp = logits[tok] - logZ;
        return tok;
    }

    /// <summary>SplitMix64 step mapped to a float in [0, 1): small, fast, and the same on every platform.</summary>
    internal static float NextUniform(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24));
    }
}
