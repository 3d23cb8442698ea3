using System.Text.Json;
using R1.Models;
using R1.RL;
using R1.Rewards;
using R1.Tasks;
using R1.Training;
using static R1.torch;

namespace R1.Tests.RL;

/// <summary>The GRPO loop on a toy task: prompts "say a", reward = share of 'a' in the completion, a 1-layer GPT.</summary>
public class GrpoTrainerTests
{
    static readonly List<Example> Prompts = Enumerable.Range(0, 8)
        .Select(i => new Example($"t{i}", "toy", "en", PromptTemplate.Format($"say a {i}"), "a", "toy", [])).ToList();
    static readonly Tokenizer Tok = Tokenizer.FromTexts(Prompts.Select(e => e.Prompt).Append("abcdefgh xyz"), includeAsciiPrintable: false);
    static readonly Reward ShareA = Reward.From("share_a", (ex, c) => c.Length == 0 ? 0 : c.Count(ch => ch == 'a') / (double)c.Length);

    static GPT Model() => new(new GPTConfig(Tok.VocabSize, BlockSize: 32, NLayer: 1, NHead: 2, NEmbd: 32), seed: 1);

    static GrpoConfig Small => new() { NumGenerations = 4, PromptsPerStep = 3, MaxCompletionLength = 8, LearningRate = 1e-2, Seed = 1 };

    [Fact]
    public void RewardRisesAndRunFolderIsWritten()
    {
        var dir = Directory.CreateTempSubdirectory("r1-grpo-");
        try
        {
            // β > 0 (reference model), μ = 2 (real ratios and clipping), micro-batches: the whole machinery in ~10 steps
            var config = new GrpoConfig
            {
                Steps = 10, NumGenerations = 8, PromptsPerStep = 4, MaxCompletionLength = 8, LearningRate = 1e-2,
                NumIterations = 2, Beta = 0.04, MicroBatchSize = 16, Seed = 1, RunDir = dir.FullName,
                EvalInterval = 5,
            };
            var model = Model();
            var result = new GrpoTrainer(model, Tok, new RewardSet(ShareA), config).Train(Prompts, Prompts.Take(2).ToList());
            var reward = result.History["reward"];
            double first = reward.Take(3).Average(), last = reward.TakeLast(3).Average();
            Assert.True(last > first + 0.3, $"reward {first:F3} → {last:F3}: {string.Join(" ", reward.Select(x => x.ToString("F2")))}");
            Assert.True(result.History["kl"].Max() > 0, "β > 0 should give a positive KL once the policy moves");
            Assert.True(result.History["clip_ratio/region_mean"].Sum() >= 0);

            var header = File.ReadLines(Path.Combine(dir.FullName, "metrics.csv")).First().Split(',');
            foreach (var name in new[] { "step", "reward", "reward_std", "rewards/share_a/mean", "frac_reward_zero_std",
                         "completions/mean_length", "completions/clipped_ratio", "kl", "entropy", "clip_ratio/low_mean",
                         "clip_ratio/high_mean", "clip_ratio/region_mean", "loss", "grad_norm", "lr", "step_time", "tokens_per_s" })
                Assert.Contains(name, header);
            Assert.Equal(11, File.ReadAllLines(Path.Combine(dir.FullName, "metrics.csv")).Length);
            var lines = File.ReadAllLines(Path.Combine(dir.FullName, "samples.jsonl"));
            Assert.Equal(10 * 8, lines.Length);                       // one group of G = 8 per step
            var s = JsonDocument.Parse(lines[^1]).RootElement;
            Assert.Equal(10, s.GetProperty("step").GetInt32());
            Assert.True(s.GetProperty("rewards").TryGetProperty("share_a", out _));
            Assert.Equal([0, 5, 10], result.Evaluations.Steps);
            Assert.True(Checkpoint.Exists(Path.Combine(dir.FullName, "checkpoint")));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void SamplerLogProbsMatchTheTrainingForward()
    {
        // The loss puts completion token j of a row with prompt length P in column P−1+j of LogProbs' (B, L−1)
        // output; if the layout were off by one the first-iteration ratio would not be 1.
        var model = Model();
        var trainer = new GrpoTrainer(model, Tok, new RewardSet(ShareA), Small);
        var r = trainer.Rollout(Prompts.Take(3).ToList(), step: 1);
        for (int i = 0; i < r.Count; i++)
        {
            var ids = r.PromptIds[i].Concat(r.CompletionIds[i]).Select(x => (long)x).ToArray();
            var lp = model.LogProbs(tensor(ids, 1, ids.Length)).ToFloatArray();
            int P = r.PromptIds[i].Length;
            for (int j = 0; j < r.CompletionIds[i].Length; j++)
                Assert.Equal(lp[P - 1 + j], r.OldLogp[i][j], 3e-4f);
        }
    }

    [Theory]
    [InlineData(LossType.Grpo)]
    [InlineData(LossType.DrGrpo)]
    [InlineData(LossType.Dapo)]
    public void MicroBatchesKeepTheWholeBatchLossAndGradient(LossType lossType)
    {
        UpdateStats Run(int microBatch)
        {
            var model = Model();
            var trainer = new GrpoTrainer(model, Tok, new RewardSet(ShareA), Small with { LossType = lossType, MicroBatchSize = microBatch, NumIterations = 2 });
            var r = trainer.Rollout(Prompts.Take(3).ToList(), step: 1);
            var adv = trainer.ComputeAdvantages(trainer.Score(r).Total);
            return trainer.Update(r, adv, Enumerable.Range(0, r.Count).ToArray(), step: 1);
        }
        var whole = Run(0);
        var split = Run(5);                                            // 12 rows → 5 + 5 + 2
        Assert.Equal(whole.Loss, split.Loss, 5);
        Assert.Equal(whole.GradNorm, split.GradNorm, 5);
        Assert.Equal(whole.Tokens, split.Tokens);
    }

    [Fact]
    public void DynamicSamplingSkipsAllZeroVarianceGroups()
    {
        var constant = Reward.From("constant", (ex, c) => 1.0);
        var trainer = new GrpoTrainer(Model(), Tok, new RewardSet(constant), Small with { DynamicSampling = true });
        var m = trainer.Step(Prompts.Take(3).ToList(), step: 1);
        Assert.Equal(1.0, m["frac_reward_zero_std"]);
        Assert.Equal(0.0, m["loss"]);
        Assert.Equal(0.0, m["grad_norm"]);
    }

    [Fact]
    public void OverlongFilteringMasksTruncatedCompletions()
    {
        // MaxCompletionLength 1: almost every completion is cut; only those that stop at once (<eos>) keep tokens
        var trainer = new GrpoTrainer(Model(), Tok, new RewardSet(ShareA), Small with { MaxCompletionLength = 1, MaskTruncated = true });
        var r = trainer.Rollout(Prompts.Take(3).ToList(), step: 1);
        var adv = trainer.ComputeAdvantages(trainer.Score(r).Total);
        var u = trainer.Update(r, adv, Enumerable.Range(0, r.Count).ToArray(), step: 1);
        Assert.Equal(r.Truncated.Count(t => !t), u.Tokens);
    }

    [Fact]
    public void NaNLossStopsTheRunNamingTheStep()
    {
        var model = Model();
        using (no_grad()) model.transformer.ln_f.weight!.fill_(float.NaN);
        var trainer = new GrpoTrainer(model, Tok, new RewardSet(ShareA), Small with { Steps = 3 });
        var e = Assert.ThrowsAny<Exception>(() => trainer.Train(Prompts));
        var diverged = Assert.IsType<TrainingDivergedException>(e);
        Assert.Equal(1, diverged.Step);
        Assert.Contains("GRPO step 1", e.Message);
    }

    [Fact]
    public void RewardFailureNamesExampleAndCompletion()
    {
        var broken = Reward.From("broken", (ex, c) => throw new InvalidOperationException("boom"));
        var trainer = new GrpoTrainer(Model(), Tok, new RewardSet(broken), Small);
        var e = Assert.Throws<RewardException>(() => trainer.Step(Prompts.Take(1).ToList(), step: 1));
        Assert.Contains("broken", e.Message);
        Assert.Contains("t0", e.Message);
    }

    [Fact]
    public void BadConfigIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new GrpoTrainer(Model(), Tok, new RewardSet(ShareA), Small with { NumGenerations = 1 }));
        Assert.Contains("NumGenerations", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GrpoTrainer(Model(), Tokenizer.FromTexts(["x"]), new RewardSet(ShareA), Small));
        Assert.Contains("vocabulary", e.Message);
    }
}

