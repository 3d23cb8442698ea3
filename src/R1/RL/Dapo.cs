namespace R1.RL;

/// <summary>
/// DAPO's data-side extras (Yu et al. 2025). Clip-higher and the token-level loss live in <c>GrpoLoss</c>;
/// soft overlong punishment is a reward (R1.Rewards).
/// </summary>
public static class Dapo
{
    /// <summary>
    /// Dynamic sampling: the indices of the completions whose group has a non-zero reward spread. A group whose
    /// G rewards are all equal has all-zero advantages and adds nothing but noise (and KL) to the update.
    /// </summary>
    public static int[] KeptRows(ReadOnlySpan<double> rewards, int groupSize, double tolerance = 1e-8)
    {
        var zero = Advantages.ZeroStdGroups(rewards, groupSize, tolerance);
        var rows = new List<int>(rewards.Length);
        for (int p = 0; p < zero.Length; p++)
            if (!zero[p])
                for (int i = 0; i < groupSize; i++) rows.Add(p * groupSize + i);
        return rows.ToArray();
    }

    /// <summary>
    /// Overlong filtering: zero the completion mask (row-major, <paramref name="tokensPerRow"/> per row) of every
    /// truncated completion, so a completion cut off by max_completion_length neither earns nor loses probability
    /// for a reward it was never allowed to finish.
    /// </summary>
    public static void MaskTruncated(Span<float> mask, int tokensPerRow, ReadOnlySpan<bool> truncated)
    {
        if (tokensPerRow < 1 || mask.Length != truncated.Length * tokensPerRow)
            throw new ArgumentException($"mask has {mask.Length} entries; expected {truncated.Length} rows × {tokensPerRow} tokens, one row per truncated flag.", nameof(mask));
        for (int b = 0; b < truncated.Length; b++)
            if (truncated[b]) mask.Slice(b * tokensPerRow, tokensPerRow).Clear();
    }
}
