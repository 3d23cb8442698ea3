using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using R1.Kernels;

namespace R1.Models;

/// <summary>
/// The GPT's weights as plain row-major float arrays, nanoGPT layout (a Linear's weight is (out, in)).
/// The inference path reads them directly; they are copied from the model (or a golden file) per generation call,
/// which costs far less than one decoding step.
/// </summary>
internal sealed class GPTWeights
{
    public sealed class Layer
    {
        public required float[] Ln1W, Ln1B, AttnW, AttnB, AttnProjW, AttnProjB, Ln2W, Ln2B, FcW, FcB, ProjW, ProjB;
    }

    public required GPTConfig Config;
    public required float[] Wte, Wpe, LnFW, LnFB;   // Wte (V, C) doubles as lm_head (tied)
    public required Layer[] Layers;
    /// <summary>The same arrays by nanoGPT name.</summary>
    public required Dictionary<string, float[]> ByName;

    /// <summary>Reads every weight through <paramref name="get"/> by its nanoGPT name, checking sizes.</summary>
    public static GPTWeights From(GPTConfig c, Func<string, float[]> get)
    {
        int C = c.NEmbd;
        var byName = new Dictionary<string, float[]>();
        float[] W(string name, long size)
        {
            var a = byName[name] = get(name);
            if (a.Length != size) throw new ArgumentException($"Weight '{name}' has {a.Length} values, expected {size}.");
            return a;
        }
        var layers = new Layer[c.NLayer];
        for (int i = 0; i < c.NLayer; i++)
        {
            var p = $"transformer.h.{i}.";
            layers[i] = new Layer
            {
                Ln1W = W(p + "ln_1.weight", C), Ln1B = W(p + "ln_1.bias", C),
                AttnW = W(p + "attn.c_attn.weight", 3L * C * C), AttnB = W(p + "attn.c_attn.bias", 3 * C),
                AttnProjW = W(p + "attn.c_proj.weight", (long)C * C), AttnProjB = W(p + "attn.c_proj.bias", C),
                Ln2W = W(p + "ln_2.weight", C), Ln2B = W(p + "ln_2.bias", C),
                FcW = W(p + "mlp.c_fc.weight", 4L * C * C), FcB = W(p + "mlp.c_fc.bias", 4 * C),
                ProjW = W(p + "mlp.c_proj.weight", 4L * C * C), ProjB = W(p + "mlp.c_proj.bias", C),
            };
        }
        return new GPTWeights
        {
            Config = c,
            Wte = W("transformer.wte.weight", (long)c.VocabSize * C), Wpe = W("transformer.wpe.weight", (long)c.BlockSize * C),
            LnFW = W("transformer.ln_f.weight", C), LnFB = W("transformer.ln_f.bias", C),
            Layers = layers,
            ByName = byName,
        };
    }
}

/// <summary>
/// Inference-only GPT forward with a key/value cache, over plain buffers and the GEMM kernel (no autograd).
/// Sequences are ragged, not padded: slot s holds its own tokens at positions 0..Length[s]-1, its keys and values
/// at the same positions of its cache block, so prompts of different lengths need neither padding nor masks.
/// One <see cref="Forward"/> call takes any set of (slot, token) rows — a whole prompt for prefill, one token per
/// live slot for decoding — appends them to the cache and returns the logits of the rows asked for.
/// Keys are stored in blocks of 8 positions, (Tp/8, D, 8) per slot and head: q·Kᵀ then runs 8 keys per FMA with no
/// horizontal sums while reading the keys as one contiguous stream.
/// Legend: S slots, H heads, D head size, Tm cache length (Tp: Tm rounded up to 8), R rows in one call, C width, V vocabulary.
/// </summary>
internal sealed class KVCache
{
    readonly GPTWeights w;
    readonly int S, H, D, C, V, Tm, Tp;
    readonly float[][] k, v;            // per layer: k (S, H, Tp/8, D, 8) blocked, v (S, H, Tm, D)
    public readonly int[] Length;       // tokens cached per slot
    // Row buffers, grown (never shrunk) to the largest R seen.
    float[] x = [], xn = [], qkv = [], y = [], hbuf = [], xf = [];
    int[] rowSlot = [], rowPos = [];
    readonly float scale;
    int layer;                          // the layer the cached attend delegate works on
    readonly Action<int> attend, runGroup;  // cached delegates: Parallel.For without a closure per call
    readonly int[] groupStart = new int[17];

