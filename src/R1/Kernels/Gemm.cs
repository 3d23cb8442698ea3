namespace R1.Kernels;

/// <summary>
/// Single-precision matrix products over row-major buffers:
/// C[M,N] = op(A)[M,K] · op(B)[K,N]  (or C += … when <paramref name="accumulate"/>).
/// op(X) is X or Xᵀ; lda/ldb/ldc are the row strides of the buffers as stored.
/// PLACEHOLDER: the plain reference version; the cache-blocked SIMD kernel replaces <see cref="Sgemm"/>.
/// </summary>
public static class Gemm
{
    public static void Sgemm(bool transA, bool transB, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, bool accumulate)
        => SgemmNaive(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate);

    /// <summary>Batched: batch independent products, matrix b at offsets b·strideA, b·strideB, b·strideC.</summary>
    public static void SgemmBatched(bool transA, bool transB, int batch, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, long strideA, ReadOnlySpan<float> B, int ldb, long strideB,
        Span<float> C, int ldc, long strideC, bool accumulate)
    {
        for (int b = 0; b < batch; b++)
            SgemmNaive(transA, transB, M, N, K, A[(int)(b * strideA)..], lda, B[(int)(b * strideB)..], ldb,
                C[(int)(b * strideC)..], ldc, accumulate);
    }

    /// <summary>The plain triple loop: the reference every fast kernel is tested against.</summary>
    public static void SgemmNaive(bool transA, bool transB, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, bool accumulate)
    {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                float s = 0;
                for (int k = 0; k < K; k++)
                    s += (transA ? A[k * lda + i] : A[i * lda + k]) * (transB ? B[j * ldb + k] : B[k * ldb + j]);
                C[i * ldc + j] = accumulate ? C[i * ldc + j] + s : s;
            }
    }
}
