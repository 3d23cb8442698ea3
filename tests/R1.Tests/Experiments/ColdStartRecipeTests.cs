using R1.Experiments;
using R1.Models;
using R1.RL;
using R1.Tasks;

namespace R1.Tests.Experiments;

public class ColdStartRecipeTests
{
    [Fact]
    public void RlKeepsTheR1ZeroSettingsWithAtMostHalfItsSteps()
    {
        foreach (var quick in new[] { true, false })
        {
            var zero = ZeroRecipe.Config(quick);
            var rl = ColdStartRecipe.RlConfig(quick, "some/dir");
            Assert.InRange(rl.LearningRate, zero.LearningRate, 2 * zero.LearningRate);   // 3e-4 collapsed R1-Zero
            Assert.True(rl.PromptsPerStep >= zero.PromptsPerStep);
            Assert.Equal(zero.Beta, rl.Beta);
            Assert.Equal(zero.NumGenerations, rl.NumGenerations);
            Assert.Equal(zero.NumIterations, rl.NumIterations);
            Assert.Equal(zero.LossType, rl.LossType);
            Assert.Equal(zero.EvalSamples, rl.EvalSamples);
            Assert.Equal(zero.EvalTemperature, rl.EvalTemperature);
            Assert.True(2 * rl.Steps <= zero.Steps, $"{rl.Steps} RL steps vs R1-Zero's {zero.Steps}");
            Assert.Equal(0, rl.Steps % rl.EvalInterval);   // the curve has a point at the last step
            Assert.Equal("some/dir", rl.RunDir);
        }
        Assert.Equal(100, ColdStartRecipe.RlConfig(quick: false).Steps);
        Assert.True(ColdStartRecipe.SftConfig(quick: true).Steps <= ColdStartRecipe.SftConfig(quick: false).Steps);
    }

    [Fact]
    public void TheControlRunLogsTheLanguageRewardWithoutTrainingOnIt()
    {
        var with = ColdStartRecipe.Rewards(languageReward: true).Rewards;
        var without = ColdStartRecipe.Rewards(languageReward: false).Rewards;
        Assert.Equal(with.Select(r => r.Name), without.Select(r => r.Name));
        Assert.Equal(["accuracy", "format", "language_consistency", "reflection", "mixed", "worked"], with.Select(r => r.Name));
        Assert.Equal([1.0, 0.5, ColdStartRecipe.LanguageWeight, 0, 0, 0], with.Select(r => r.Weight));
        Assert.Equal([1.0, 0.5, 0, 0, 0, 0], without.Select(r => r.Weight));
    }

    [Fact]
    public void TheLanguageRewardPrefersAThoughtInThePromptsLanguage()
    {
        var zh = Datasets.Load("wordproblems", "test").First(e => e.Language == "zh");
        var rewards = ColdStartRecipe.Rewards(languageReward: true);
        const string clean = "<think>总价=27*9。7*9=63，进6，得3。所以是243。</think><answer>243</answer>";
        // Same work with "carry" and "got": 8 Latin letters beside 5 Chinese ones (总价所以是), a share of 5/13.
        const string mixed = "<think>总价=27*9。7*9=63, carry 6, got 3。所以是243。</think><answer>243</answer>";
        var b = rewards.Compute([zh, zh], [clean, mixed]);
        Assert.Equal(1.0, b["language_consistency"][0]);
        Assert.Equal(5.0 / 13, b["language_consistency"][1], 12);
        Assert.Equal(0, b["mixed"][0]);
        Assert.Equal(1, b["mixed"][1]);
        Assert.Equal(ColdStartRecipe.LanguageWeight * (1 - 5.0 / 13), b.Total[0] - b.Total[1], 12);
    }

    [Fact]
    public void RlPromptsAreBilingualTrainProblemsDisjointFromEveryEvaluationSet()
    {
        var train = ColdStartRecipe.TrainSet();
        Assert.Equal(ColdStartRecipe.Tasks.Sum(t => Datasets.Load(t, "train").Count), train.Count);
        Assert.All(train, e => Assert.Contains("/train/", e.Id));
        Assert.Equal(ColdStartRecipe.Tasks.Order(), train.Select(e => e.Task).Distinct().Order());
        Assert.Contains(train, e => e.Language == "zh");
        Assert.Contains(train, e => e.Language == "en");
        var prompts = train.Select(e => e.Prompt).ToHashSet();
        foreach (var quick in new[] { true, false })
            foreach (var e in ZeroRecipe.TestSet(quick).Concat(ZeroRecipe.CurveSet(quick)).Concat(ColdStartRecipe.MixingSet(quick)))
                Assert.DoesNotContain(e.Prompt, prompts);
        var mixing = ColdStartRecipe.MixingSet(quick: false);
        Assert.InRange(mixing.Count(e => e.Language == "zh"), mixing.Count / 3, 2 * mixing.Count / 3);
    }

