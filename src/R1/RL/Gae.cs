namespace R1.RL;

/// <summary>
/// Generalised advantage estimation (Schulman et al. 2016) for PPO's critic-based advantages:
/// δ_t = r_t + γ·V(s_{t+1})·(1 − done_t) − V(s_t),  A_t = δ_t + γλ·(1 − done_t)·A_{t+1},  returns R_t = A_t + V(s_t).
/// λ = 0 gives the one-step TD error, λ = 1 the Monte-Carlo return minus the value. GRPO drops the critic and
/// all of this: its baseline is the group mean of rewards.
/// </summary>
public static class Gae
{
    /// <summary>
    /// Advantages and value targets for one trajectory buffer of length N. <paramref name="dones"/>[t] is true when
    /// the episode ended after step t (no bootstrap across it); <paramref name="lastValue"/> is V of the state after
    /// the last step, used only when the buffer ends mid-episode.
    /// </summary>
    public static (double[] Advantages, double[] Returns) Compute(ReadOnlySpan<double> rewards, ReadOnlySpan<double> values,
        ReadOnlySpan<bool> dones, double gamma, double lambda, double lastValue = 0)
    {
        int n = rewards.Length;
        if (values.Length != n || dones.Length != n)
            throw new ArgumentException($"lengths differ: rewards {n}, values {values.Length}, dones {dones.Length}; expected one per step.");
        if (gamma is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in [0, 1].");
        if (lambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in [0, 1].");
        var adv = new double[n];
        var ret = new double[n];
        double next = 0, nextValue = lastValue;
        for (int t = n - 1; t >= 0; t--)
        {
            double live = dones[t] ? 0 : 1;
            double delta = rewards[t] + gamma * nextValue * live - values[t];
            next = delta + gamma * lambda * live * next;
            adv[t] = next;
            ret[t] = next + values[t];
            nextValue = values[t];
        }
        return (adv, ret);
    }
}
