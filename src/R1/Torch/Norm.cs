using System.Numerics.Tensors;

namespace R1;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            static int NormRows(Tensor input, long[] normalized_shape, Tensor? weight, Tensor? bias, string op, out int C)
            {
                if (input.dtype != ScalarType.Float32) throw new ArgumentException($"{op}: input must be Float32; got {input.dtype}.");
                int k = normalized_shape.Length;
                bool ok = k >= 1 && k <= input.dim();
                for (int i = 0; ok && i < k; i++) ok = input.Shape[input.dim() - k + i] == normalized_shape[i];
                if (!ok) throw new ArgumentException($"{op}: normalized_shape {ShapeStr(normalized_shape)} must match the trailing dimensions of the input {ShapeStr(input.Shape)}.");
                C = 1; foreach (var d in normalized_shape) C *= (int)d;
                if (weight is not null && !SameShape(weight.Shape, ToInt(normalized_shape)))
                    throw new ArgumentException($"{op}: weight shape {ShapeStr(weight.Shape)} must equal normalized_shape {ShapeStr(normalized_shape)}.");
                if (bias is not null && !SameShape(bias.Shape, ToInt(normalized_shape)))
                    throw new ArgumentException($"{op}: bias shape {ShapeStr(bias.Shape)} must equal normalized_shape {ShapeStr(normalized_shape)}.");
                return C == 0 ? 0 : input.Numel / C;
            }

            /// <summary>
            /// Layer normalisation over the trailing <paramref name="normalized_shape"/> dims, fused:
            /// y = (x − mean)·rstd·w + b with the biased variance; the backward is written by hand (llm.c's layernorm_backward).
            /// </summary>
            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                int R = NormRows(input, normalized_shape, weight, bias, "layer_norm", out int C);
                using var x = Contig(input);
                using var wc = weight is null ? null : Contig(weight);
                using var bc = bias is null ? null : Contig(bias);
                var o = Tensor.Empty(input.Shape);
                var mean = new float[R]; var rstd = new float[R];
                float[] X = x.FA, O = o.FA; int xo = x.Offset;
                float[]? Wa = wc?.FA, Ba = bc?.FA; int wo = wc?.Offset ?? 0, bo = bc?.Offset ?? 0;
                float feps = (float)eps;
                ParallelChunks(R, Math.Max(1, 16384 / Math.Max(C, 1)), (s, n) =>
                {
                    for (int r = s; r < s + n; r++)
                    {
                        var xr = X.AsSpan(xo + r * C, C); var yr = O.AsSpan(r * C, C);
                        float m = TensorPrimitives.Sum(xr) / C;
                        TensorPrimitives.Subtract(xr, m, yr);
                        float v = TensorPrimitives.SumOfSquares(yr) / C;
                        float rs = 1f / MathF.Sqrt(v + feps);
                        mean[r] = m; rstd[r] = rs;
                        TensorPrimitives.Multiply(yr, rs, yr);
                        if (Wa is not null) TensorPrimitives.Multiply(yr, Wa.AsSpan(wo, C), yr);
                        if (Ba is not null) TensorPrimitives.Add(yr, Ba.AsSpan(bo, C), yr);
                    }
                });
                var inputs = new List<Tensor> { input };
                if (weight is not null) inputs.Add(weight);
                if (bias is not null) inputs.Add(bias);
                if (!gradDisabled && inputs.Any(t => t.requires_grad))
                {
                    var xs = x.Alias(); var ws = wc?.Alias();
                    Record(o, "LayerNormBackward", g =>
                    {
                        using var gc = Contig(g);
                        var dx = input.requires_grad ? Tensor.Empty(input.Shape) : null;
                        bool needW = weight is { requires_grad: true }, needB = bias is { requires_grad: true };
                        var dw = needW ? new float[C] : null; var db = needB ? new float[C] : null;
                        NormBackward(gc.FA, gc.Offset, xs.FA, xs.Offset, ws?.FA, ws?.Offset ?? 0, mean, rstd, R, C, true,
                            dx?.FA, dw, db);
                        if (dx is not null) Acc(input, dx);
                        if (dw is not null) Acc(weight!, FromGrad(dw, weight!.Shape));
                        if (db is not null) Acc(bias!, FromGrad(db, bias!.Shape));
                    }, inputs.ToArray());
                }
                return o;
            }

            /// <summary>RMS normalisation: y = x·rstd·w with rstd = 1/√(mean(x²) + eps); eps defaults to float32's epsilon (PyTorch's default).</summary>
            public static Tensor rms_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, double? eps = null)
            {
                int R = NormRows(input, normalized_shape, weight, null, "rms_norm", out int C);
                using var x = Contig(input);
                using var wc = weight is null ? null : Contig(weight);
                var o = Tensor.Empty(input.Shape);
                var rstd = new float[R];
                float[] X = x.FA, O = o.FA; int xo = x.Offset;
                float[]? Wa = wc?.FA; int wo = wc?.Offset ?? 0;
                float feps = (float)(eps ?? 1.1920928955078125e-07);
                ParallelChunks(R, Math.Max(1, 16384 / Math.Max(C, 1)), (s, n) =>
                {
                    for (int r = s; r < s + n; r++)
                    {
                        var xr = X.AsSpan(xo + r * C, C); var yr = O.AsSpan(r * C, C);
                        float rs = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / C + feps);
                        rstd[r] = rs;
                        TensorPrimitives.Multiply(xr, rs, yr);
                        if (Wa is not null) TensorPrimitives.Multiply(yr, Wa.AsSpan(wo, C), yr);
                    }
                });
                if (NeedsGrad(input, weight ?? input))
                {
                    var xs = x.Alias(); var ws = wc?.Alias();
                    Record(o, "RmsNormBackward", g =>
                    {
                        using var gc = Contig(g);
                        var dx = input.requires_grad ? Tensor.Empty(input.Shape) : null;
                        var dw = weight is { requires_grad: true } ? new float[C] : null;
                        NormBackward(gc.FA, gc.Offset, xs.FA, xs.Offset, ws?.FA, ws?.Offset ?? 0, null, rstd, R, C, false, dx?.FA, dw, null);
                        if (dx is not null) Acc(input, dx);
                        if (dw is not null) Acc(weight!, FromGrad(dw, weight!.Shape));
                    }, weight is null ? [input] : [input, weight]);
                }
                return o;
            }

            static Tensor FromGrad(float[] g, int[] shape)
            {
                var t = Tensor.Empty(shape);
                g.AsSpan().CopyTo(t.FSpan);
                return t;
            }

            /// <summary>
            /// Shared backward of layer/RMS norm per row: xhat = (x − mean)·rstd, dnorm = g·w,
            /// dx = rstd·(dnorm − mean(dnorm) − xhat·mean(dnorm·xhat)) (RMS: without the mean(dnorm) term);
            /// dw += Σ g·xhat, db += Σ g. Rows are split over cores, each with its own dw/db partial sums.
            /// </summary>
            static void NormBackward(float[] G, int go, float[] X, int xo, float[]? W, int wo, float[]? mean, float[] rstd,
                int R, int C, bool centered, float[]? DX, float[]? dw, float[]? db)
            {
                int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, R * C / 16384));
                int per = (R + chunks - 1) / chunks;
                var pdw = new float[chunks][]; var pdb = new float[chunks][];
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
                {
                    var xhat = new float[C]; var dnorm = new float[C];
                    var ldw = dw is null ? null : new float[C]; var ldb = db is null ? null : new float[C];
                    int s = c * per, e = Math.Min(R, s + per);
                    for (int r = s; r < e; r++)
                    {
                        var gr = G.AsSpan(go + r * C, C); var xr = X.AsSpan(xo + r * C, C);
                        if (centered) TensorPrimitives.Subtract(xr, mean![r], xhat); else xr.CopyTo(xhat);
                        TensorPrimitives.Multiply(xhat, rstd[r], xhat);
                        if (ldw is not null) TensorPrimitives.MultiplyAdd(gr, xhat, ldw, ldw);
                        if (ldb is not null) TensorPrimitives.Add(ldb, gr, ldb);
                        if (DX is null) continue;
                        if (W is not null) TensorPrimitives.Multiply(gr, W.AsSpan(wo, C), dnorm); else gr.CopyTo(dnorm);
                        float mdn = centered ? TensorPrimitives.Sum(dnorm) / C : 0f;
                        float mdx = TensorPrimitives.Dot(dnorm, xhat) / C;
                        var dr = DX.AsSpan(r * C, C);
                        // dr = (dnorm - mdn - xhat*mdx) * rstd
                        TensorPrimitives.Multiply(xhat, -mdx, dr);
                        TensorPrimitives.Add(dr, dnorm, dr);
                        if (centered) TensorPrimitives.Subtract(dr, mdn, dr);
                        TensorPrimitives.Multiply(dr, rstd[r], dr);
                    }
                    pdw[c] = ldw!; pdb[c] = ldb!;
                });
                for (int c = 0; c < chunks; c++)
                {
                    if (dw is not null) TensorPrimitives.Add(dw, pdw[c], dw);
                    if (db is not null) TensorPrimitives.Add(db, pdb[c], db);
                }
            }
        }
    }
}
