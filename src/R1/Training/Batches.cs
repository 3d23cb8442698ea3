namespace R1.Training;

/// <summary>One SFT example: the prompt (conditioning only, no loss) and the completion the model learns to write.</summary>
public sealed record SftExample(int[] Prompt, int[] Completion);

/// <summary>
/// Builds (idx, targets) batches as flat row-major arrays, targets = the next token or -100 where the loss ignores it.
/// Legend: B batch rows, T positions.
/// </summary>
public static class Batches
{
    public const int IgnoreIndex = -100;

    /// <summary>
    /// Pretraining: <paramref name="batch"/> random windows of <paramref name="T"/>+1 consecutive tokens from the stream;
    /// idx = window[0..T), targets = window[1..T].
    /// </summary>
    public static (long[] Idx, long[] Targets) Windows(ReadOnlySpan<int> stream, int batch, int T, Random rng)
    {
        if (stream.Length < T + 1)
            throw new ArgumentException($"The token stream has {stream.Length} tokens; a {T}-token context needs at least {T + 1}.");
        var idx = new long[batch * T];
        var tgt = new long[batch * T];
        for (int b = 0; b < batch; b++)
        {
            int s = rng.Next(stream.Length - T);
            for (int t = 0; t < T; t++) { idx[b * T + t] = stream[s + t]; tgt[b * T + t] = stream[s + t + 1]; }
        }
        return (idx, tgt);
    }

    /// <summary>
    /// SFT: each row is prompt + completion, right-padded with <paramref name="padId"/> to the longest row.
    /// Position t predicts token t+1; its target is -100 unless token t+1 belongs to the completion, so prompt and
    /// padding tokens contribute nothing to the loss. Returns T = longest row − 1.
    /// </summary>
    public static (long[] Idx, long[] Targets, int T) Sft(IReadOnlyList<SftExample> rows, int padId = 0)
    {
        int B = rows.Count;
        int T = rows.Max(r => r.Prompt.Length + r.Completion.Length) - 1;
        var idx = new long[B * T];
        var tgt = new long[B * T];
        Array.Fill(idx, padId);
        Array.Fill(tgt, IgnoreIndex);
        for (int b = 0; b < B; b++)
        {
            var (p, c) = (rows[b].Prompt, rows[b].Completion);
            int n = p.Length + c.Length;
            for (int t = 0; t < n - 1; t++)
            {
                idx[b * T + t] = t < p.Length ? p[t] : c[t - p.Length];
                int next = t + 1;
                if (next >= p.Length) tgt[b * T + t] = c[next - p.Length];
            }
        }
        return (idx, tgt, T);
    }
}