    [Fact]
    public void SftSetKeepsOnlyDemonstrationsThatFitTheContext()
    {
        var tokenizer = Stages.Base().Tokenizer;
        var all = ColdStart.Load();
        var set = ColdStartRecipe.SftSet(tokenizer, 192);
        Assert.All(set, e => Assert.True(e.Prompt.Length + e.Completion.Length <= 193));
        Assert.InRange(set.Count, all.Count * 9 / 10, all.Count - 1);   // a few long ones dropped, most kept
        Assert.Equal(all.Count, ColdStartRecipe.SftSet(tokenizer, 400).Count);
    }
}

/// <summary>The stage getters, against a temporary runs folder (R1_RUNS), so no real stage is read or written.</summary>
[Collection(TempRunsCollection.Name)]
public sealed class ColdStartStagesTests : IDisposable
{
    readonly string? savedRuns = Environment.GetEnvironmentVariable("R1_RUNS");
    readonly string runs = Directory.CreateTempSubdirectory("r1-coldstart-stages-").FullName;
    readonly Tokenizer tokenizer = Stages.Base().Tokenizer;

    public ColdStartStagesTests() => Environment.SetEnvironmentVariable("R1_RUNS", runs);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("R1_RUNS", savedRuns);
        Directory.Delete(runs, recursive: true);
    }

    GPT Tiny(long seed) => new(new GPTConfig(tokenizer.VocabSize, 192, 1, 2, 16), seed);

    static float[] FirstWeights(GPT m) => m.named_parameters().First().parameter.ToArray<float>();

    [Fact]
    public void GettersLoadSavedStagesWithoutTraining()
    {
        var saved = new Dictionary<string, float[]>();
        long seed = 1;
        foreach (var stage in new[] { Stages.ColdStartSftStage, Stages.ReasoningRlStage, Stages.ReasoningRlNoLangStage })
        {
            var m = Tiny(seed++);
            Checkpoint.Save(Stages.CheckpointDir(stage, quick: true), m, tokenizer);
            saved[stage] = FirstWeights(m);
        }
        // A tiny model loads in milliseconds; producing any stage would train the real base model for minutes.
        Assert.Equal(saved[Stages.ColdStartSftStage], FirstWeights(Stages.ColdStartSft(quick: true).Model));
        Assert.Equal(saved[Stages.ReasoningRlStage], FirstWeights(Stages.ReasoningRl(quick: true).Model));
        Assert.Equal(saved[Stages.ReasoningRlNoLangStage], FirstWeights(Stages.ReasoningRlNoLang(quick: true).Model));
        Assert.False(Stages.Exists(Stages.ColdStartSftStage, quick: false));
    }

    [Fact]
    public void ReasoningRlIsProducedFromTheColdStartWhenMissing()
    {
        var cold = Tiny(7);
        Checkpoint.Save(Stages.CheckpointDir(Stages.ColdStartSftStage, quick: true), cold, tokenizer);
        var before = FirstWeights(cold);

        var (rl, _) = Stages.ReasoningRl(quick: true);

        Assert.True(Stages.Exists(Stages.ReasoningRlStage, quick: true));
        Assert.False(Stages.Exists(Stages.ReasoningRlNoLangStage, quick: true));
        Assert.Equal(cold.Config, rl.Config);   // trained from the cold-start checkpoint, not from the base model
        Assert.NotEqual(before, FirstWeights(rl));
        var history = Stages.History(Stages.ReasoningRlStage, quick: true);
        Assert.Equal(ColdStartRecipe.RlConfig(quick: true).Steps, history.Count);
        Assert.Contains("rewards/language_consistency/mean", history.Columns);
        var evals = Stages.History(Stages.ReasoningRlStage, quick: true, "eval.csv");
        Assert.Equal(0, evals.Steps[0]);
        Assert.Equal(ColdStartRecipe.RlConfig(quick: true).Steps, evals.Steps[^1]);
    }

    [Fact]
    public void SftWritesItsLossCurveAndCheckpointToTheRunFolder()
    {
        var model = Tiny(3);
        var dir = Stages.Dir(Stages.ColdStartSftStage, quick: true);
        var before = FirstWeights(model);
        var result = ColdStartRecipe.TrainSft(model, tokenizer, quick: true, dir,
            ColdStartRecipe.SftConfig(quick: true) with { Steps = 3, BatchSize = 2, WarmupSteps = 1 });
        Assert.True(Stages.Exists(Stages.ColdStartSftStage, quick: true));
        var history = Stages.History(Stages.ColdStartSftStage, quick: true);
        Assert.Equal([1, 2, 3], history.Steps);
        var losses = history["loss"];   // written with 7 significant digits
        for (int i = 0; i < 3; i++) Assert.Equal(result.Metrics[i].Loss, losses[i], 1e-5);
        Assert.NotEqual(before, FirstWeights(model));
        Assert.Equal(FirstWeights(model), FirstWeights(Stages.ColdStartSft(quick: true).Model));
    }
}

/// <summary>Tests that point R1_RUNS elsewhere: xunit runs this collection alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TempRunsCollection
{
    public const string Name = "temp-runs";
}
