using static R1.torch;

namespace R1.RL;

/// <summary>
/// A toy sequence task for comparing policy-gradient methods in seconds (notebook 01): a prompt k ∈ [0, K) asks
/// for L tokens from a V-token vocabulary; the outcome reward, given only at the end like a verifier's, is the
/// share of positions that match the prompt's hidden target sequence.
/// </summary>
public sealed class ToySequenceTask
{
    readonly int[] targets;   // (K, L)

    public int Prompts { get; }
    public int Length { get; }
    public int Vocab { get; }

    public ToySequenceTask(int prompts = 4, int length = 6, int vocab = 4, int seed = 0)
    {
        if (prompts < 1 || length < 1 || vocab < 2)
            throw new ArgumentException($"need prompts ≥ 1, length ≥ 1, vocab ≥ 2; got {prompts}, {length}, {vocab}.");
        (Prompts, Length, Vocab) = (prompts, length, vocab);
        var rng = new Random(seed);
        targets = new int[prompts * length];
        for (int i = 0; i < targets.Length; i++) targets[i] = rng.Next(vocab);
    }

    public int Target(int prompt, int position) => targets[prompt * Length + position];

    /// <summary>Share of positions where the tokens match the prompt's target, in [0, 1].</summary>
    public double Reward(int prompt, ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != Length) throw new ArgumentException($"expected {Length} tokens, got {tokens.Length}.", nameof(tokens));
        int hits = 0;
        for (int t = 0; t < Length; t++) if (tokens[t] == Target(prompt, t)) hits++;
        return (double)hits / Length;
    }
}

/// <summary>Which advantage the toy trainer feeds the shared clipped loss (<see cref="GrpoLoss"/>).</summary>
public enum ToyAlgorithm
{
    /// <summary>A_i = R_i: vanilla REINFORCE, no baseline (high variance).</summary>
    Reinforce,
    /// <summary>A_i = R_i − mean of the batch.</summary>
    ReinforceBaseline,
    /// <summary>A_i = R_i − mean of the other G−1 samples of the same prompt.</summary>
    Rloo,
    /// <summary>A_i = (R_i − group mean) / group std: no critic.</summary>
    Grpo,
    /// <summary>Per-token advantages from a learned value head V(s) and GAE: the critic GRPO drops.</summary>
    Ppo,
}

/// <summary>Settings of <see cref="ToyRl.Train"/>.</summary>
public sealed record ToyRlConfig
{
    public ToyAlgorithm Algorithm { get; init; } = ToyAlgorithm.Grpo;
    public int Iterations { get; init; } = 100;
    public int PromptsPerIteration { get; init; } = 4;
    /// <summary>Samples per prompt (G). Every algorithm sees the same number of episodes per iteration.</summary>
    public int Generations { get; init; } = 8;
    /// <summary>Adam step size of the tabular policy (tabular logits tolerate a large one).</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>Adam step size of PPO's value head.</summary>
    public double CriticLearningRate { get; init; } = 0.1;
    /// <summary>μ: updates per batch. PPO customarily reuses a batch several times; the clip keeps that safe.</summary>
    public int Updates { get; init; } = 1;
    public double Eps { get; init; } = 0.2;
    /// <summary>GAE discount; 1 because the only reward arrives at the end of a finite episode.</summary>
    public double Gamma { get; init; } = 1.0;
    public double Lambda { get; init; } = 0.95;
    public int Seed { get; init; } = 0;
}