    public KVCache(GPTWeights weights, int slots, int maxLength)
    {
        var c = weights.Config;
        if (maxLength > c.BlockSize) throw new ArgumentException($"Cache length {maxLength} exceeds the model's block size {c.BlockSize}.");
        w = weights; S = slots; H = c.NHead; D = c.HeadSize; C = c.NEmbd; V = c.VocabSize; Tm = maxLength; Tp = (Tm + 7) / 8 * 8;
        k = new float[c.NLayer][]; v = new float[c.NLayer][];
        for (int l = 0; l < c.NLayer; l++) { k[l] = new float[(long)S * H * D * Tp]; v[l] = new float[(long)S * H * Tm * D]; }
        Length = new int[S];
        scale = 1f / MathF.Sqrt(D);
        attend = i => Attend(layer, i);
        runGroup = RunGroup;
    }

    public int Capacity => Tm;
    public int Slots => S;
    public GPTWeights Weights => w;

    public void Reset() => Array.Clear(Length);

    void Ensure(int R)
    {
        if (x.Length >= R * C) return;
        x = new float[R * C]; xn = new float[R * C]; qkv = new float[R * 3 * C]; y = new float[R * C];
        hbuf = new float[R * 4 * C]; xf = new float[R * C]; rowSlot = new int[R]; rowPos = new int[R];
    }

    /// <summary>
    /// Appends <paramref name="tokens"/>[r] to slot <paramref name="slots"/>[r] for every row r (rows of one slot in
    /// order) and writes the logits of the rows listed in <paramref name="logitRows"/> into
    /// <paramref name="logits"/> (one V-row each, in that order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: skip tier-0
    public void Forward(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens, ReadOnlySpan<int> logitRows, Span<float> logits)
    {
        int R = tokens.Length;
        Ensure(R);
        if (slots.Length != R || logits.Length < logitRows.Length * V) throw new ArgumentException("Forward: slots must match tokens and logits must hold one V-row per logit row.");
        for (int r = 0; r < R; r++)
        {
            if ((uint)tokens[r] >= (uint)V) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {tokens[r]} at row {r} is out of range for vocabulary size {V}.");
            if ((uint)slots[r] >= (uint)S) throw new ArgumentOutOfRangeException(nameof(slots), $"Slot {slots[r]} at row {r} is out of range: the cache has {S} slots.");
        }
        for (int r = 0; r < R; r++)
        {
            int s = slots[r], pos = Length[s]++;
            if (pos >= Tm)
            {
                for (int q = 0; q <= r; q++) Length[slots[q]]--;   // leave the cache as it was
                throw new InvalidOperationException($"Slot {s} is full: the cache holds {Tm} positions.");
            }
            rowSlot[r] = s; rowPos[r] = pos;
            var xr = x.AsSpan(r * C, C);
            TensorPrimitives.Add(w.Wte.AsSpan(tokens[r] * C, C), w.Wpe.AsSpan(pos * C, C), xr);   // (C)
        }
        // One level of parallelism: the rows split into per-core groups at slot boundaries (a slot's keys are only
        // written and read by its own group), each group runs every layer on its own with single-threaded kernels,
        // so a decoding step synchronises once instead of at every matrix product.
        int groups = PlanGroups(R);
        if (groups == 1) for (int l = 0; l < w.Layers.Length; l++) Block(l, 0, R, inner: true);
        else Parallel.For(0, groups, runGroup);

        for (int i = 0; i < logitRows.Length; i++)
            LayerNorm(x.AsSpan(logitRows[i] * C, C), w.LnFW, w.LnFB, xf.AsSpan(i * C, C));
        // lm_head tied to wte: logits = xf · Wteᵀ                                              (n, V)
        Gemm.Sgemm(false, true, logitRows.Length, V, C, xf, C, w.Wte, C, logits, V, false);
    }

    int PlanGroups(int R)
    {
        int G = Math.Clamp(R / 16, 1, Math.Min(Environment.ProcessorCount, groupStart.Length - 1));
        groupStart[0] = 0;
        for (int g = 1; g < G; g++)
        {
            int b = Math.Max(groupStart[g - 1], (int)((long)g * R / G));
            while (b > 0 && b < R && rowSlot[b] == rowSlot[b - 1]) b++;
            groupStart[g] = b;
        }
        groupStart[G] = R;
        return G;
    }

    void RunGroup(int g)
    {
        for (int l = 0; l < w.Layers.Length; l++) Block(l, groupStart[g], groupStart[g + 1], inner: false);
    }

