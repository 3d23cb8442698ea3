using R1.Experiments;
using R1.Models;
using R1.Tasks;

namespace R1.Tests.Experiments;

public class StagesTests
{
    [Fact]
    public void QuickAndFullRunsLiveApartUnderTheRunsRoot()
    {
        var quick = Stages.Dir(Stages.R1Zero, quick: true);
        var full = Stages.Dir(Stages.R1Zero, quick: false);
        Assert.Equal(Path.Combine(Stages.Root, "quick", "r1-zero"), quick);
        Assert.Equal(Path.Combine(Stages.Root, "full", "r1-zero"), full);
        Assert.Equal(Path.Combine(full, "checkpoint"), Stages.CheckpointDir(Stages.R1Zero, quick: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/b")]
    public void RejectsStageNamesThatAreNotPlainFolderNames(string stage) =>
        Assert.ThrowsAny<ArgumentException>(() => Stages.Dir(stage, quick: true));

    [Fact]
    public void ProducesOnceThenLoadsTheSavedModel()
    {
        string stage = $"test-{Guid.NewGuid():N}";
        var tokenizer = Tokenizer.FromTexts(["0123456789+-=?QA: "]);
        try
        {
            int calls = 0;
            float[]? saved = null;
            void Produce(string dir)
            {
                calls++;
                Assert.Equal(Stages.Dir(stage, quick: true), dir);
                var model = new GPT(new GPTConfig(tokenizer.VocabSize, 16, 1, 2, 8), seed: 3);
                saved = model.named_parameters().First().parameter.ToArray<float>();
                Checkpoint.Save(Path.Combine(dir, "checkpoint"), model, tokenizer);
            }
            var (m1, _, produced1) = Stages.LoadOrProduce(stage, quick: true, Produce);
            var (m2, _, produced2) = Stages.LoadOrProduce(stage, quick: true, Produce);
            Assert.True(produced1);
            Assert.False(produced2);
            Assert.Equal(1, calls);
            Assert.True(Stages.Exists(stage, quick: true));
            Assert.False(Stages.Exists(stage, quick: false));
            Assert.Equal(saved, m1.named_parameters().First().parameter.ToArray<float>());
            Assert.Equal(saved, m2.named_parameters().First().parameter.ToArray<float>());
        }
        finally
        {
            var dir = Stages.Dir(stage, quick: true);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AProducerThatSavesNothingIsAClearError()
    {
        string stage = $"test-{Guid.NewGuid():N}";
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => Stages.LoadOrProduce(stage, quick: true, _ => { }));
            Assert.Contains(stage, e.Message);
            Assert.Contains("checkpoint", e.Message);
        }
        finally
        {
            var dir = Stages.Dir(stage, quick: true);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void HistoryOfAStageNeverRunNamesTheStageAndTheFile()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Stages.History($"test-{Guid.NewGuid():N}", quick: true));
        Assert.Contains("metrics.csv", e.Message);
        Assert.Contains("run its notebook first", e.Message);
    }
}

public class ZeroRecipeTests
{
    [Fact]
    public void RewardsAreAccuracyAndFormatOnlyTheRestIsLogged()
    {
        var rewards = ZeroRecipe.Rewards().Rewards;
        Assert.Equal(["accuracy", "format", "reflection", "mixed", "worked"], rewards.Select(r => r.Name));
        Assert.Equal([1.0, 0.5, 0, 0, 0], rewards.Select(r => r.Weight));
    }

    [Fact]
    public void TrackersScoreHandWrittenCompletions()
    {
        var ex = Datasets.Load(ZeroRecipe.Task, "test")[0];
        var t = ZeroRecipe.Trackers().ToDictionary(r => r.Name);
        const string worked = "<think>7+5=12, carry 1, got 2. wait, 7+5 is 12, ok.</think><answer>2</answer>";
        const string guess = "<answer>12</answer>";
        Assert.Equal(1, t["reflection"].Func(ex, worked));
        Assert.Equal(0, t["reflection"].Func(ex, guess));
        Assert.Equal(1, t["worked"].Func(ex, worked));
        Assert.Equal(0, t["worked"].Func(ex, guess));
        Assert.Equal(0, t["mixed"].Func(ex, worked));
        Assert.Equal(1, t["mixed"].Func(ex, "<think>7+5=12, carry 1. 进1，得2。所以答案是二。</think><answer>2</answer>"));
    }

    [Fact]
    public void TestAndCurveSetsAreDisjoint()
    {
        foreach (var quick in new[] { true, false })
        {
            var test = ZeroRecipe.TestSet(quick).Select(e => e.Id).ToHashSet();
            var curve = ZeroRecipe.CurveSet(quick).Select(e => e.Id).ToList();
            Assert.NotEmpty(curve);
            Assert.DoesNotContain(curve, test.Contains);
        }
        Assert.Equal(200, ZeroRecipe.TestSet(quick: false).Count);
        Assert.True(ZeroRecipe.Config(quick: true).Steps < ZeroRecipe.Config(quick: false).Steps);
    }
}
