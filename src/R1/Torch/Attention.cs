using System.Numerics.Tensors;
using R1.Kernels;

namespace R1;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>
            /// Fused attention softmax(q·kᵀ·scale + mask)·v over (..., T, hd) inputs (usually (B, H, T, hd)), with a
            /// hand-written backward. Products go through batched Gemm; the probabilities are kept for the backward.
            /// <para><paramref name="is_causal"/>: query i may see keys j ≤ i + (Tk − Tq), i.e. the query block sits at
            /// the END of the key sequence (what KV-cache decoding needs; PyTorch aligns the causal mask top-left
            /// instead, which differs only when Tq ≠ Tk).</para>
            /// <para>q, k, v are read in place when each head is row-major (e.g. nanoGPT's transposed views of the c_attn
            /// output); the output is laid out in memory like the query (so it may be non-contiguous, as a transposed view).</para>
            /// <para><paramref name="attn_mask"/>: Bool (true = may attend) or Float32 (added to the scores), broadcastable
            /// to (..., Tq, Tk). A query row with no visible key outputs zeros (PyTorch gives NaN).</para>
            /// </summary>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null,
                double dropout_p = 0.0, bool is_causal = false, double? scale = null, Generator? generator = null)
            {
                if (query.dtype != ScalarType.Float32 || key.dtype != ScalarType.Float32 || value.dtype != ScalarType.Float32)
                    throw new ArgumentException("scaled_dot_product_attention: query, key and value must be Float32.");
                if (query.dim() < 2 || key.dim() != query.dim() || value.dim() != query.dim())
                    throw new ArgumentException($"scaled_dot_product_attention: query, key and value need the same rank ≥ 2; got {ShapeStr(query.Shape)}, {ShapeStr(key.Shape)}, {ShapeStr(value.Shape)}.");
                int rk = query.dim();
                for (int i = 0; i < rk - 2; i++)
                    if (key.Shape[i] != query.Shape[i] || value.Shape[i] != query.Shape[i])
                        throw new ArgumentException($"scaled_dot_product_attention: batch dimensions differ: query {ShapeStr(query.Shape)}, key {ShapeStr(key.Shape)}, value {ShapeStr(value.Shape)}.");
                int Tq = query.Shape[^2], hd = query.Shape[^1], Tk = key.Shape[^2], hv = value.Shape[^1];
                if (key.Shape[^1] != hd) throw new ArgumentException($"scaled_dot_product_attention: query head size {hd} differs from key head size {key.Shape[^1]}.");
                if (value.Shape[^2] != Tk) throw new ArgumentException($"scaled_dot_product_attention: key has {Tk} positions but value has {value.Shape[^2]}.");
                if (is_causal && Tq > Tk) throw new ArgumentException($"scaled_dot_product_attention: causal attention needs Tq ≤ Tk (queries at the end of the keys); got Tq = {Tq}, Tk = {Tk}.");
                if (dropout_p < 0 || dropout_p >= 1) throw new ArgumentOutOfRangeException(nameof(dropout_p), $"scaled_dot_product_attention: dropout_p must be in [0, 1); got {dropout_p}.");
                int BH = 1; for (int i = 0; i < rk - 2; i++) BH *= query.Shape[i];
                float sc = (float)(scale ?? 1.0 / Math.Sqrt(hd));
                int off = Tk - Tq;

                // additive float mask materialised at (BH, Tq, Tk) when given
                Tensor? maskAdd = null;
                if (attn_mask is not null)
                {
                    var full = query.Shape[..^2].Append(Tq).Append(Tk).ToArray();
                    var bshape = BroadcastShape(attn_mask.Shape, full, "scaled_dot_product_attention (attn_mask)");
                    if (!SameShape(bshape, full)) throw new ArgumentException($"scaled_dot_product_attention: attn_mask of shape {ShapeStr(attn_mask.Shape)} does not broadcast to {ShapeStr(full)}.");
                    maskAdd = Tensor.Empty(full);
                    if (attn_mask.dtype == ScalarType.Bool)
                    {
                        using var z = zeros(attn_mask.shape);
                        using var neg = logical_not(attn_mask);
                        using var mf = masked_fill(z, neg, float.NegativeInfinity);
                        CopyInto(mf, maskAdd);
                    }
                    else if (attn_mask.dtype == ScalarType.Float32) CopyInto(attn_mask, maskAdd);
                    else throw new ArgumentException($"scaled_dot_product_attention: attn_mask must be Bool or Float32; got {attn_mask.dtype}.");
                }

                // Heads are read in place (any strides with a unit last stride: e.g. nanoGPT's q/k/v, which are
                // transposed views into the c_attn output); the output and the input gradients are laid out like the
                // query, so the caller's transpose(1, 2).contiguous() costs nothing.
                using var q = RowMajorHeads(query) ? query.Alias() : Materialize(query);
                using var k = RowMajorHeads(key) ? key.Alias() : Materialize(key);
                using var v = RowMajorHeads(value) ? value.Alias() : Materialize(value);
                var oshape = (int[])query.Shape.Clone(); oshape[^1] = hv;
                var o = EmptyLayoutOf(q, oshape);
                var lse = new float[BH * Tq]; // per query row: log Σ exp(scores); the backward recomputes P from it
                long dropSeed = dropout_p > 0 ? (long)(generator ?? DefaultGen).NextU64() : 0;
                var cfg = new AttnShape(BH, Tq, Tk, hd, hv, sc, is_causal, off, (float)dropout_p, dropSeed);
                var Qh = new Heads(q); var Kh = new Heads(k); var Vh = new Heads(v); var Oh = new Heads(o);
                float[]? M = maskAdd?.FA;
                // One head per task: its scores stay in L2 between the two products and the softmax.
                Parallel.For(0, BH, bh => AttnForwardHead(cfg, bh, Qh, Kh, Vh, M, Oh, lse));

                if (NeedsGrad(query, key, value))
                {
                    var qs = q.Alias(); var ks = k.Alias(); var vs = v.Alias();
                    var masks = maskAdd; // kept alive for the backward
                    Record(o, "ScaledDotProductAttentionBackward", g =>
                    {
                        using var dO = RowMajorHeads(g) ? g.Alias() : Materialize(g);
                        var dQ = EmptyLayoutOf(qs, query.Shape); var dK = EmptyLayoutOf(ks, key.Shape); var dV = EmptyLayoutOf(vs, value.Shape);
                        var a = new Heads(qs); var b = new Heads(ks); var c = new Heads(vs);
                        var dOh = new Heads(dO); var dQh = new Heads(dQ); var dKh = new Heads(dK); var dVh = new Heads(dV);
                        Parallel.For(0, BH, bh => AttnBackwardHead(cfg, bh, a, b, c, masks?.FA, dOh, lse, dQh, dKh, dVh));
                        Acc(query, dQ); Acc(key, dK); Acc(value, dV);
                    }, query, key, value);
                }
                else maskAdd?.Dispose();
                return o;
            }
        }
    }

    internal readonly record struct AttnShape(int BH, int Tq, int Tk, int hd, int hv, float Scale, bool Causal, int Off, float DropP, long DropSeed)
    {
        /// <summary>Keys visible to query row i.</summary>
        public int Lim(int i) => Causal ? Math.Min(Tk, i + Off + 1) : Tk;
        /// <summary>Causal heads run in query-row blocks that multiply only the keys they can see.</summary>
        public int Block => Causal && Tq >= 2 * CausalBlock ? CausalBlock : Math.Max(Tq, 1);
        public int KeyBlock => Causal && Tq >= 2 * CausalBlock ? CausalBlock : Math.Max(Tk, 1);
        /// <summary>First query row that can see key j.</summary>
        public int FirstRow(int j) => Causal ? Math.Clamp(j - Off, 0, Tq) : 0;
    }

    /// <summary>Query rows per causal block (a trade between skipped work and per-call Gemm overhead).</summary>
    internal static int CausalBlock = 32;

    [ThreadStatic] static float[]? attnScratch;

    static float[] AttnScratch(int n)
    {
        var s = attnScratch;
        if (s is null || s.Length < n) attnScratch = s = new float[n];
        return s;
    }

    /// <summary>Dropout keep-scale for (row i, key j) of head bh: a counter-based hash, so the backward regenerates
    /// exactly the forward's mask without storing it and the result does not depend on thread scheduling.</summary>
    static float DropScale(in AttnShape c, int bh, int i, int j)
    {
        ulong x = (ulong)c.DropSeed ^ ((ulong)(uint)bh << 40) ^ ((ulong)(uint)i << 20) ^ (uint)j;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        double u = (x >> 11) * (1.0 / (1UL << 53));
        return u < c.DropP ? 0f : 1f / (1f - c.DropP);
    }

    /// <summary>True when every (T, d) matrix of t is row-major with non-overlapping rows (readable by Gemm in place).</summary>
    static bool RowMajorHeads(Tensor t)
        => (t.Strides[^1] == 1 || t.Shape[^1] == 1) && (t.Shape[^2] <= 1 || t.Strides[^2] >= t.Shape[^1]);

    /// <summary>Where each (…, T, d) matrix of a rank-≥2 tensor starts, and its row stride (last stride is 1).</summary>
    internal readonly struct Heads
    {
        public readonly float[] A;
        public readonly int[] Off;
        public readonly int Ld;

        public Heads(Tensor t)
        {
            A = t.FA;
            int lead = t.Shape.Length - 2, n = 1;
            for (int i = 0; i < lead; i++) n *= t.Shape[i];
            Off = new int[n];
            var idx = new int[lead];
            for (int h = 0; h < n; h++)
            {
                int o = t.Offset;
                for (int i = 0; i < lead; i++) o += idx[i] * t.Strides[i];
                Off[h] = o;
                for (int i = lead - 1; i >= 0; i--) { if (++idx[i] < t.Shape[i]) break; idx[i] = 0; }
            }
            Ld = Math.Max(t.Strides[^2], t.Shape[^1]);
            if (t.Shape[^2] <= 1) Ld = t.Shape[^1];
        }

        public Span<float> this[int h] => A.AsSpan(Off[h]);
    }

    /// <summary>A fresh tensor of <paramref name="shape"/> whose dimensions are ordered in memory like
    /// <paramref name="like"/>'s (PyTorch's preserve_format), the last dimension innermost.</summary>
    internal static Tensor EmptyLayoutOf(Tensor like, int[] shape)
    {
        int r = shape.Length;
        var order = Enumerable.Range(0, r).OrderByDescending(i => like.Shape[i] == 1 ? int.MaxValue : like.Strides[i]).ThenBy(i => i).ToArray();
        if (order[^1] != r - 1) return Tensor.Empty(shape);
        var st = new int[r]; int acc = 1;
        for (int j = r - 1; j >= 0; j--) { st[order[j]] = acc; acc *= Math.Max(shape[order[j]], 1); }
        var t = new Tensor(Storage.Float(acc), shape, st, 0, ScalarType.Float32);
        return t;
    }

    static void AttnForwardHead(in AttnShape c, int bh, in Heads Qh, in Heads Kh, in Heads Vh, float[]? M, in Heads Oh, float[] lse)
    {
        int Tq = c.Tq, Tk = c.Tk, hd = c.hd, hv = c.hv;
        var P = AttnScratch(Tq * Tk);
        Span<float> q = Qh[bh], k = Kh[bh], v = Vh[bh], o = Oh[bh];
        int lq = Qh.Ld, lk = Kh.Ld, lv = Vh.Ld, lo = Oh.Ld;
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, true, r1 - r0, lim, hd, q[(r0 * lq)..], lq, k, lk, P.AsSpan(r0 * Tk), Tk, false, parallel: false);
        }
        for (int i = 0; i < Tq; i++)
        {
            int lim = c.Lim(i);
            var row = P.AsSpan(i * Tk, Tk); var live = row[..lim];
            row[lim..].Clear();
            lse[bh * Tq + i] = Simd.ScaledSoftmax(live, c.Scale, M is null ? default : M.AsSpan((bh * Tq + i) * Tk, lim));
            if (c.DropP > 0) for (int j = 0; j < lim; j++) live[j] *= DropScale(c, bh, i, j);
        }
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, false, r1 - r0, hv, lim, P.AsSpan(r0 * Tk), Tk, v, lv, o[(r0 * lo)..], lo, false, parallel: false);
            else for (int i = r0; i < r1; i++) o.Slice(i * lo, hv).Clear();
        }
    }

    /// <summary>
    /// Backward of one head, FlashAttention style: P is recomputed from the saved log-sum-exp, then
    /// dV = P̃ᵀ·dO, dP̃ = dO·Vᵀ, dS = P ⊙ (dP − Σ_j P·dP) (dP = dP̃ ⊙ dropout mask), dQ = dS·K·scale, dK = dSᵀ·Q·scale.
    /// </summary>
    static void AttnBackwardHead(in AttnShape c, int bh, in Heads Qh, in Heads Kh, in Heads Vh, float[]? M,
        in Heads dOh, float[] lse, in Heads dQh, in Heads dKh, in Heads dVh)
    {
        int Tq = c.Tq, Tk = c.Tk, hd = c.hd, hv = c.hv;
        var scratch = AttnScratch(2 * Tq * Tk);
        var P = scratch.AsSpan(0, Tq * Tk); var D = scratch.AsSpan(Tq * Tk, Tq * Tk);
        Span<float> q = Qh[bh], k = Kh[bh], v = Vh[bh], dO = dOh[bh], dq = dQh[bh], dk = dKh[bh], dv = dVh[bh];
        int lq = Qh.Ld, lk = Kh.Ld, lv = Vh.Ld, ldo = dOh.Ld, ldq = dQh.Ld, ldk = dKh.Ld, ldv = dVh.Ld;

        // P (and the dropped P̃ in D when dropout is on)
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, true, r1 - r0, lim, hd, q[(r0 * lq)..], lq, k, lk, P[(r0 * Tk)..], Tk, false, parallel: false);
        }
        for (int i = 0; i < Tq; i++)
        {
            int lim = c.Lim(i);
            var row = P.Slice(i * Tk, Tk); var live = row[..lim];
            float l = lse[bh * Tq + i];
            if (float.IsNegativeInfinity(l)) { row.Clear(); if (c.DropP > 0) D.Slice(i * Tk, Tk).Clear(); continue; }
            TensorPrimitives.Multiply(live, c.Scale, live);
            if (M is not null) TensorPrimitives.Add(live, M.AsSpan((bh * Tq + i) * Tk, lim), live);
            Simd.ExpSum(live, l, live);
            row[lim..].Clear();
            if (c.DropP > 0)
            {
                var drow = D.Slice(i * Tk, Tk);
                for (int j = 0; j < lim; j++) drow[j] = live[j] * DropScale(c, bh, i, j);
                drow[lim..].Clear();
            }
        }
        var Pd = c.DropP > 0 ? D : P;
        // dV = P̃ᵀ·dO over key blocks (rows that cannot see a block contribute nothing)
        for (int c0 = 0; c0 < Tk; c0 += c.KeyBlock)
        {
            int c1 = Math.Min(Tk, c0 + c.KeyBlock), i0 = c.FirstRow(c0);
            if (i0 < Tq) Gemm.Sgemm(true, false, c1 - c0, hv, Tq - i0, Pd[(i0 * Tk + c0)..], Tk, dO[(i0 * ldo)..], ldo, dv[(c0 * ldv)..], ldv, false, parallel: false);
            else for (int j = c0; j < c1; j++) dv.Slice(j * ldv, hv).Clear();
        }
        // dP̃ = dO·Vᵀ (into D), then dS in place
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, true, r1 - r0, lim, hv, dO[(r0 * ldo)..], ldo, v, lv, D[(r0 * Tk)..], Tk, false, parallel: false);
        }
        for (int i = 0; i < Tq; i++)
        {
            int lim = c.Lim(i);
            var d = D.Slice(i * Tk, Tk); var dl = d[..lim]; var p = P.Slice(i * Tk, lim);
            if (c.DropP > 0) for (int j = 0; j < lim; j++) dl[j] *= DropScale(c, bh, i, j);
            Simd.SoftmaxBackwardRow(dl, p, c.Scale);
            d[lim..].Clear();
        }
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, false, r1 - r0, hd, lim, D[(r0 * Tk)..], Tk, k, lk, dq[(r0 * ldq)..], ldq, false, parallel: false);
            else for (int i = r0; i < r1; i++) dq.Slice(i * ldq, hd).Clear();
        }
        for (int c0 = 0; c0 < Tk; c0 += c.KeyBlock)
        {
            int c1 = Math.Min(Tk, c0 + c.KeyBlock), i0 = c.FirstRow(c0);
            if (i0 < Tq) Gemm.Sgemm(true, false, c1 - c0, hd, Tq - i0, D[(i0 * Tk + c0)..], Tk, q[(i0 * lq)..], lq, dk[(c0 * ldk)..], ldk, false, parallel: false);
            else for (int j = c0; j < c1; j++) dk.Slice(j * ldk, hd).Clear();
        }
    }
}
