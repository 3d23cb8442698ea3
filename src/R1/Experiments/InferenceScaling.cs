using R1.Inference;
using R1.Models;
using R1.Tables;
using R1.Tasks;

namespace R1.Experiments;

/// <summary>
/// n sampled completions per test problem from one model in one mode, with what inference-time scaling needs of each:
/// the verifier's verdict, the tokens generated (the compute spent) and the model's mean log-probability of its own
/// tokens (the scorer of best-of-N without a verifier or reward model).
/// </summary>
/// <param name="Model">Display name of the model.</param>
/// <param name="ChainOfThought">False when the answer was forced at once (<see cref="InferenceScaling.NoThinkPrefill"/>).</param>
/// <param name="Completions">[problem][sample] texts; without chain of thought they start with the prefill.</param>
/// <param name="GeneratedTokens">[problem][sample] tokens the model generated (the &lt;eos&gt; included, a prefill not).</param>
/// <param name="MeanLogProb">[problem][sample] mean log p(token | prefix) over the generated tokens.</param>
public sealed record ScalingSamples(string Model, bool ChainOfThought, IReadOnlyList<Example> Examples, string[][] Completions,
    bool[][] Correct, int[][] GeneratedTokens, double[][] MeanLogProb)
{
    /// <summary>Samples per problem.</summary>
    public int N => Completions.Length == 0 ? 0 : Completions[0].Length;

    /// <summary>Mean tokens generated per sample: k samples of a problem cost k times this.</summary>
    public double MeanTokens => GeneratedTokens.SelectMany(t => t).Average();

    /// <summary>pass@k (any of k samples correct; = best-of-k with the verifier as the judge), unbiased, mean over problems.</summary>
    public double PassAt(int k) => PassAtK.Mean(Correct, k);

    /// <summary>maj@k (self-consistency), unbiased over k-subsets (<see cref="SubsetEstimators.MajAtK(Example, IReadOnlyList{string}, int, Func{Example, string, bool}?)"/>), mean over problems.</summary>
    public double MajAt(int k) => Examples.Select((e, i) => SubsetEstimators.MajAtK(e, Completions[i], k)).Average();

    /// <summary>Best-of-k judged by the model's own mean log-prob (no verifier), unbiased over k-subsets, mean over problems.</summary>
    public double BestOfAt(int k) => Examples.Select((_, i) => SubsetEstimators.BestOfK(MeanLogProb[i], Correct[i], k)).Average();
}

/// <summary>
/// Inference-time scaling (notebook 06): the same trained weights, more compute at test time. Chain of thought on or
/// off, then n samples per problem combined three ways — majority voting (self-consistency), best-of-N by the model's
/// own confidence, and best-of-N by the verifier (pass@k, the ceiling any selector can reach) — for k = 1 … n.
/// </summary>
public static class InferenceScaling
{
    /// <summary>The task: the one R1-Zero was trained on.</summary>
    public const string Task = ZeroRecipe.Task;

    /// <summary>
    /// "Chain of thought off": the response is started for the model with an empty thought and an open answer block,
    /// so its first generated token is already the answer (the corpus's direct-answer style, inside the R1 format).
    /// </summary>
    public const string NoThinkPrefill = "<think></think><answer>";

    /// <summary>k values charted: powers of two up to the samples per problem.</summary>
    public static int[] Ks(int n) => Enumerable.Range(0, 31).Select(i => 1 << i).TakeWhile(k => k <= n).ToArray();

    /// <summary>Samples per problem: 64 (the issue's N = 1 … 64), 16 in quick mode.</summary>
    public static int Samples(bool quick) => quick ? 16 : 64;

    /// <summary>The test problems: notebook 02's test set (first 40 / 200 of the arithmetic test split).</summary>
    public static List<Example> TestSet(bool quick) => ZeroRecipe.TestSet(quick);

    /// <summary>Most tokens generated per sample (R1-Zero's training limit).</summary>
    public const int MaxNewTokens = 128;

    /// <summary>
    /// <paramref name="n"/> samples at temperature 1 for every example; with <paramref name="chainOfThought"/> false
    /// the prompt ends in <see cref="NoThinkPrefill"/>. Reproducible: chunk c of whole example groups uses a seed from
    /// <paramref name="seed"/> and c.
    /// </summary>
    public static ScalingSamples Sample(string name, GPT model, Tokenizer tokenizer, IReadOnlyList<Example> examples, int n,
        bool chainOfThought, ulong seed = 0, float temperature = 1f, int maxNewTokens = MaxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(examples);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n (samples per example) must be at least 1.");
        string prefill = chainOfThought ? "" : NoThinkPrefill;
        var options = new SamplingOptions { MaxNewTokens = maxNewTokens, Temperature = temperature, StopToken = tokenizer.EosId };
        int m = examples.Count;
        var (texts, correct, tokens, logp) = (new string[m][], new bool[m][], new int[m][], new double[m][]);
        int perChunk = Math.Max(1, R1.Inference.Completions.MaxBatchRows / n);
        using var progress = Display.Progress.Start($"{name}, chain of thought {(chainOfThought ? "on" : "off")}: {n} samples per problem", m);
        for (int start = 0, chunk = 0; start < m; start += perChunk, chunk++)
        {
            int count = Math.Min(perChunk, m - start);
            var prompts = new List<int[]>(count * n);
            for (int i = 0; i < count; i++)
            {
                var ids = tokenizer.Encode(examples[start + i].Prompt + prefill, addBos: true);
                for (int j = 0; j < n; j++) prompts.Add(ids);
            }
            var gen = model.Generate(prompts, options with { Seed = Rng.ForStream(seed, $"scaling/{chunk}").NextUInt64() });
            for (int i = 0; i < count; i++)
            {
                var ex = examples[start + i];
                int e = start + i;
                (texts[e], correct[e], tokens[e], logp[e]) = (new string[n], new bool[n], new int[n], new double[n]);
                for (int j = 0; j < n; j++)
                {
                    int row = i * n + j;
                    texts[e][j] = prefill + Evaluation.Decode(tokenizer, gen.Tokens[row]);
                    correct[e][j] = Voting.Verify(ex, texts[e][j]);
                    tokens[e][j] = gen.Tokens[row].Length;
                    logp[e][j] = gen.LogProbs[row].Length == 0 ? 0 : gen.LogProbs[row].Average(x => (double)x);
                }
            }
            progress.Report(start + count);
        }
        return new ScalingSamples(name, chainOfThought, examples, texts, correct, tokens, logp);
    }

    /// <summary>
    /// One row per (model, chain of thought, k): the tokens generated per problem for k samples, and the accuracy of
    /// one sample (pass@1), majority voting, best-of-k by mean log-prob and best-of-k by the verifier (pass@k).
    /// </summary>
    public static Table Curves(IEnumerable<ScalingSamples> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var rows = runs.SelectMany(r => Ks(r.N).Select(k => (r, k))).ToList();
        return new Table()
            .AddColumn("model", rows.Select(x => x.r.Model))
            .AddColumn("cot", rows.Select(x => x.r.ChainOfThought ? "on" : "off"))
            .AddColumn("k", rows.Select(x => x.k))
            .AddColumn("tokens", rows.Select(x => x.k * x.r.MeanTokens))
            .AddColumn("pass@1", rows.Select(x => x.r.PassAt(1)))
            .AddColumn("maj@k", rows.Select(x => x.r.MajAt(x.k)))
            .AddColumn("best-of-k (logprob)", rows.Select(x => x.r.BestOfAt(x.k)))
            .AddColumn("pass@k (verifier)", rows.Select(x => x.r.PassAt(x.k)));
    }
}
