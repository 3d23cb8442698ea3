using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>
            /// Fused log-softmax + negative log-likelihood. <paramref name="input"/> holds logits with the classes in the
            /// LAST dimension: (N, V) or (B, T, V) (note: PyTorch puts classes in dim 1 for inputs beyond 2-D; here the
            /// last dim is the class dim, which is what language models need); <paramref name="target"/> holds Int64 class
            /// ids shaped like input without its last dim. Targets equal to <paramref name="ignore_index"/> add no loss
            /// and no gradient; "mean" divides by the number of non-ignored targets. The backward is softmax − onehot
            /// computed row by row from the saved log-sum-exp; no log-softmax tensor is materialised.
            /// </summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, long ignore_index = -100, string reduction = "mean")
            {
                if (input.dtype != ScalarType.Float32) throw new ArgumentException($"cross_entropy: logits must be Float32; got {input.dtype}.");
                if (target.dtype != ScalarType.Int64) throw new ArgumentException($"cross_entropy: target must hold Int64 class ids; got {target.dtype}.");
                if (input.dim() < 1) throw new ArgumentException("cross_entropy: logits need at least one dimension (classes).");
                if (reduction is not ("mean" or "sum" or "none"))
                    throw new ArgumentException($"cross_entropy: reduction must be \"mean\", \"sum\" or \"none\"; got \"{reduction}\".");
                int V = input.Shape[^1];
                var lead = input.Shape[..^1];
                if (!SameShape(lead, target.Shape))
                    throw new ArgumentException($"cross_entropy: target shape {ShapeStr(target.Shape)} must equal the logits shape without its class dim, {ShapeStr(lead)} (logits {ShapeStr(input.Shape)}).");
                int N = target.Numel;
                using var tc = Contig(target);
                var T = tc.LSpan;
                int count = 0;
                for (int i = 0; i < N; i++)
                {
                    long t = T[i];
                    if (t == ignore_index) continue;
                    if ((ulong)t >= (ulong)V)
                        throw new ArgumentOutOfRangeException(nameof(target), $"cross_entropy: target {t} at position {i} is out of range for {V} classes (valid 0..{V - 1}, or ignore_index {ignore_index}).");
                    count++;
                }
                using var x = Contig(input);
                var lse = new float[N];
                var losses = new float[N];
                float[] X = x.FA; int xo = x.Offset;
                long[] TA = tc.LA; int to = tc.Offset;
                ParallelChunks(N, Math.Max(1, 16384 / Math.Max(V, 1)), (s, n) =>
                {
                    var scratch = new float[V];
                    for (int r = s; r < s + n; r++)
                    {
                        var row = X.AsSpan(xo + r * V, V);
                        float m = TensorPrimitives.Max(row);
                        float l = m + MathF.Log(Simd.ExpSum(row, m, scratch));
                        lse[r] = l;
                        long t = TA[to + r];
                        losses[r] = t == ignore_index ? 0f : l - row[(int)t];
                    }
                });
                Tensor o;
                if (reduction == "none") { o = Tensor.Empty(target.Shape); losses.CopyTo(o.FSpan); }
                else
                {
                    double s = 0; foreach (var l in losses) s += l;
                    o = scalar_tensor(reduction == "sum" ? (float)s : (float)(s / count)); // 0/0 = NaN when all ignored, as PyTorch
                }
                if (NeedsGrad(input))
                {
                    var xs = x.Alias(); var ts = tc.Alias();
                    Record(o, "CrossEntropyBackward", g =>
                    {
                        using var gc = Contig(g);
                        var dx = Tensor.Empty(input.Shape);
                        float[] DX = dx.FA, G = gc.FA, Xs = xs.FA; long[] Ts = ts.LA;
                        int go = gc.Offset, xso = xs.Offset, tso = ts.Offset;
                        float scalar = reduction == "none" ? 0f : G[go] / (reduction == "mean" ? count : 1);
                        ParallelChunks(N, Math.Max(1, 16384 / Math.Max(V, 1)), (s, n) =>
                        {
                            for (int r = s; r < s + n; r++)
                            {
                                var d = DX.AsSpan(r * V, V);
                                long t = Ts[tso + r];
                                if (t == ignore_index) { d.Clear(); continue; }
                                float sc = reduction == "none" ? G[go + r] : scalar;
                                Simd.ExpSum(Xs.AsSpan(xso + r * V, V), lse[r], d);
                                d[(int)t] -= 1f;
                                TensorPrimitives.Multiply(d, sc, d);
                            }
                        });
                        Acc(input, dx);
                    }, input);
                }
                return o;
            }

            /// <summary>Negative log-likelihood of log-probabilities (classes in the last dim), with ignore_index.</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, long ignore_index = -100, string reduction = "mean")
            {
                if (target.dtype != ScalarType.Int64) throw new ArgumentException($"nll_loss: target must hold Int64 class ids; got {target.dtype}.");
                var lead = input.Shape[..^1];
                if (!SameShape(lead, target.Shape))
                    throw new ArgumentException($"nll_loss: target shape {ShapeStr(target.Shape)} must equal the input shape without its class dim, {ShapeStr(lead)}.");
                using var ignored = torch.eq(target, ignore_index);
                using var safe = masked_fill(target, ignored, 0);
                using var idx = safe.unsqueeze(-1);
                using var picked = gather(input, -1, idx);
                using var p = picked.squeeze(-1);
                using var masked = masked_fill(p, ignored, 0f);
                using var negd = torch.neg(masked);
                if (reduction == "none") return negd.alias_with_grad_internal();
                using var s = torch.sum(negd);
                if (reduction == "sum") return s.alias_with_grad_internal();
                using var keep = logical_not(ignored);
                float cnt = (float)keep.ToArray<bool>().Count(b => b);
                return torch.div(s, cnt);
            }
        }
    }
}
