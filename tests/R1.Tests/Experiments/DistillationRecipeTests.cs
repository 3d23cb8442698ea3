using System.Text.Json;
using R1.Experiments;
using R1.Models;
using R1.Tasks;
using R1.Training;

namespace R1.Tests.Experiments;

/// <summary>Tests that point R1_RUNS (process-wide) at a temporary folder: xunit runs this collection alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsFolderCollection
{
    public const string Name = "runs-folder";
}

/// <summary>R1_RUNS set to a fresh temporary folder for the test's lifetime, then restored and deleted.</summary>
public sealed class TempRuns : IDisposable
{
    readonly string? previous = Environment.GetEnvironmentVariable("R1_RUNS");
    public string Root { get; } = Directory.CreateTempSubdirectory("r1-runs-").FullName;

    public TempRuns() => Environment.SetEnvironmentVariable("R1_RUNS", Root);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("R1_RUNS", previous);
        Directory.Delete(Root, recursive: true);
    }
}

public class DistillationRecipeTests
{
    static Tokenizer Tok => Stages.Base().Tokenizer;

    [Fact]
    public void TheStudentKeepsTheFirstBlocksAndStretchesThePositionTable()
    {
        var tok = Tokenizer.FromTexts(["0123456789+-*=?QA: "]);
        var source = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 8, NLayer: 3, NHead: 2, NEmbd: 8), seed: 1);
        var student = DistillationRecipe.CutStudent(source, layers: 2, context: 12);
        Assert.Equal(source.Config with { NLayer = 2, BlockSize = 12 }, student.Config);
        var src = source.named_parameters().ToDictionary(p => p.name, p => p.parameter.ToArray<float>());
        var names = student.named_parameters().Select(p => p.name).ToList();
        Assert.DoesNotContain(names, n => n.StartsWith("transformer.h.2."));
        foreach (var (name, p) in student.named_parameters())
        {
            var w = p.ToArray<float>();
            if (name != "transformer.wpe.weight") { Assert.Equal(src[name], w); continue; }
            Assert.Equal(src[name], w[..(8 * 8)]);                                 // rows 0-7 as trained
            for (int t = 8; t < 12; t++) Assert.Equal(src[name][(7 * 8)..], w[(t * 8)..((t + 1) * 8)]);   // new rows copy row 7
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationRecipe.CutStudent(source, layers: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationRecipe.CutStudent(source, layers: 0));
    }

    [Fact]
    public void JourneyDocumentsFitTheStudentsContext()
    {
        var tok = Tok;
        foreach (var variant in Journey.Variants)
            Assert.All(Journey.Load(variant).ToSft(tok), e => Assert.True(e.Prompt.Length + e.Completion.Length - 1 <= DistillationRecipe.StudentContext));
    }

    [Fact]
    public void ConfigsAreSaneAndQuickIsSmaller()
    {
        Assert.True(DistillationRecipe.HealConfig(true).Steps < DistillationRecipe.HealConfig(false).Steps);
        Assert.True(DistillationRecipe.SftConfig(true).Steps < DistillationRecipe.SftConfig(false).Steps);
        Assert.True(DistillationRecipe.JourneyConfig(true).Steps < DistillationRecipe.JourneyConfig(false).Steps);
        Assert.True(DistillationRecipe.TracePrompts(true).Count < DistillationRecipe.TracePrompts(false).Count);
        Assert.True(DistillationRecipe.TraceConfig(false).MaxCompletionTokens <= ZeroRecipe.Config(false).MaxCompletionLength);
        Assert.True(DistillationRecipe.HealConfig(false).ContextLength <= DistillationRecipe.StudentContext);
        Assert.Equal(ZeroRecipe.Config(false).LearningRate, DistillationRecipe.RlConfig(false).LearningRate);   // R1-Zero's RL, not a weaker one
    }

    [Fact]
    public void TrainingDataIsDisjointFromEveryTestSet()
    {
        foreach (var quick in new[] { true, false })
        {
            var test = DistillationRecipe.TestSet(quick).Concat(DistillationRecipe.JourneyTestSet(quick)).Concat(ZeroRecipe.CurveSet(quick))
                .Select(e => e.Id).ToHashSet();
            Assert.All(DistillationRecipe.TracePrompts(quick), e => Assert.DoesNotContain(e.Id, test));
            Assert.All(DistillationRecipe.TracePrompts(quick), e => Assert.EndsWith("train", e.Id.Split('/')[1]));
            foreach (var variant in Journey.Variants)
                Assert.All(Journey.Load(variant), d => Assert.DoesNotContain(d.Example.Id, test));
            Assert.Equal(Datasets.TaskNames.Length, DistillationRecipe.JourneyTestSet(quick).Select(e => e.Task).Distinct().Count());
        }
    }

    [Fact]
    public void DistillKeepsVerifiedTeacherTracesAndTrainsTheStudentOnThem()
    {
        var (teacher, tok) = Stages.Base();
        var student = DistillationRecipe.CutStudent(teacher, layers: 1);
        var before = student.named_parameters().First(p => p.name.StartsWith("transformer.h.0")).parameter.ToArray<float>();
        var prompts = DistillationRecipe.TracePrompts(quick: true).Take(12).ToList();
        var dir = Directory.CreateTempSubdirectory("r1-distill-").FullName;
        try
        {
            var result = DistillationRecipe.Distill(student, tok, teacher, quick: true, dir, prompts: prompts,
                sft: DistillationRecipe.SftConfig(true) with { Steps = 2, BatchSize = 4 });
            Assert.NotEmpty(result.Traces);
            Assert.All(result.Traces, d => Assert.True(TaskRegistry.Verify(d.Example, d.Completion).Correct));
            Assert.Equal(12 * DistillationRecipe.TraceConfig(true).SamplesPerPrompt, result.Stats.Generated);
            Assert.Equal(2, result.Sft.Metrics.Count);
            Assert.NotEqual(before, student.named_parameters().First(p => p.name.StartsWith("transformer.h.0")).parameter.ToArray<float>());
            Assert.Equal(result.Traces.Count, Jsonl.Read<Demonstration>(Path.Combine(dir, "traces.jsonl")).Count);
            Assert.True(Checkpoint.Exists(Path.Combine(dir, "checkpoint")));
            var summary = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(dir, DistillationRecipe.SummaryFile)))!;
            Assert.Equal(result.Seconds, summary["seconds"], 6);
            Assert.Equal(result.Traces.Count, summary["kept"]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ATeacherThatIsNeverRightIsAClearError()
    {
        var tok = Tok;
        var teacher = new GPT(new GPTConfig(tok.VocabSize, 64, 1, 2, 8), seed: 2);   // random weights: never a verified trace
        var student = new GPT(new GPTConfig(tok.VocabSize, 64, 1, 2, 8), seed: 3);
        var e = Assert.Throws<InvalidOperationException>(() => DistillationRecipe.Distill(student, tok, teacher, quick: true,
            prompts: DistillationRecipe.TracePrompts(true).Take(2).ToList(), traces: DistillationRecipe.TraceConfig(true) with { MaxCompletionTokens = 40 }));
        Assert.Contains("no verified trace", e.Message);
    }
}

