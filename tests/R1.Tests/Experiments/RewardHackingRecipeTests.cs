using R1.Experiments;
using R1.Models;
using R1.RL;
using R1.Tasks;
using R1.Tests.Notebooks;

namespace R1.Tests.Experiments;

public class RewardHackingRecipeTests
{
    [Fact]
    public void BothRunsShareZerosGrpoSettingsAndQuickIsShorter()
    {
        foreach (var quick in new[] { true, false })
        {
            var c = RewardHackingRecipe.Config(quick);
            var zero = ZeroRecipe.Config(quick);
            Assert.Equal((zero.NumGenerations, zero.PromptsPerStep, zero.NumIterations, zero.Beta, zero.LossType, zero.MaxCompletionLength),
                (c.NumGenerations, c.PromptsPerStep, c.NumIterations, c.Beta, c.LossType, c.MaxCompletionLength));
            Assert.InRange(c.EvalInterval, 1, c.Steps);
            Assert.True(c.SampleGroupsPerStep >= 1, "late samples are needed to show what the reward model loves");
            Assert.True(RewardHackingRecipe.RewardModelConfig(quick).View == RewardView.Full, "a correctness judge must read the work");
        }
        Assert.True(RewardHackingRecipe.Config(quick: true).Steps < RewardHackingRecipe.Config(quick: false).Steps);
        // full keeps Zero's learning rate; quick may only raise it (to cover the same ground in fewer steps)
        Assert.Equal(ZeroRecipe.Config(quick: false).LearningRate, RewardHackingRecipe.Config(quick: false).LearningRate);
        Assert.InRange(RewardHackingRecipe.Config(quick: true).LearningRate, ZeroRecipe.Config(quick: false).LearningRate, 1e-4);
        Assert.True(RewardHackingRecipe.RewardModelConfig(quick: true).Steps < RewardHackingRecipe.RewardModelConfig(quick: false).Steps);
        Assert.Equal("/tmp/x", RewardHackingRecipe.Config(quick: true, "/tmp/x").RunDir);
    }

    [Fact]
    public void RewardModelPairsAreHeldOutByProblemAndHoldBothKinds()
    {
        foreach (var quick in new[] { true, false })
        {
            var train = RewardHackingRecipe.RewardModelPairs(quick);
            var test = RewardHackingRecipe.RewardModelTestPairs(quick);
            var trainIds = train.Select(p => p.Example.Id).ToHashSet();
            Assert.DoesNotContain(test, p => trainIds.Contains(p.Example.Id));
            foreach (var kind in ReasoningPairs.Kinds)
            {
                Assert.Contains(train, p => p.Kind == kind);
                Assert.Contains(test, p => p.Kind == kind);
            }
            // chosen is right and rejected wrong, by the task's own verifier
            Assert.All(train.Concat(test), p =>
            {
                Assert.True(TaskRegistry.Verify(p.Example, p.Chosen).Correct);
                Assert.False(TaskRegistry.Verify(p.Example, p.Rejected).Correct);
            });
        }
        Assert.True(RewardHackingRecipe.RewardModelPairs(quick: true).Count < RewardHackingRecipe.RewardModelPairs(quick: false).Count);
    }

    [Fact]
    public void CurveSetIsHeldOutTestProblems()
    {
        var train = Datasets.Load(RewardHackingRecipe.Task, "train").Select(e => e.Id).ToHashSet();
        foreach (var quick in new[] { true, false })
        {
            var curve = RewardHackingRecipe.CurveSet(quick);
            Assert.NotEmpty(curve);
            Assert.DoesNotContain(curve, e => train.Contains(e.Id));
            Assert.All(curve, e => Assert.StartsWith("arithmetic/test/", e.Id));
        }
    }

    static RewardModel TinyRm(Tokenizer tok) => new(new GPTConfig(tok.VocabSize, BlockSize: 64, NLayer: 1, NHead: 2, NEmbd: 8));