    /// <summary>One transformer block over rows [r0, r1); <paramref name="inner"/> lets the kernels use every core.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: skip tier-0
    void Block(int l, int r0, int r1, bool inner)
    {
        int n = r1 - r0;
        if (n == 0) return;
        var L = w.Layers[l];
        for (int r = r0; r < r1; r++) LayerNorm(x.AsSpan(r * C, C), L.Ln1W, L.Ln1B, xn.AsSpan(r * C, C));
        Linear(xn, r0, n, C, L.AttnW, L.AttnB, 3 * C, qkv, accumulate: false, inner);          // (n, 3C)

        // Store every row's keys and values first, so the rows of one prompt see each other (causally).
        var K = k[l]; var Vc = v[l];
        for (int r = r0; r < r1; r++)
            for (int h = 0; h < H; h++)
            {
                int sh = rowSlot[r] * H + h, pos = rowPos[r];
                var kr = qkv.AsSpan(r * 3 * C + C + h * D, D);
                int kb = (sh * (Tp >> 3) + (pos >> 3)) * D * 8 + (pos & 7);
                for (int d = 0; d < D; d++) K[kb + d * 8] = kr[d];
                qkv.AsSpan(r * 3 * C + 2 * C + h * D, D).CopyTo(Vc.AsSpan((sh * Tm + pos) * D, D));
            }
        if (inner && (long)n * H * (rowPos[r1 - 1] + 1) * D >= 1 << 15)
        {
            layer = l;
            Parallel.For(r0 * H, r1 * H, attend);
        }
        else for (int i = r0 * H; i < r1 * H; i++) Attend(l, i);

        // x += y · Wprojᵀ + b                                                                   (n, C)
        Linear(y, r0, n, C, L.AttnProjW, L.AttnProjB, C, x, accumulate: true, inner);
        for (int r = r0; r < r1; r++) LayerNorm(x.AsSpan(r * C, C), L.Ln2W, L.Ln2B, xn.AsSpan(r * C, C));
        Linear(xn, r0, n, C, L.FcW, L.FcB, 4 * C, hbuf, accumulate: false, inner);              // (n, 4C)
        var hs = hbuf.AsSpan(r0 * 4 * C, n * 4 * C);
        torch.Simd.GeluTanh(hs, hs);
        Linear(hbuf, r0, n, 4 * C, L.ProjW, L.ProjB, C, x, accumulate: true, inner);           // (n, C)
    }

    /// <summary>One (row, head), i = row·H + head: softmax(q·Kᵀ/√D) over the slot's positions 0..pos, times V, into y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: skip tier-0
    void Attend(int l, int i)
    {
        int r = i / H, h = i % H, s = rowSlot[r], n = rowPos[r] + 1;
        int n8 = (n + 7) / 8 * 8;
        Span<float> scores = n8 <= 1024 ? stackalloc float[n8] : new float[n8];
        int sh = s * H + h;
        var q = qkv.AsSpan(r * 3 * C + h * D, D);
        var Kb = k[l].AsSpan(sh * D * Tp, D * Tp);
        var Vv = v[l].AsSpan(sh * Tm * D, n * D);
        var yr = y.AsSpan(r * C + h * D, D);
        if (Vector256.IsHardwareAccelerated && D % 8 == 0) AttendRow(q, Kb, Vv, n, D, scale, scores, yr);
        else AttendRowPlain(q, Kb, Vv, n, D, scale, scores, yr);
    }