[Collection(RunsFolderCollection.Name)]
public class DistillationStagesTests
{
    static readonly Tokenizer Tok = Stages.Base().Tokenizer;

    /// <summary>Saves a tiny model as the stage's checkpoint (with a summary) and returns its first weights.</summary>
    static float[] SaveTiny(string stage, long seed, double seconds = 1)
    {
        var model = new GPT(new GPTConfig(Tok.VocabSize, DistillationRecipe.StudentContext, 1, 2, 8), seed);
        Checkpoint.Save(Stages.CheckpointDir(stage, quick: true), model, Tok);
        File.WriteAllText(Path.Combine(Stages.Dir(stage, quick: true), DistillationRecipe.SummaryFile), $"{{\"seconds\": {seconds}}}");
        return model.named_parameters().First().parameter.ToArray<float>();
    }

    static float[] First(GPT model) => model.named_parameters().First().parameter.ToArray<float>();

    [Fact]
    public void GettersLoadExistingCheckpointsWithoutTraining()
    {
        using var runs = new TempRuns();
        var stages = new (string Stage, Func<bool, (GPT Model, Tokenizer Tokenizer)> Get)[]
        {
            (Stages.StudentBase, Stages.Student), (Stages.StudentDistilled, Stages.DistilledStudent), (Stages.StudentRl, Stages.RlStudent),
            (Stages.StudentClean, Stages.CleanStudent), (Stages.StudentJourney, Stages.JourneyStudent),
        };
        // No teacher (the final R1 stage) in this runs folder: any getter that tried to produce would have to train one.
        for (int i = 0; i < stages.Length; i++)
        {
            var saved = SaveTiny(stages[i].Stage, seed: 10 + i);
            Assert.Equal(saved, First(stages[i].Get(true).Model));
        }
        Assert.False(Stages.Exists(Stages.R1Stage, quick: true));
        Assert.False(Stages.Exists(Stages.R1Zero, quick: true));
        Assert.Equal(1, DistillationRecipe.Summary(Stages.StudentRl, quick: true)["seconds"]);
    }

    [Fact]
    public void StudentIsProducedOnceFromTheBaseModel()
    {
        using var runs = new TempRuns();
        var (student, _) = Stages.Student(quick: true);
        Assert.Equal(DistillationRecipe.StudentLayers, student.Config.NLayer);
        Assert.Equal(DistillationRecipe.StudentContext, student.Config.BlockSize);
        var weights = Path.Combine(Stages.CheckpointDir(Stages.StudentBase, true), Checkpoint.ModelFile);
        var written = File.GetLastWriteTimeUtc(weights);
        Assert.Equal(DistillationRecipe.HealConfig(true).Steps, DistillationRecipe.TrainMetrics(Stages.StudentBase, true).Count);
        Assert.Equal(First(student), First(Stages.Student(quick: true).Model));
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));   // loaded, not healed again
    }

    [Fact]
    public void RlStudentTrainsForTheDistilledStudentsWallClock()
    {
        using var runs = new TempRuns();
        SaveTiny(Stages.StudentBase, seed: 1);
        SaveTiny(Stages.StudentDistilled, seed: 2, seconds: 0.5);
        Stages.RlStudent(quick: true);
        var summary = DistillationRecipe.Summary(Stages.StudentRl, quick: true);
        Assert.Equal(0.5, summary["budget_seconds"]);
        Assert.True(summary["seconds"] >= 0.5);
        Assert.True(summary["steps"] >= 1);
        var eval = Stages.History(Stages.StudentRl, true, "eval.csv");
        Assert.Equal(0, eval.Steps[0]);
        Assert.Equal((int)summary["steps"], eval.Steps[^1]);
        Assert.Equal(summary["seconds"], eval.Last("train_seconds"), 6);
    }

    [Fact]
    public void ASummaryThatIsMissingNamesTheStage()
    {
        using var runs = new TempRuns();
        var e = Assert.Throws<FileNotFoundException>(() => DistillationRecipe.Summary(Stages.StudentDistilled, quick: true));
        Assert.Contains(Stages.StudentDistilled, e.Message);
    }
}