    [Fact]
    public void TheTwoRunsLogTheSameRewardsWithTheSignalSwapped()
    {
        var tok = BaseModel.BuildTokenizer();
        using var rm = TinyRm(tok);
        var hacked = RewardHackingRecipe.RewardModelRewards(rm, tok).Rewards.ToDictionary(r => r.Name, r => r.Weight);
        var ruled = RewardHackingRecipe.VerifierRewards(rm, tok).Rewards.ToDictionary(r => r.Name, r => r.Weight);
        Assert.Equal(hacked.Keys.Order(), ruled.Keys.Order());
        Assert.Equal(1.0, hacked[RewardHackingRecipe.RewardModelName]);
        Assert.Equal(0.0, hacked["accuracy"]);
        Assert.Equal(0.0, hacked["format"]);
        Assert.Equal(0.0, ruled[RewardHackingRecipe.RewardModelName]);
        Assert.Equal(1.0, ruled["accuracy"]);
        Assert.Equal(0.5, ruled["format"]);
        // only the named signal carries weight; the trackers are weight 0 in both
        Assert.Equal(1.0, hacked.Values.Sum());
        Assert.All(ZeroRecipe.Trackers(), t => Assert.Equal(0.0, hacked[t.Name]));
    }

    [Fact]
    public void TheRewardModelRewardIsItsScore()
    {
        var tok = BaseModel.BuildTokenizer();
        using var rm = TinyRm(tok);
        rm.score.bias!.data<float>()[0] = 0.75f;                          // zero head weights: every score is the bias
        var ex = Datasets.Load(RewardHackingRecipe.Task, "test")[0];
        var set = RewardHackingRecipe.RewardModelRewards(rm, tok);
        var batch = set.Compute([ex, ex], ["<think>it is 3.</think><answer>3</answer>", $"<answer>{ex.Answer}</answer>"]);
        Assert.Equal([0.75, 0.75], batch[RewardHackingRecipe.RewardModelName].Select(v => Math.Round(v, 5)));
        Assert.Equal([0.0, 1.0], batch["accuracy"]);
        Assert.Equal([0.75, 0.75], batch.Total.Select(v => Math.Round(v, 5)));    // accuracy does not count
    }

    [Fact]
    public void RightAboveWrongByHand()
    {
        // problem a: right {2, 0} vs wrong {1}: 2 > 1 wins, 0 < 1 loses → 1 of 2
        // problem b: right {1} vs wrong {1, 0}: a tie (½) and a win → 1.5 of 2
        // problem c: only right samples, no pairs
        var samples = new List<(string, double, bool)>
        {
            ("a", 2, true), ("a", 0, true), ("a", 1, false),
            ("b", 1, true), ("b", 1, false), ("b", 0, false),
            ("c", 5, true),
        };
        Assert.Equal(2.5 / 4, RewardHackingRecipe.RightAboveWrong(samples), 12);
        Assert.True(double.IsNaN(RewardHackingRecipe.RightAboveWrong([("c", 5, true), ("d", 1, false)])));
        // pairs never cross problems: a wrong sample of d scoring low does not help c's right one
    }

    static SampleRecord Sample(int step, double score, double accuracy) =>
        new(step, $"e{step}", "Q", $"c{step}-{score}", score, new() { [RewardHackingRecipe.RewardModelName] = score, ["accuracy"] = accuracy }, 0, 5, false);

    [Fact]
    public void LovedButWrongTakesTheLateWrongOnesTheModelScoresHighest()
    {
        var samples = new List<SampleRecord>
        {
            Sample(1, 9.0, 0),   // early: left out even though it scores highest
            Sample(7, 1.0, 0), Sample(7, 3.0, 1),   // right: left out
            Sample(8, 2.0, 0), Sample(8, 0.5, 0),
        };
        var loved = RewardHackingRecipe.LovedButWrong(samples, count: 2, lastShare: 0.25);   // steps 7-8 of 8
        Assert.Equal([2.0, 1.0], loved.Select(s => s.Rewards[RewardHackingRecipe.RewardModelName]));
        Assert.Empty(RewardHackingRecipe.LovedButWrong([]));
        var foreign = new SampleRecord(1, "e", "Q", "c", 0, new() { ["format"] = 1 }, 0, 1, false);
        Assert.Contains(RewardHackingRecipe.RewardModelName, Assert.Throws<ArgumentException>(() => RewardHackingRecipe.LovedButWrong([foreign])).Message);
    }
}