/// <summary>
/// Policy-gradient methods on <see cref="ToySequenceTask"/>, with a tabular softmax policy π(a | k, t, previous token)
/// and, for PPO, a tabular value head V(k, t, previous token). All of them minimise the same clipped loss, so the
/// only difference is where the advantage comes from.
/// </summary>
public static class ToyRl
{
    /// <summary>Train from a uniform policy; one row of metrics per iteration (reward, reward_std, loss, grad_norm,
    /// entropy, value_loss, and the parameter counts of policy and critic).</summary>
    public static RunHistory Train(ToySequenceTask task, ToyRlConfig config, string? metricsCsv = null)
    {
        Validate(config);
        int K = task.Prompts, L = task.Length, V = task.Vocab, S = K * L * (V + 1), G = config.Generations;
        int B = config.PromptsPerIteration * G;
        bool ppo = config.Algorithm == ToyAlgorithm.Ppo;
        var theta = nn.Parameter(zeros(S, V));                              // policy logits, (S, V)
        var phi = nn.Parameter(zeros(S));                                   // value head, (S)
        var opt = optim.AdamW([theta], lr: config.LearningRate, weight_decay: 0);
        var critic = optim.AdamW([phi], lr: config.CriticLearningRate, weight_decay: 0);
        var rng = new Random(config.Seed);
        var history = new RunHistory(metricsCsv);
        var lossConfig = new GrpoLossConfig { LossType = LossType.Bnpo, EpsLow = config.Eps, EpsHigh = config.Eps };

        for (int it = 1; it <= config.Iterations; it++)
        {
            using var scope = NewDisposeScope();
            // 1-2. rollouts: P prompts × G samples, the log-prob of every sampled token, the reward at the end
            var probs = theta.detach().softmax(1).ToFloatArray();          // (S, V)
            var (states, actions, oldLogp, rewards) = Rollout(task, probs, config.PromptsPerIteration, G, rng);

            var stateIdx = tensor(states, B * L);
            var actionIdx = tensor(actions, B * L);
            // 3. advantages
            Tensor adv;
            Tensor? returns = null;
            if (ppo)
            {
                var values = torch.gather(phi.detach(), 0, stateIdx).ToFloatArray();
                var a = new float[B * L];
                var ret = new float[B * L];
                var r = new double[L];
                var v = new double[L];
                var done = new bool[L];
                done[L - 1] = true;
                for (int b = 0; b < B; b++)
                {
                    for (int t = 0; t < L; t++) { r[t] = t == L - 1 ? rewards[b] : 0; v[t] = values[b * L + t]; }
                    var (ab, rb) = Gae.Compute(r, v, done, config.Gamma, config.Lambda);
                    for (int t = 0; t < L; t++) { a[b * L + t] = (float)ab[t]; ret[b * L + t] = (float)rb[t]; }
                }
                Normalize(a);                                               // PPO's customary batch normalisation
                adv = tensor(a, B, L);
                returns = tensor(ret, B * L);
            }
            else
            {
                var a = config.Algorithm switch
                {
                    ToyAlgorithm.Reinforce => Advantages.Reinforce(rewards, subtractMean: false),
                    ToyAlgorithm.ReinforceBaseline => Advantages.Reinforce(rewards),
                    ToyAlgorithm.Rloo => Advantages.Rloo(rewards, G),
                    _ => Advantages.Group(rewards, G),
                };
                adv = tensor(a.Select(x => (float)x).ToArray(), B);
            }

            // 4. μ updates of the policy (and the critic) on this batch, old log-probs fixed
            var old = tensor(oldLogp, B, L);
            var mask = ones(B, L);
            double loss = 0, gradNorm = 0, valueLoss = 0;
            for (int u = 0; u < config.Updates; u++)
            {
                opt.zero_grad();
                var logp = torch.gather(theta.log_softmax(1).reshape(S * V), 0, actionIdx).reshape(B, L);   // (B, L)
                var res = GrpoLoss.Compute(logp, old, null, adv, mask, lossConfig);
                res.Loss.backward();
                gradNorm = nn.utils.clip_grad_norm_([theta], double.PositiveInfinity);
                opt.step();
                loss = res.Loss.item<float>();
                if (ppo)
                {
                    critic.zero_grad();
                    var diff = torch.gather(phi, 0, stateIdx) - returns!;
                    var vl = (diff * diff).mean() * 0.5f;
                    vl.backward();
                    critic.step();
                    valueLoss = vl.item<float>();
                }
            }

            // 5. metrics
            double mean = rewards.Average();
            history.Add(it, new Dictionary<string, double>
            {
                ["reward"] = mean,
                ["reward_std"] = Math.Sqrt(rewards.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, B - 1)),
                ["loss"] = loss,
                ["grad_norm"] = gradNorm,
                ["entropy"] = Entropy(probs, states, V),
                ["value_loss"] = valueLoss,
                ["policy_params"] = S * V,
                ["critic_params"] = ppo ? S : 0,
            });
        }
        return history;
    }

    static void Validate(ToyRlConfig c)
    {
        if (c.Iterations < 1 || c.PromptsPerIteration < 1 || c.Updates < 1)
            throw new ArgumentException($"Iterations, PromptsPerIteration and Updates must be ≥ 1; got {c.Iterations}, {c.PromptsPerIteration}, {c.Updates}.");
        if (c.Generations < 2) throw new ArgumentException($"Generations (G) must be ≥ 2 for a group baseline; got {c.Generations}.");
    }

    /// <summary>
    /// The variance of the one-batch policy-gradient estimate at the uniform policy, measured over
    /// <paramref name="batches"/> independent batches: the sum over parameters of the gradient's variance, and the
    /// squared norm of the mean gradient (the signal). A baseline leaves the mean alone and shrinks the variance.
    /// </summary>
    public static (double Variance, double MeanSquaredNorm) GradientVariance(ToySequenceTask task, ToyAlgorithm algorithm,
        int batches = 200, int promptsPerBatch = 4, int generations = 8, int seed = 0)
    {
        if (algorithm == ToyAlgorithm.Ppo) throw new ArgumentException("PPO's gradient depends on a trained critic; measure the critic-free estimators here.", nameof(algorithm));
        if (batches < 2) throw new ArgumentException($"need at least 2 batches to measure a variance; got {batches}.", nameof(batches));
        int L = task.Length, V = task.Vocab, S = task.Prompts * L * (V + 1), B = promptsPerBatch * generations;
        var theta = nn.Parameter(zeros(S, V));
        var probs = theta.detach().softmax(1).ToFloatArray();
        var rng = new Random(seed);
        var sum = new double[S * V];
        var sumSq = new double[S * V];
        for (int i = 0; i < batches; i++)
        {
            using var scope = NewDisposeScope();
            var (_, actions, oldLogp, rewards) = Rollout(task, probs, promptsPerBatch, generations, rng);
            var a = algorithm switch
            {
                ToyAlgorithm.Reinforce => Advantages.Reinforce(rewards, subtractMean: false),
                ToyAlgorithm.ReinforceBaseline => Advantages.Reinforce(rewards),
                ToyAlgorithm.Rloo => Advantages.Rloo(rewards, generations),
                _ => Advantages.Group(rewards, generations),
            };
            theta.grad?.zero_();
            var logp = torch.gather(theta.log_softmax(1).reshape(S * V), 0, tensor(actions, B * L)).reshape(B, L);
            var old = tensor(oldLogp, B, L);
            GrpoLoss.Compute(logp, old, null, tensor(a.Select(x => (float)x).ToArray(), B), ones(B, L),
                new GrpoLossConfig { LossType = LossType.Bnpo }).Loss.backward();
            var g = theta.grad!.ToFloatArray();
            for (int j = 0; j < g.Length; j++) { sum[j] += g[j]; sumSq[j] += (double)g[j] * g[j]; }
        }
        double variance = 0, meanSq = 0;
        for (int j = 0; j < sum.Length; j++)
        {
            double m = sum[j] / batches;
            variance += (sumSq[j] - batches * m * m) / (batches - 1);
            meanSq += m * m;
        }
        return (variance, meanSq);
    }

    /// <summary>P prompts × G samples from the tabular policy <paramref name="probs"/> (S, V), grouped by prompt.</summary>
    static (long[] States, long[] Actions, float[] OldLogp, double[] Rewards) Rollout(ToySequenceTask task, float[] probs,
        int promptsPerBatch, int G, Random rng)
    {
        int L = task.Length, V = task.Vocab, B = promptsPerBatch * G;
        var states = new long[B * L];
        var actions = new long[B * L];
        var oldLogp = new float[B * L];
        var rewards = new double[B];
        var tokens = new int[L];
        for (int p = 0; p < promptsPerBatch; p++)
        {
            int k = rng.Next(task.Prompts);
            for (int g = 0; g < G; g++)
            {
                int b = p * G + g, prev = V;
                for (int t = 0; t < L; t++)
                {
                    int s = (k * L + t) * (V + 1) + prev;
                    int a = Sample(probs.AsSpan(s * V, V), rng);
                    states[b * L + t] = s;
                    actions[b * L + t] = (long)s * V + a;
                    oldLogp[b * L + t] = MathF.Log(probs[s * V + a]);
                    tokens[t] = prev = a;
                }
                rewards[b] = task.Reward(k, tokens);
            }
        }
        return (states, actions, oldLogp, rewards);
    }

    static int Sample(ReadOnlySpan<float> p, Random rng)
    {
        double u = rng.NextDouble(), c = 0;
        for (int i = 0; i < p.Length; i++) { c += p[i]; if (u < c) return i; }
        return p.Length - 1;
    }

    static void Normalize(float[] a)
    {
        double mean = a.Average(x => (double)x), var = a.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, a.Length - 1);
        float sd = (float)Math.Sqrt(var) + 1e-8f;
        for (int i = 0; i < a.Length; i++) a[i] = (float)((a[i] - mean) / sd);
    }

    /// <summary>Mean policy entropy (nats) over the visited states.</summary>
    static double Entropy(float[] probs, long[] states, int V)
    {
        double h = 0;
        foreach (var s in states)
            for (int a = 0; a < V; a++) { double p = probs[s * V + a]; if (p > 0) h -= p * Math.Log(p); }
        return h / states.Length;
    }
}
