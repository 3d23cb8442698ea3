using System.Numerics.Tensors;
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
/// Keys are stored transposed, (D, Tp) per slot and head, so q·Kᵀ runs 8 keys per FMA with no horizontal sums.
/// Legend: S slots, H heads, D head size, Tm cache length (Tp: Tm rounded up to 8), R rows in one call, C width, V vocabulary.
/// </summary>
internal sealed class KVCache
{
    readonly GPTWeights w;
    readonly int S, H, D, C, V, Tm, Tp;
    readonly float[][] k, v;            // per layer: k (S, H, D, Tp) transposed, v (S, H, Tm, D)
    public readonly int[] Length;       // tokens cached per slot
    // Row buffers, grown (never shrunk) to the largest R seen.
    float[] x = [], xn = [], qkv = [], y = [], hbuf = [], xf = [];
    int[] rowSlot = [], rowPos = [];
    readonly float scale;
    int layer;                          // the layer Attend works on (lets one cached delegate serve Parallel.For)
    readonly Action<int> attend;

    public KVCache(GPTWeights weights, int slots, int maxLength)
    {
        var c = weights.Config;
        if (maxLength > c.BlockSize) throw new ArgumentException($"Cache length {maxLength} exceeds the model's block size {c.BlockSize}.");
        w = weights; S = slots; H = c.NHead; D = c.HeadSize; C = c.NEmbd; V = c.VocabSize; Tm = maxLength; Tp = (Tm + 7) / 8 * 8;
        k = new float[c.NLayer][]; v = new float[c.NLayer][];
        for (int l = 0; l < c.NLayer; l++) { k[l] = new float[(long)S * H * D * Tp]; v[l] = new float[(long)S * H * Tm * D]; }
        Length = new int[S];
        scale = 1f / MathF.Sqrt(D);
        attend = Attend;
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
        for (int l = 0; l < w.Layers.Length; l++) Block(l, R);

        for (int i = 0; i < logitRows.Length; i++)
            LayerNorm(x.AsSpan(logitRows[i] * C, C), w.LnFW, w.LnFB, xf.AsSpan(i * C, C));
        // lm_head tied to wte: logits = xf · Wteᵀ                                              (n, V)
        Gemm.Sgemm(false, true, logitRows.Length, V, C, xf, C, w.Wte, C, logits, V, false);
    }

    void Block(int l, int R)
    {
        var L = w.Layers[l];
        for (int r = 0; r < R; r++) LayerNorm(x.AsSpan(r * C, C), L.Ln1W, L.Ln1B, xn.AsSpan(r * C, C));
        Linear(xn, R, C, L.AttnW, L.AttnB, 3 * C, qkv, accumulate: false);                    // (R, 3C)

        // Store every row's keys and values first, so the rows of one prompt see each other (causally).
        var K = k[l]; var Vc = v[l];
        for (int r = 0; r < R; r++)
            for (int h = 0; h < H; h++)
            {
                int sh = rowSlot[r] * H + h, pos = rowPos[r];
                var kr = qkv.AsSpan(r * 3 * C + C + h * D, D);
                for (int d = 0; d < D; d++) K[(sh * D + d) * Tp + pos] = kr[d];
                qkv.AsSpan(r * 3 * C + 2 * C + h * D, D).CopyTo(Vc.AsSpan((sh * Tm + pos) * D, D));
            }
        int work = R * H;
        layer = l;
        if ((long)work * (rowPos[R - 1] + 1) * D < 1 << 15) for (int i = 0; i < work; i++) Attend(i);
        else Parallel.For(0, work, attend);

        // x += y · Wprojᵀ + b                                                                   (R, C)
        Linear(y, R, C, L.AttnProjW, L.AttnProjB, C, x, accumulate: true);
        for (int r = 0; r < R; r++) LayerNorm(x.AsSpan(r * C, C), L.Ln2W, L.Ln2B, xn.AsSpan(r * C, C));
        Linear(xn, R, C, L.FcW, L.FcB, 4 * C, hbuf, accumulate: false);                         // (R, 4C)
        GeluTanh(hbuf.AsSpan(0, R * 4 * C));
        Linear(hbuf, R, 4 * C, L.ProjW, L.ProjB, C, x, accumulate: true);                      // (R, C)
    }

    /// <summary>One (row, head): softmax(q·Kᵀ/√D) over the slot's positions 0..pos, times V, into y.</summary>
    void Attend(int i)
    {
        int l = layer;
        int r = i / H, h = i % H, s = rowSlot[r], n = rowPos[r] + 1;
        int n8 = (n + 7) / 8 * 8;
        Span<float> scores = n8 <= 1024 ? stackalloc float[n8] : new float[n8];
        int sh = s * H + h;
        var q = qkv.AsSpan(r * 3 * C + h * D, D);
        var Kt = k[l].AsSpan(sh * D * Tp, D * Tp);
        var Vv = v[l].AsSpan(sh * Tm * D, n * D);
        var yr = y.AsSpan(r * C + h * D, D);
        if (Vector256.IsHardwareAccelerated && D % 8 == 0) AttendRow(q, Kt, Tp, Vv, n, D, scale, scores, yr);
        else AttendRowPlain(q, Kt, Tp, Vv, n, D, scale, scores, yr);
    }