/// <summary>The stage getters under a temporary R1_RUNS. In the notebooks collection, which runs alone, because the
/// runs folder is process-wide state.</summary>
[Collection(NotebookCollection.Name)]
public class RewardHackingStagesTests
{
    static void WithRuns(Action<string> body)
    {
        var old = Environment.GetEnvironmentVariable("R1_RUNS");
        var root = Directory.CreateTempSubdirectory("r1-runs-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("R1_RUNS", root);
            body(root);
        }
        finally
        {
            Environment.SetEnvironmentVariable("R1_RUNS", old);
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void StageNamesAndFolders()
    {
        Assert.Equal("correctness-rm", Stages.CorrectnessRmStage);
        Assert.Equal("rl-vs-rm", Stages.RlVsRmStage);
        Assert.Equal("rl-vs-verifier", Stages.RlVsVerifierStage);
        WithRuns(root => Assert.Equal(Path.Combine(root, "quick", "rl-vs-rm"), Stages.Dir(Stages.RlVsRmStage, quick: true)));
    }

    [Fact]
    public void GettersLoadExistingCheckpointsWithoutTraining() => WithRuns(root =>
    {
        var (model, tok) = Stages.Base();
        using var rm = RewardModel.FromGPT(model);
        rm.score.bias!.data<float>()[0] = 0.5f;
        rm.Save(Stages.CheckpointDir(Stages.CorrectnessRmStage, quick: false), tok);
        var first = model.named_parameters().First().parameter;
        first.data<float>()[0] = 123f;                                     // a mark no training would leave
        Checkpoint.Save(Stages.CheckpointDir(Stages.RlVsRmStage, quick: false), model, tok);
        first.data<float>()[0] = 456f;
        Checkpoint.Save(Stages.CheckpointDir(Stages.RlVsVerifierStage, quick: false), model, tok);

        var (loadedRm, _) = Stages.CorrectnessRm(quick: false);
        Assert.Equal(0.5f, loadedRm.score.bias!.data<float>()[0]);
        Assert.Equal(123f, Stages.RlVsRm(quick: false).Model.named_parameters().First().parameter.data<float>()[0]);
        Assert.Equal(456f, Stages.RlVsVerifier(quick: false).Model.named_parameters().First().parameter.data<float>()[0]);
        foreach (var stage in new[] { Stages.CorrectnessRmStage, Stages.RlVsRmStage, Stages.RlVsVerifierStage })
            Assert.False(File.Exists(Path.Combine(Stages.Dir(stage, quick: false), "metrics.csv")), $"{stage} was retrained");
    });

    [Fact]
    public void TheRewardModelIsTrainedWhenMissingAndRanksGuessesBelowWork() => WithRuns(root =>
    {
        var (rm, tok) = Stages.CorrectnessRm(quick: true);
        var dir = Stages.Dir(Stages.CorrectnessRmStage, quick: true);
        Assert.True(File.Exists(Path.Combine(dir, "metrics.csv")));
        Assert.True(File.Exists(Path.Combine(dir, "eval.csv")));
        Assert.Equal(RewardHackingRecipe.RewardModelConfig(quick: true).Steps, RunHistory.Load(Path.Combine(dir, "metrics.csv")).Count);
        var e = RewardModelTrainer.Evaluate(rm, tok, RewardHackingRecipe.RewardModelTestPairs(quick: true));
        Assert.True(e.AccuracyByKind["wrong_guess"] > 0.9, $"held-out wrong_guess accuracy {e.AccuracyByKind["wrong_guess"]:P1}");
        // a second call loads what the first trained
        var again = Stages.CorrectnessRm(quick: true).Model;
        Assert.Equal(rm.score.weight.ToArray<float>(), again.score.weight.ToArray<float>());
    });
}
