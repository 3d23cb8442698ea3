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

                using var q = Contig(query);
                using var k = Contig(key);
                using var v = Contig(value);
                var oshape = (int[])query.Shape.Clone(); oshape[^1] = hv;
                var o = Tensor.Empty(oshape);
                var lse = new float[BH * Tq]; // per query row: log Σ exp(scores); the backward recomputes P from it
                long dropSeed = dropout_p > 0 ? (long)(generator ?? DefaultGen).NextU64() : 0;
                var cfg = new AttnShape(BH, Tq, Tk, hd, hv, sc, is_causal, off, (float)dropout_p, dropSeed);
                float[] Q = q.FA, K = k.FA, Vv = v.FA, O = o.FA, M = maskAdd?.FA ?? [];
                int qo = q.Offset, ko = k.Offset, vo = v.Offset;
                bool hasMask = maskAdd is not null;
                // One head per task: its scores stay in L2 between the two products and the softmax.
                Parallel.For(0, BH, bh => AttnForwardHead(cfg, bh, Q, qo, K, ko, Vv, vo, hasMask ? M : null, O, lse));

                if (NeedsGrad(query, key, value))
                {
                    var qs = q.Alias(); var ks = k.Alias(); var vs = v.Alias();
                    var masks = maskAdd; // kept alive for the backward
                    Record(o, "ScaledDotProductAttentionBackward", g =>
                    {
                        using var dO = Contig(g);
                        var dQ = Tensor.Empty(query.Shape); var dK = Tensor.Empty(key.Shape); var dV = Tensor.Empty(value.Shape);
                        float[] DO = dO.FA, DQ = dQ.FA, DK = dK.FA, DV = dV.FA;
                        int doo = dO.Offset;
                        Parallel.For(0, BH, bh => AttnBackwardHead(cfg, bh, qs.FA, qs.Offset, ks.FA, ks.Offset, vs.FA, vs.Offset,
                            masks?.FA, o.FA, DO, doo, lse, DQ, DK, DV));
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
        public int Block => Causal && Tq >= 64 ? 32 : Math.Max(Tq, 1);
        public int KeyBlock => Causal && Tq >= 64 ? 32 : Math.Max(Tk, 1);
        /// <summary>First query row that can see key j.</summary>
        public int FirstRow(int j) => Causal ? Math.Clamp(j - Off, 0, Tq) : 0;
    }

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

    static void AttnForwardHead(in AttnShape c, int bh, float[] Q, int qo, float[] K, int ko, float[] V, int vo, float[]? M, float[] O, float[] lse)
    {
        int Tq = c.Tq, Tk = c.Tk, hd = c.hd, hv = c.hv;
        var P = AttnScratch(Tq * Tk);
        var q = Q.AsSpan(qo + bh * Tq * hd, Tq * hd); var k = K.AsSpan(ko + bh * Tk * hd, Tk * hd);
        var v = V.AsSpan(vo + bh * Tk * hv, Tk * hv); var o = O.AsSpan(bh * Tq * hv, Tq * hv);
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, true, r1 - r0, lim, hd, q[(r0 * hd)..], hd, k, hd, P.AsSpan(r0 * Tk), Tk, false, parallel: false);
        }
        for (int i = 0; i < Tq; i++)
        {
            int lim = c.Lim(i);
            var row = P.AsSpan(i * Tk, Tk); var live = row[..lim];
            TensorPrimitives.Multiply(live, c.Scale, live);
            if (M is not null) TensorPrimitives.Add(live, M.AsSpan((bh * Tq + i) * Tk, lim), live);
            row[lim..].Clear();
            float m = lim > 0 ? TensorPrimitives.Max(live) : float.NegativeInfinity;
            if (float.IsNegativeInfinity(m)) { live.Clear(); lse[bh * Tq + i] = float.NegativeInfinity; continue; }
            float z = Simd.ExpSum(live, m, live);
            TensorPrimitives.Multiply(live, 1f / z, live);
            lse[bh * Tq + i] = m + MathF.Log(z);
            if (c.DropP > 0) for (int j = 0; j < lim; j++) live[j] *= DropScale(c, bh, i, j);
        }
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, false, r1 - r0, hv, lim, P.AsSpan(r0 * Tk), Tk, v, hv, o[(r0 * hv)..], hv, false, parallel: false);
            else o.Slice(r0 * hv, (r1 - r0) * hv).Clear();
        }
    }

    /// <summary>
    /// Backward of one head, FlashAttention style: P is recomputed from the saved log-sum-exp, then
    /// dV = P̃ᵀ·dO, dP̃ = dO·Vᵀ, dS = P ⊙ (dP − Σ_j P·dP) (dP = dP̃ ⊙ dropout mask), dQ = dS·K·scale, dK = dSᵀ·Q·scale.
    /// </summary>
    static void AttnBackwardHead(in AttnShape c, int bh, float[] Q, int qo, float[] K, int ko, float[] V, int vo, float[]? M,
        float[] O, float[] DO, int doo, float[] lse, float[] DQ, float[] DK, float[] DV)
    {
        int Tq = c.Tq, Tk = c.Tk, hd = c.hd, hv = c.hv;
        var scratch = AttnScratch(2 * Tq * Tk);
        var P = scratch.AsSpan(0, Tq * Tk); var D = scratch.AsSpan(Tq * Tk, Tq * Tk);
        var q = Q.AsSpan(qo + bh * Tq * hd, Tq * hd); var k = K.AsSpan(ko + bh * Tk * hd, Tk * hd);
        var v = V.AsSpan(vo + bh * Tk * hv, Tk * hv); var dO = DO.AsSpan(doo + bh * Tq * hv, Tq * hv);
        var dq = DQ.AsSpan(bh * Tq * hd, Tq * hd); var dk = DK.AsSpan(bh * Tk * hd, Tk * hd); var dv = DV.AsSpan(bh * Tk * hv, Tk * hv);

        // P (and the dropped P̃ in D when dropout is on)
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, true, r1 - r0, lim, hd, q[(r0 * hd)..], hd, k, hd, P[(r0 * Tk)..], Tk, false, parallel: false);
        }
        for (int i = 0; i < Tq; i++)
        {
            int lim = c.Lim(i);
            var row = P.Slice(i * Tk, Tk); var live = row[..lim];
            float l = lse[bh * Tq + i];
            if (float.IsNegativeInfinity(l)) { row.Clear(); continue; }
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
            if (i0 < Tq) Gemm.Sgemm(true, false, c1 - c0, hv, Tq - i0, Pd[(i0 * Tk + c0)..], Tk, dO[(i0 * hv)..], hv, dv[(c0 * hv)..], hv, false, parallel: false);
            else dv.Slice(c0 * hv, (c1 - c0) * hv).Clear();
        }
        // dP̃ = dO·Vᵀ (into D), then dS in place
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, true, r1 - r0, lim, hv, dO[(r0 * hv)..], hv, v, hv, D[(r0 * Tk)..], Tk, false, parallel: false);
        }
        for (int i = 0; i < Tq; i++)
        {
            int lim = c.Lim(i);
            var d = D.Slice(i * Tk, Tk); var dl = d[..lim]; var p = P.Slice(i * Tk, lim);
            if (c.DropP > 0) for (int j = 0; j < lim; j++) dl[j] *= DropScale(c, bh, i, j);
            float dot = TensorPrimitives.Dot(dl, p);
            TensorPrimitives.Subtract(dl, dot, dl);
            TensorPrimitives.Multiply(dl, p, dl);
            TensorPrimitives.Multiply(dl, c.Scale, dl);
            d[lim..].Clear();
        }
        for (int r0 = 0; r0 < Tq; r0 += c.Block)
        {
            int r1 = Math.Min(Tq, r0 + c.Block), lim = c.Lim(r1 - 1);
            if (lim > 0) Gemm.Sgemm(false, false, r1 - r0, hd, lim, D[(r0 * Tk)..], Tk, k, hd, dq[(r0 * hd)..], hd, false, parallel: false);
            else dq.Slice(r0 * hd, (r1 - r0) * hd).Clear();
        }
        for (int c0 = 0; c0 < Tk; c0 += c.KeyBlock)
        {
            int c1 = Math.Min(Tk, c0 + c.KeyBlock), i0 = c.FirstRow(c0);
            if (i0 < Tq) Gemm.Sgemm(true, false, c1 - c0, hd, Tq - i0, D[(i0 * Tk + c0)..], Tk, q[(i0 * hd)..], hd, dk[(c0 * hd)..], hd, false, parallel: false);
            else dk.Slice(c0 * hd, (c1 - c0) * hd).Clear();
        }
    }
}