    /// <summary>
    /// Attention for one query over n cached keys and values, SIMD. Kt holds the keys transposed (D rows of
    /// <paramref name="ldk"/> ≥ round8(n) floats) so the scores of 8 keys are one FMA per d; then Σ p_j·v_j with
    /// each 8-float output chunk held in a register while the values stream past. scores needs round8(n) floats.
    /// </summary>
    internal static void AttendRow(ReadOnlySpan<float> q, ReadOnlySpan<float> Kt, int ldk, ReadOnlySpan<float> V, int n, int D, float scale,
        Span<float> scores, Span<float> y)
    {
        ref float kt0 = ref MemoryMarshal.GetReference(Kt);
        ref float v0 = ref MemoryMarshal.GetReference(V);
        ref float s0 = ref MemoryMarshal.GetReference(scores);
        for (int j = 0; j < n; j += 8)
        {
            var acc = Vector256<float>.Zero;
            for (int d = 0; d < D; d++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(q[d]), Vector256.LoadUnsafe(ref kt0, (nuint)(d * ldk + j)), acc);
            (acc * scale).StoreUnsafe(ref s0, (nuint)j);
        }
        var sc = scores[..n];
        float max = TensorPrimitives.Max(sc);
        TensorPrimitives.Subtract(sc, max, sc);
        TensorPrimitives.Exp(sc, sc);
        float inv = 1f / TensorPrimitives.Sum(sc);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        for (int d = 0; d < D; d += 8)
        {
            var acc = Vector256<float>.Zero;
            for (int j = 0; j < n; j++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(sc[j]), Vector256.LoadUnsafe(ref v0, (nuint)(j * D + d)), acc);
            (acc * inv).StoreUnsafe(ref y0, (nuint)d);
        }
    }

    /// <summary>The plain twin of <see cref="AttendRow"/> (same layout, any D), the reference it is tested against.</summary>
    internal static void AttendRowPlain(ReadOnlySpan<float> q, ReadOnlySpan<float> Kt, int ldk, ReadOnlySpan<float> V, int n, int D, float scale,
        Span<float> scores, Span<float> y)
    {
        for (int j = 0; j < n; j++)
        {
            float dot = 0;
            for (int d = 0; d < D; d++) dot += q[d] * Kt[d * ldk + j];
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

    /// <summary>dst (R, out) = src (R, in) · Wᵀ + b, or dst += … when accumulating (the residual add).</summary>
    static void Linear(float[] src, int R, int inF, float[] W, float[] b, int outF, float[] dst, bool accumulate)
    {
        Gemm.Sgemm(false, true, R, outF, inF, src, inF, W, inF, dst, outF, accumulate);
        for (int r = 0; r < R; r++) TensorPrimitives.Add(dst.AsSpan(r * outF, outF), b, dst.AsSpan(r * outF, outF));
    }

    internal static void LayerNorm(ReadOnlySpan<float> xr, ReadOnlySpan<float> g, ReadOnlySpan<float> b, Span<float> dst)
    {
        float mean = TensorPrimitives.Sum(xr) / xr.Length;
        TensorPrimitives.Subtract(xr, mean, dst);
        float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(dst) / xr.Length + 1e-5f);
        TensorPrimitives.Multiply(dst, rstd, dst);
        TensorPrimitives.FusedMultiplyAdd(dst, g, b, dst);
    }

    /// <summary>GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in place, in stack-sized chunks.</summary>
    internal static void GeluTanh(Span<float> a)
    {
        const float c = 0.7978845608028654f;
        Span<float> t = stackalloc float[512];
        for (int i = 0; i < a.Length; i += t.Length)
        {
            var xs = a.Slice(i, Math.Min(t.Length, a.Length - i));
            var ts = t[..xs.Length];
            TensorPrimitives.Multiply(xs, xs, ts);                 // x²
            TensorPrimitives.Multiply(ts, 0.044715f * c, ts);
            TensorPrimitives.Add(ts, c, ts);                       // c·(1 + 0.044715x²)
            TensorPrimitives.Multiply(ts, xs, ts);                 // c·(x + 0.044715x³)
            TensorPrimitives.Tanh(ts, ts);
            TensorPrimitives.MultiplyAdd(ts, xs, xs, ts);          // x·tanh + x
            TensorPrimitives.Multiply(ts, 0.5f, xs);
        }
    }
}
