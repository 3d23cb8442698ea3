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
                    var bs = BroadcastShape(attn_mask.Shape, full, "scaled_dot_product_attention (attn_mask)");
                    if (!SameShape(bs, full)) throw new ArgumentException($"scaled_dot_product_attention: attn_mask of shape {ShapeStr(attn_mask.Shape)} does not broadcast to {ShapeStr(full)}.");
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
                var P = Tensor.Empty([BH, Tq, Tk]);
                float[] PA = P.FA;
                Gemm.SgemmBatched(false, true, BH, Tq, Tk, hd, q.FSpan, hd, (long)Tq * hd, k.FSpan, hd, (long)Tk * hd, P.FSpan, Tk, (long)Tq * Tk, false);
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
                Gemm.SgemmBatched(false, false, BH, Tq, hv, Tk, Pv.FSpan, Tk, (long)Tq * Tk, v.FSpan, hv, (long)Tk * hv, o.FSpan, hv, (long)Tq * hv, false);

                if (NeedsGrad(query, key, value))
                {
                    var qs = q.Alias(); var ks = k.Alias(); var vs = v.Alias();
                    Record(o, "ScaledDotProductAttentionBackward", g =>
                    {
                        using var dO = Contig(g);
                        if (value.requires_grad)
                        {
                            var dV = Tensor.Empty(value.Shape);
                            Gemm.SgemmBatched(true, false, BH, Tk, hv, Tq, Pv.FSpan, Tk, (long)Tq * Tk, dO.FSpan, hv, (long)Tq * hv, dV.FSpan, hv, (long)Tk * hv, false);
                            Acc(value, dV);
                        }
                        if (!query.requires_grad && !key.requires_grad) return;
                        using var dS = Tensor.Empty([BH, Tq, Tk]);
                        Gemm.SgemmBatched(false, true, BH, Tq, Tk, hv, dO.FSpan, hv, (long)Tq * hv, vs.FSpan, hv, (long)Tk * hv, dS.FSpan, Tk, (long)Tq * Tk, false);
                        if (dropMask is not null) TensorPrimitives.Multiply(dS.FSpan, dropMask.FSpan, dS.FSpan);
                        float[] DS = dS.FA;
                        ParallelChunks(rows, Math.Max(1, 16384 / Math.Max(Tk, 1)), (s, n) =>
                        {
                            for (int r = s; r < s + n; r++)
                            {
                                int i = r % Tq;
                                int lim = is_causal ? i + off + 1 : Tk;
                                var p = PA.AsSpan(r * Tk, lim); var d = DS.AsSpan(r * Tk, Tk);
                                var dl = d[..lim];
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
                            Gemm.SgemmBatched(false, false, BH, Tq, hd, Tk, dS.FSpan, Tk, (long)Tq * Tk, ks.FSpan, hd, (long)Tk * hd, dQ.FSpan, hd, (long)Tq * hd, false);
                            Acc(query, dQ);
                        }
                        if (key.requires_grad)
                        {
                            var dK = Tensor.Empty(key.Shape);
                            Gemm.SgemmBatched(true, false, BH, Tk, hd, Tq, dS.FSpan, Tk, (long)Tq * Tk, qs.FSpan, hd, (long)Tq * hd, dK.FSpan, hd, (long)Tk * hd, false);
                            Acc(key, dK);
                        }
                    }, query, key, value);
                }
                return o;
            }
        }
    }
}
