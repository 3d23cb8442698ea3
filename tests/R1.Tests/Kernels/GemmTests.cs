using R1.Kernels;

namespace R1.Tests.Kernels;

public class GemmTests
{
    /// <summary>One operand as stored: rows×cols at row stride ld, with NaN in the padding so a read of it shows.</summary>
    sealed record Stored(float[] Data, int Rows, int Cols, int Ld);

    static Stored Make(Random rng, int rows, int cols, int pad, float fill = float.NaN)
    {
        int ld = cols + pad;
        var data = new float[Math.Max(1, rows * ld)];
        Array.Fill(data, fill);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) data[r * ld + c] = (float)(rng.NextDouble() * 2 - 1);
        return new Stored(data, rows, cols, ld);
    }

    static IEnumerable<Gemm.Isa> Isas() =>
        Enum.GetValues<Gemm.Isa>().Where(Gemm.IsSupported);

    // Rounding error of a K-term dot product of values in [-1, 1] grows with K.
    static float Tolerance(int K) => 1e-6f * (K + 4) * 4;

    static void AssertClose(float[] expected, float[] actual, int M, int N, int ld, int K, string what)
    {
        float tol = Tolerance(K);
        for (int i = 0; i < expected.Length; i++)
        {
            bool inside = i / ld < M && i % ld < N;
            // Messages are built only on failure: these loops run over ~10⁵ elements.
            if (!inside)
            {
                // Padding of C is never written.
                if (!float.IsNaN(actual[i]))
                    Assert.Fail($"{what}: padding C[{i / ld},{i % ld}] was written ({actual[i]}).");
                continue;
            }
            float e = expected[i], a = actual[i];
            if (float.IsNaN(a)) Assert.Fail($"{what}: C[{i / ld},{i % ld}] is NaN (padding or stale C read?).");
            if (!(Math.Abs(e - a) <= tol * (1 + Math.Abs(e))))
                Assert.Fail($"{what}: C[{i / ld},{i % ld}] = {a}, reference {e}, tolerance {tol}.");
        }
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 8, 32, 16 }, { 6, 16, 3 }, { 9, 33, 17 }, { 65, 130, 33 },
        { 128, 128, 32 }, { 40, 24, 257 }, { 260, 9, 520 }, { 20, 40, 1030 }, { 3, 1100, 9 }, { 17, 3, 70 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryKernelMatchesNaive(int M, int N, int K)
    {
        var rng = new Random(M * 1000003 + N * 1009 + K);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    var a = transA ? Make(rng, K, M, 3) : Make(rng, M, K, 1);
                    var b = transB ? Make(rng, N, K, 2) : Make(rng, K, N, 5);
                    // Without accumulate C's old values must not be read: start them as NaN.
                    var c0 = Make(rng, M, N, 4);
                    if (!accumulate) for (int i = 0; i < M; i++) Array.Fill(c0.Data, float.NaN, i * c0.Ld, N);

                    var expected = (float[])c0.Data.Clone();
                    Gemm.SgemmNaive(transA, transB, M, N, K, a.Data, a.Ld, b.Data, b.Ld, expected, c0.Ld, accumulate);
                    foreach (var isa in Isas())
                        foreach (bool parallel in new[] { false, true })
                        {
                            var actual = (float[])c0.Data.Clone();
                            Run(isa, transA, transB, M, N, K, a, b, actual, c0.Ld, accumulate, parallel);
                            AssertClose(expected, actual, M, N, c0.Ld, K,
                                $"{isa} parallel={parallel} tA={transA} tB={transB} acc={accumulate} {M}×{N}×{K}");
                        }
                }
    }

    static unsafe void Run(Gemm.Isa isa, bool transA, bool transB, int M, int N, int K,
        Stored a, Stored b, float[] c, int ldc, bool accumulate, bool parallel)
    {
        fixed (float* pa = a.Data, pb = b.Data, pc = c)
            Gemm.Run(isa, transA, transB, M, N, K, pa, a.Ld, pb, b.Ld, pc, ldc, accumulate, parallel);
    }

    [Fact]
    public void PublicSgemmSplitsLargeProblemsAcrossThreadsCorrectly()
    {
        // 160·200·40 multiply-adds is above the parallel threshold, so this goes through the tiled Parallel.For.
        var rng = new Random(7);
        const int M = 160, N = 200, K = 40;
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                var a = transA ? Make(rng, K, M, 0) : Make(rng, M, K, 0);
                var b = transB ? Make(rng, N, K, 0) : Make(rng, K, N, 0);
                var c = Make(rng, M, N, 0);
                var expected = (float[])c.Data.Clone();
                Gemm.SgemmNaive(transA, transB, M, N, K, a.Data, a.Ld, b.Data, b.Ld, expected, N, true);
                Gemm.Sgemm(transA, transB, M, N, K, a.Data, a.Ld, b.Data, b.Ld, c.Data, N, true);
                AssertClose(expected, c.Data, M, N, N, K, $"Sgemm tA={transA} tB={transB}");
            }
    }

    [Theory]
    [InlineData(1, 5, 7, 3, false)]
    [InlineData(6, 128, 32, 128, false)]   // attention-like: (128×32)·(32×128) per head
    [InlineData(5, 9, 13, 70, true)]
    [InlineData(3, 64, 40, 96, true)]
    public void BatchedMatchesNaivePerMatrix(int batch, int M, int N, int K, bool transB)
    {
        var rng = new Random(batch + M + N + K);
        foreach (bool parallel in new[] { false, true })
            foreach (bool accumulate in new[] { false, true })
            {
                // Gaps between matrices (NaN) check that strides are honoured.
                int aSize = M * K, bSize = K * N, cSize = M * N;
                long sA = aSize + 3, sB = bSize + 11, sC = cSize + 5;
                var A = Make(rng, 1, (int)(batch * sA), 0).Data;
                var B = Make(rng, 1, (int)(batch * sB), 0).Data;
                var C = Make(rng, 1, (int)(batch * sC), 0).Data;
                for (int i = 0; i < batch; i++)
                {
                    Array.Fill(A, float.NaN, (int)(i * sA) + aSize, 3);
                    Array.Fill(B, float.NaN, (int)(i * sB) + bSize, 11);
                    Array.Fill(C, float.NaN, (int)(i * sC) + cSize, 5);
                }
                var expected = (float[])C.Clone();
                for (int i = 0; i < batch; i++)
                    Gemm.SgemmNaive(false, transB, M, N, K, A.AsSpan((int)(i * sA)), K, B.AsSpan((int)(i * sB)),
                        transB ? K : N, expected.AsSpan((int)(i * sC)), N, accumulate);
                Gemm.SgemmBatched(false, transB, batch, M, N, K, A, K, sA, B, transB ? K : N, sB, C, N, sC,
                    accumulate, parallel);
                for (int i = 0; i < expected.Length; i++)
                {
                    if (float.IsNaN(expected[i]))
                    {
                        if (!float.IsNaN(C[i])) Assert.Fail($"gap C[{i}] written");
                        continue;
                    }
                    if (!(Math.Abs(expected[i] - C[i]) <= Tolerance(K) * (1 + Math.Abs(expected[i]))))
                        Assert.Fail($"batched parallel={parallel} acc={accumulate}: C[{i}] = {C[i]}, reference {expected[i]}");
                }
            }
    }

    [Fact]
    public void HandComputedProduct()
    {
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]; with accumulate onto [1 1; 1 1].
        float[] a = { 1, 2, 3, 4, 5, 6 }, b = { 7, 8, 9, 10, 11, 12 };
        var c = new float[] { 1, 1, 1, 1 };
        Gemm.Sgemm(false, false, 2, 2, 3, a, 3, b, 2, c, 2, accumulate: false);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c);
        Gemm.Sgemm(false, false, 2, 2, 3, a, 3, b, 2, c, 2, accumulate: true);
        Assert.Equal(new float[] { 116, 128, 278, 308 }, c);
        // Aᵀ stored as 3×2 and Bᵀ stored as 2×3 give the same product.
        float[] at = { 1, 4, 2, 5, 3, 6 }, bt = { 7, 9, 11, 8, 10, 12 };
        Gemm.Sgemm(true, true, 2, 2, 3, at, 2, bt, 3, c, 2, accumulate: false);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c);
    }

    [Fact]
    public void EmptyInnerDimensionZeroesOrKeepsC()
    {
        var c = new float[] { 5, 6, 7, 8 };
        Gemm.Sgemm(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: true);
        Assert.Equal(new float[] { 5, 6, 7, 8 }, c);
        Gemm.Sgemm(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: false);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void BadArgumentsSayWhatWasWrong()
    {
        var buf = new float[100];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 4, 4, 8, buf, 4, buf, 4, buf, 4, false));
        Assert.Contains("lda must be ≥ 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 4, 30, 8, buf, 8, buf, 8, buf, 30, false));
        Assert.Contains("B is stored 30×8 (transposed)", e.Message);
        Assert.Contains("needs 240 elements, but the buffer holds 100", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 4, 4, buf, 4, buf, 4, buf, 4, false));
        e = Assert.Throws<ArgumentException>(() =>
            Gemm.SgemmBatched(false, false, 3, 4, 4, 4, buf, 4, 45, buf, 4, 0, buf, 4, 16, false));
        Assert.Contains("batch=3, stride=45", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            Gemm.SgemmBatched(false, false, 2, 4, 4, 4, buf, 4, 16, buf, 4, 0, buf, 4, 8, false));
        Assert.Contains("C matrices overlap", e.Message);
    }
}