/// <summary>The trainer on a real task split with the R1-Zero rewards: every stage runs and evaluation reports pass@1.</summary>
public class GrpoRealTaskTests
{
    [Fact]
    public void OneStepOnArithmeticWithAccuracyAndFormat()
    {
        var train = Datasets.Load("arithmetic", "train").Take(4).ToList();
        var test = Datasets.Load("arithmetic", "test").Take(2).ToList();
        var tok = Tokenizer.FromTexts(train.Concat(test).Select(e => e.Prompt));
        var model = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 64, NLayer: 1, NHead: 2, NEmbd: 32), seed: 2);
        var rewards = new RewardSet(Reward.Accuracy(), Reward.Format(weight: 0.5), Reward.TagCount(weight: 0));
        var trainer = new GrpoTrainer(model, tok, rewards, new GrpoConfig
        {
            Steps = 1, NumGenerations = 2, PromptsPerStep = 2, MaxCompletionLength = 6, EvalInterval = 1, EvalSamples = 2,
            EvalTemperature = 1.0,
        });
        var result = trainer.Train(train, test);
        Assert.Equal([0, 1], result.Evaluations.Steps);
        Assert.Contains("eval/accuracy", result.Evaluations.Columns);
        Assert.Contains("eval/rewards/format/mean", result.Evaluations.Columns);
        Assert.Contains("rewards/tag_count/mean", result.History.Columns);   // weight 0: logged, not rewarded
        Assert.Equal(0.0, result.History["reward"][0]);                      // a random model writes neither answer nor format
        Assert.All(result.Samples, s => Assert.StartsWith("Q: ", s.Prompt));
    }
}