    /// <summary>
    /// Attention for one query over n cached keys and values, SIMD. Kb holds the keys in blocks of 8 positions,
    /// (round8(n)/8, D, 8): the scores of 8 keys take one FMA per d, four blocks at a time so four independent FMA
    /// chains hide the latency; then Σ p_j·v_j with 32 outputs held in registers while the values stream past.
    /// scores needs round8(n) floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: skip tier-0
    internal static void AttendRow(ReadOnlySpan<float> q, ReadOnlySpan<float> Kb, ReadOnlySpan<float> V, int n, int D, float scale,
        Span<float> scores, Span<float> y)
    {
        ref float q0 = ref MemoryMarshal.GetReference(q);
        ref float k0 = ref MemoryMarshal.GetReference(Kb);
        ref float v0 = ref MemoryMarshal.GetReference(V);
        ref float s0 = ref MemoryMarshal.GetReference(scores);
        int blk = D * 8, j = 0;
        for (; j + 32 <= n; j += 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            ref float kr = ref Unsafe.Add(ref k0, (j >> 3) * blk);
            for (int d = 0; d < D; d++)
            {
                var qd = Vector256.Create(Unsafe.Add(ref q0, d));
                a0 = Vector256.FusedMultiplyAdd(qd, Vector256.LoadUnsafe(ref kr, (nuint)(d * 8)), a0);
                a1 = Vector256.FusedMultiplyAdd(qd, Vector256.LoadUnsafe(ref kr, (nuint)(blk + d * 8)), a1);
                a2 = Vector256.FusedMultiplyAdd(qd, Vector256.LoadUnsafe(ref kr, (nuint)(2 * blk + d * 8)), a2);
                a3 = Vector256.FusedMultiplyAdd(qd, Vector256.LoadUnsafe(ref kr, (nuint)(3 * blk + d * 8)), a3);
            }
            (a0 * scale).StoreUnsafe(ref s0, (nuint)j);
            (a1 * scale).StoreUnsafe(ref s0, (nuint)(j + 8));
            (a2 * scale).StoreUnsafe(ref s0, (nuint)(j + 16));
            (a3 * scale).StoreUnsafe(ref s0, (nuint)(j + 24));
        }
        for (; j < n; j += 8)
        {
            var acc = Vector256<float>.Zero;
            ref float kr = ref Unsafe.Add(ref k0, (j >> 3) * blk);
            for (int d = 0; d < D; d++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref q0, d)), Vector256.LoadUnsafe(ref kr, (nuint)(d * 8)), acc);
            (acc * scale).StoreUnsafe(ref s0, (nuint)j);
        }
        var sc = scores[..n];
        float inv = 1f / torch.Simd.ExpSum(sc, TensorPrimitives.Max(sc), sc);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int c = 0;
        for (; c + 32 <= D; c += 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int t = 0; t < n; t++)
            {
                var p = Vector256.Create(Unsafe.Add(ref s0, t));
                ref float vr = ref Unsafe.Add(ref v0, t * D + c);
                a0 = Vector256.FusedMultiplyAdd(p, Vector256.LoadUnsafe(ref vr), a0);
                a1 = Vector256.FusedMultiplyAdd(p, Vector256.LoadUnsafe(ref vr, 8), a1);
                a2 = Vector256.FusedMultiplyAdd(p, Vector256.LoadUnsafe(ref vr, 16), a2);
                a3 = Vector256.FusedMultiplyAdd(p, Vector256.LoadUnsafe(ref vr, 24), a3);
            }
            (a0 * inv).StoreUnsafe(ref y0, (nuint)c);
            (a1 * inv).StoreUnsafe(ref y0, (nuint)(c + 8));
            (a2 * inv).StoreUnsafe(ref y0, (nuint)(c + 16));
            (a3 * inv).StoreUnsafe(ref y0, (nuint)(c + 24));
        }
        for (; c < D; c += 8)
        {
            var acc = Vector256<float>.Zero;
            for (int t = 0; t < n; t++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref s0, t)), Vector256.LoadUnsafe(ref v0, (nuint)(t * D + c)), acc);
            (acc * inv).StoreUnsafe(ref y0, (nuint)c);
        }
    }

    /// <summary>The plain twin of <see cref="AttendRow"/> (same layout, any D), the reference it is tested against.</summary>
    internal static void AttendRowPlain(ReadOnlySpan<float> q, ReadOnlySpan<float> Kb, ReadOnlySpan<float> V, int n, int D, float scale,
        Span<float> scores, Span<float> y)
    {
        for (int j = 0; j < n; j++)
        {
            float dot = 0;
            for (int d = 0; d < D; d++) dot += q[d] * Kb[((j >> 3) * D + d) * 8 + (j & 7)];
            scores[j] = dot * scale;
        }
        var sc = scores[..n];
        float max = TensorPrimitives.Max(sc);
        TensorPrimitives.Subtract(sc, max, sc);
        TensorPrimitives.Exp(sc, sc);
        float inv = 1f / TensorPrimitives.Sum(sc);
        y.Clear();
        for (int j = 0; j < n; j++) TensorPrimitives.MultiplyAdd(V.Slice(j * D, D), sc[j] * inv, y, y);
    }

    /// <summary>Rows [r0, r0+n): dst (n, out) = src (n, in) · Wᵀ + b, or dst += … when accumulating (the residual add).</summary>
    static void Linear(float[] src, int r0, int n, int inF, float[] W, float[] b, int outF, float[] dst, bool accumulate, bool parallel)
    {
        Gemm.Sgemm(false, true, n, outF, inF, src.AsSpan(r0 * inF, n * inF), inF, W, inF, dst.AsSpan(r0 * outF, n * outF), outF, accumulate, parallel);
        for (int r = r0; r < r0 + n; r++) TensorPrimitives.Add(dst.AsSpan(r * outF, outF), b, dst.AsSpan(r * outF, outF));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot from the first call: skip tier-0
    internal static void LayerNorm(ReadOnlySpan<float> xr, ReadOnlySpan<float> g, ReadOnlySpan<float> b, Span<float> dst)
    {
        float mean = TensorPrimitives.Sum(xr) / xr.Length;
        TensorPrimitives.Subtract(xr, mean, dst);
        float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(dst) / xr.Length + 1e-5f);
        TensorPrimitives.Multiply(dst, rstd, dst);
        TensorPrimitives.FusedMultiplyAdd(dst, g, b, dst);
    }
}
