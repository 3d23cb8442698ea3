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
                // Causal attention runs in query-row blocks, each multiplying only the keys it can see
                // (about 40 % fewer flops than the full square at T = 128).
                int bs = is_causal && Tq >= 64 ? 32 : Tq;
                int nb = Math.Max(1, (Tq + bs - 1) / Math.Max(bs, 1));
                int KeysOf(int rowEnd) => is_causal ? Math.Min(Tk, rowEnd + off) : Tk; // keys visible to rows < rowEnd
                long sQ = (long)Tq * hd, sK = (long)Tk * hd, sV = (long)Tk * hv, sP = (long)Tq * Tk, sO = (long)Tq * hv;

                var P = Tensor.Empty([BH, Tq, Tk]);
                float[] PA = P.FA;
                for (int blk = 0; blk < nb; blk++)
                {
                    int r0 = blk * bs, r1 = Math.Min(Tq, r0 + bs), lim = KeysOf(r1);
                    if (r1 > r0 && lim > 0)
                        Gemm.SgemmBatched(false, true, BH, r1 - r0, lim, hd, q.FSpan[(r0 * hd)..], hd, sQ, k.FSpan, hd, sK,
                            P.FSpan[(r0 * Tk)..], Tk, sP, false);
                }
                float[]? MA = maskAdd?.FA;
                int rows = BH * Tq;
                ParallelChunks(rows, Math.Max(1, 16384 / Math.Max(Tk, 1)), (s, n) =>
                {
                    for (int r = s; r < s + n; r++)
                    {
                        int i = r % Tq;
                        var row = PA.AsSpan(r * Tk, Tk);
                        int lim = is_causal ? i + off + 1 : Tk;
                        var live = row[..lim];
                        TensorPrimitives.Multiply(live, sc, live);
                        if (MA is not null) TensorPrimitives.Add(live, MA.AsSpan(r * Tk, lim), live);
                        row[lim..].Clear();
                        float m = TensorPrimitives.Max(live);
                        if (float.IsNegativeInfinity(m)) { live.Clear(); continue; }
                        float z = Simd.ExpSum(live, m, live);
                        TensorPrimitives.Multiply(live, 1f / z, live);
                    }
                });
                maskAdd?.Dispose();

                // attention dropout: PD = P · keep / (1 − p)
                Tensor? dropMask = null, PD = null;
                if (dropout_p > 0)
                {
                    var gen = generator ?? DefaultGen;
                    dropMask = Tensor.Empty(P.Shape);
                    var DM = dropMask.FSpan; float keep = (float)(1.0 / (1.0 - dropout_p));
                    for (int i = 0; i < DM.Length; i++) DM[i] = gen.NextDouble() < dropout_p ? 0f : keep;
                    PD = Tensor.Empty(P.Shape);
                    TensorPrimitives.Multiply(P.FSpan, DM, PD.FSpan);
                }
                var Pv = PD ?? P;
                var oshape = (int[])query.Shape.Clone(); oshape[^1] = hv;
                var o = Tensor.Empty(oshape);
                for (int blk = 0; blk < nb; blk++)
                {
                    int r0 = blk * bs, r1 = Math.Min(Tq, r0 + bs), lim = KeysOf(r1);
                    if (r1 <= r0) continue;
                    if (lim == 0) { for (int b = 0; b < BH; b++) o.FSpan.Slice((int)(b * sO) + r0 * hv, (r1 - r0) * hv).Clear(); continue; }
                    Gemm.SgemmBatched(false, false, BH, r1 - r0, hv, lim, Pv.FSpan[(r0 * Tk)..], Tk, sP, v.FSpan, hv, sV,
                        o.FSpan[(r0 * hv)..], hv, sO, false);
                }

                if (NeedsGrad(query, key, value))
                {
                    var qs = q.Alias(); var ks = k.Alias(); var vs = v.Alias();
                    Record(o, "ScaledDotProductAttentionBackward", g =>
                    {
                        using var dO = Contig(g);
                        // first query row that sees key c0 (keys in a block [c0, c1) are seen by rows ≥ that)
                        int FirstRow(int c0) => is_causal ? Math.Clamp(c0 - off, 0, Tq) : 0;
                        int kb = is_causal ? bs : Tk, nkb = Math.Max(1, (Tk + kb - 1) / Math.Max(kb, 1));
                        if (value.requires_grad)
                        {
                            var dV = Tensor.Empty(value.Shape);
                            for (int blk = 0; blk < nkb; blk++)
                            {
                                int c0 = blk * kb, c1 = Math.Min(Tk, c0 + kb), i0 = FirstRow(c0);
                                if (c1 <= c0) continue;
                                if (i0 >= Tq) { for (int b = 0; b < BH; b++) dV.FSpan.Slice((int)(b * sV) + c0 * hv, (c1 - c0) * hv).Clear(); continue; }
                                Gemm.SgemmBatched(true, false, BH, c1 - c0, hv, Tq - i0, Pv.FSpan[(i0 * Tk + c0)..], Tk, sP,
                                    dO.FSpan[(i0 * hv)..], hv, sO, dV.FSpan[(c0 * hv)..], hv, sV, false);
                            }
                            Acc(value, dV);
                        }
                        if (!query.requires_grad && !key.requires_grad) return;
                        using var dS = Tensor.Empty([BH, Tq, Tk]);
                        for (int blk = 0; blk < nb; blk++)
                        {
                            int r0 = blk * bs, r1 = Math.Min(Tq, r0 + bs), lim = KeysOf(r1);
                            if (r1 > r0 && lim > 0)
                                Gemm.SgemmBatched(false, true, BH, r1 - r0, lim, hv, dO.FSpan[(r0 * hv)..], hv, sO, vs.FSpan, hv, sV,
                                    dS.FSpan[(r0 * Tk)..], Tk, sP, false);
                        }
                        float[] DS = dS.FA; float[]? DM = dropMask?.FA;
                        ParallelChunks(rows, Math.Max(1, 16384 / Math.Max(Tk, 1)), (s, n) =>
                        {
                            for (int r = s; r < s + n; r++)
                            {
                                int i = r % Tq;
                                int lim = is_causal ? i + off + 1 : Tk;
                                var p = PA.AsSpan(r * Tk, lim); var d = DS.AsSpan(r * Tk, Tk);
                                var dl = d[..lim];
                                if (DM is not null) TensorPrimitives.Multiply(dl, DM.AsSpan(r * Tk, lim), dl);
                                float dot = TensorPrimitives.Dot(dl, p);
                                TensorPrimitives.Subtract(dl, dot, dl);
                                TensorPrimitives.Multiply(dl, p, dl);
                                TensorPrimitives.Multiply(dl, sc, dl);
                                d[lim..].Clear();
                            }
                        });
                        if (query.requires_grad)
                        {
                            var dQ = Tensor.Empty(query.Shape);
                            for (int blk = 0; blk < nb; blk++)
                            {
                                int r0 = blk * bs, r1 = Math.Min(Tq, r0 + bs), lim = KeysOf(r1);
                                if (r1 <= r0) continue;
                                if (lim == 0) { for (int b = 0; b < BH; b++) dQ.FSpan.Slice((int)(b * sQ) + r0 * hd, (r1 - r0) * hd).Clear(); continue; }
                                Gemm.SgemmBatched(false, false, BH, r1 - r0, hd, lim, dS.FSpan[(r0 * Tk)..], Tk, sP, ks.FSpan, hd, sK,
                                    dQ.FSpan[(r0 * hd)..], hd, sQ, false);
                            }
                            Acc(query, dQ);
                        }
                        if (key.requires_grad)
                        {
                            var dK = Tensor.Empty(key.Shape);
                            for (int blk = 0; blk < nkb; blk++)
                            {
                                int c0 = blk * kb, c1 = Math.Min(Tk, c0 + kb), i0 = FirstRow(c0);
                                if (c1 <= c0) continue;
                                if (i0 >= Tq) { for (int b = 0; b < BH; b++) dK.FSpan.Slice((int)(b * sK) + c0 * hd, (c1 - c0) * hd).Clear(); continue; }
                                Gemm.SgemmBatched(true, false, BH, c1 - c0, hd, Tq - i0, dS.FSpan[(i0 * Tk + c0)..], Tk, sP,
                                    qs.FSpan[(i0 * hd)..], hd, sQ, dK.FSpan[(c0 * hd)..], hd, sK, false);
                            }
                            Acc(key, dK);
                        }
                    }, query, key, value);
                }
                return o;
            }
        }
    }
}
