using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless layers and losses (torch.nn.functional).</summary>
        public static partial class functional
        {
            public static Tensor relu(Tensor x) => torch.relu(x);
            public static Tensor silu(Tensor x) => torch.silu(x);
            public static Tensor sigmoid(Tensor x) => torch.sigmoid(x);
            public static Tensor tanh(Tensor x) => torch.tanh(x);
            /// <summary>GELU; approximate: "none" (erf) or "tanh" (GPT-2).</summary>
            public static Tensor gelu(Tensor x, string approximate = "none") => torch.gelu(x, approximate);

            public static Tensor softmax(Tensor x, long dim) => SoftmaxImpl(x, dim, false);
            public static Tensor log_softmax(Tensor x, long dim) => SoftmaxImpl(x, dim, true);

            static Tensor SoftmaxImpl(Tensor x, long dim, bool log)
            {
                if (x.dtype != ScalarType.Float32) throw new ArgumentException($"{(log ? "log_softmax" : "softmax")}: input must be Float32; got {x.dtype}.");
                int d = NormDim(dim, x.dim());
                using var xc = Contig(x);
                var (outer, D, inner) = x.dim() == 0 ? (1, 1, 1) : Split3(x.Shape, d);
                var o = Tensor.Empty(x.Shape);
                float[] X = xc.FA, O = o.FA; int xo = xc.Offset;
                if (inner == 1)
                    ParallelChunks(outer, Math.Max(1, 8192 / Math.Max(D, 1)), (s, n) =>
                    {
                        for (int r = s; r < s + n; r++)
                        {
                            var xr = X.AsSpan(xo + r * D, D); var yr = O.AsSpan(r * D, D);
                            if (log) LogSoftmaxRow(xr, yr); else SoftmaxRow(xr, yr);
                        }
                    });
                else
                {
                    var col = new float[D]; var res = new float[D];
                    for (int b = 0; b < outer; b++)
                        for (int i = 0; i < inner; i++)
                        {
                            for (int k = 0; k < D; k++) col[k] = X[xo + (b * D + k) * inner + i];
                            if (log) LogSoftmaxRow(col, res); else SoftmaxRow(col, res);
                            for (int k = 0; k < D; k++) O[(b * D + k) * inner + i] = res[k];
                        }
                }
                if (NeedsGrad(x))
                    Record(o, log ? "LogSoftmaxBackward" : "SoftmaxBackward", g =>
                    {
                        using var gc = Contig(g);
                        var dx = Tensor.Empty(x.Shape);
                        float[] G = gc.FA, Y = o.FA, DX = dx.FA; int go = gc.Offset;
                        if (inner == 1)
                            ParallelChunks(outer, Math.Max(1, 8192 / Math.Max(D, 1)), (s, n) =>
                            {
                                for (int r = s; r < s + n; r++)
                                {
                                    var gr = G.AsSpan(go + r * D, D); var yr = Y.AsSpan(r * D, D); var dr = DX.AsSpan(r * D, D);
                                    if (log) LogSoftmaxRowBackward(gr, yr, dr); else SoftmaxRowBackward(gr, yr, dr);
                                }
                            });
                        else
                        {
                            var gcol = new float[D]; var ycol = new float[D]; var dcol = new float[D];
                            for (int b = 0; b < outer; b++)
                                for (int i = 0; i < inner; i++)
                                {
                                    for (int k = 0; k < D; k++) { int at = (b * D + k) * inner + i; gcol[k] = G[go + at]; ycol[k] = Y[at]; }
                                    if (log) LogSoftmaxRowBackward(gcol, ycol, dcol); else SoftmaxRowBackward(gcol, ycol, dcol);
                                    for (int k = 0; k < D; k++) DX[(b * D + k) * inner + i] = dcol[k];
                                }
                        }
                        Acc(x, dx);
                    }, x);
                return o;
            }

            internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
            {
                float m = TensorPrimitives.Max(x);
                float s = Simd.ExpSum(x, m, y);
                TensorPrimitives.Multiply(y, 1f / s, y);
            }

            internal static void LogSoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
            {
                float m = TensorPrimitives.Max(x);
                float lse = m + MathF.Log(Simd.ExpSum(x, m, y));
                TensorPrimitives.Subtract(x, lse, y);
            }

            static void SoftmaxRowBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> dx)
            {
                float dot = TensorPrimitives.Dot(g, y);
                TensorPrimitives.Subtract(g, dot, dx);
                TensorPrimitives.Multiply(dx, y, dx);
            }

            static void LogSoftmaxRowBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> dx)
            {
                float s = TensorPrimitives.Sum(g);
                Simd.ExpSum(y, 0f, dx);
                TensorPrimitives.Multiply(dx, -s, dx);
                TensorPrimitives.Add(dx, g, dx);
            }

            /// <summary>Zeroes elements with probability p and scales the rest by 1/(1−p) when training.</summary>
            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true, Generator? generator = null)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), $"dropout: probability must be in [0, 1]; got {p}.");
                if (!training || p == 0) return x.alias_with_grad_internal();
                var gen = generator ?? DefaultGen;
                var mask = Tensor.Empty(x.Shape);
                var M = mask.FSpan;
                float keep = p >= 1 ? 0f : (float)(1.0 / (1.0 - p));
                for (int i = 0; i < M.Length; i++) M[i] = gen.NextDouble() < p ? 0f : keep;
                Tensor o;
                using (no_grad()) o = torch.mul(x, mask);
                if (NeedsGrad(x)) Record(o, "DropoutBackward", g => Acc(x, torch.mul(g, mask)), x);
                return o;
            }

            /// <summary>Rows of <paramref name="weight"/> (V, C) picked by Int64 ids of any shape → (..., C).</summary>
            public static Tensor embedding(Tensor input, Tensor weight)
            {
                if (input.dtype != ScalarType.Int64) throw new ArgumentException($"embedding: input must hold Int64 ids; got {input.dtype}.");
                if (weight.dim() != 2) throw new ArgumentException($"embedding: weight must be 2-D (num_embeddings, dim); got {ShapeStr(weight.Shape)}.");
                int V = weight.Shape[0], C = weight.Shape[1];
                using var ic = Contig(input);
                var ids = ic.LSpan;
                for (int i = 0; i < ids.Length; i++)
                    if ((ulong)ids[i] >= (ulong)V)
                        throw new ArgumentOutOfRangeException(nameof(input), $"embedding: id {ids[i]} at position {i} is out of range for a table of {V} rows (valid 0..{V - 1}).");
                using var wc = Contig(weight);
                var o = Tensor.Empty(input.Shape.Append(C).ToArray());
                var W = wc.FSpan; var O = o.FSpan;
                for (int i = 0; i < ids.Length; i++) W.Slice((int)ids[i] * C, C).CopyTo(O.Slice(i * C, C));
                if (NeedsGrad(weight))
                {
                    var idc = ic.Alias();
                    Record(o, "EmbeddingBackward", g =>
                    {
                        using var gc = Contig(g);
                        var direct = LeafGradBuffer(weight);
                        var dw = direct ?? Tensor.Empty(weight.Shape, clear: true);
                        var DW = dw.FSpan; var G = gc.FSpan; var I = idc.LSpan;
                        for (int i = 0; i < I.Length; i++)
                        {
                            var row = DW.Slice((int)I[i] * C, C);
                            TensorPrimitives.Add(row, G.Slice(i * C, C), row);
                        }
                        if (direct is null) Acc(weight, dw);
                    }, weight);
                }
                return o;
            }

            /// <summary>Mean (or sum / none) of squared differences.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean")
            {
                using var d = torch.sub(input, target);
                using var d2 = torch.mul(d, d);
                return reduction switch
                {
                    "mean" => torch.mean(d2),
                    "sum" => torch.sum(d2),
                    "none" => d2.alias_with_grad_internal(),
                    _ => throw new ArgumentException($"mse_loss: reduction must be \"mean\", \"sum\" or \"none\"; got \"{reduction}\"."),
                };
            }
        }
    }

    public sealed partial class Tensor
    {
        internal Tensor alias_with_grad_internal() => alias_with_grad();
    }
}
