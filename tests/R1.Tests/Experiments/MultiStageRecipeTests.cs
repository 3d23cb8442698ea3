using R1.Experiments;
using R1.Models;
using R1.Rewards;
using R1.RL;
using R1.Tasks;
using R1.Tests.Notebooks;
using R1.Training;
using static R1.torch;

namespace R1.Tests.Experiments;

public class MultiStageRecipeTests
{
    static readonly Tokenizer BaseTokenizer = Checkpoint.LoadModel(BaseModel.DefaultDirectory).Tokenizer;
    static readonly Example Add = new("arithmetic/test/x", "arithmetic", "en", PromptTemplate.Format("347+85=?"), "432", "add", [347, 85]);
    static readonly Example Capital = new("general/test/x", GeneralPrompts.TaskName, "en", PromptTemplate.Format("What is the capital of Peru?"), "Lima", "capital", []);

    [Fact]
    public void QuickSettingsAreSmallerAndTheLengthsAgree()
    {
        var (q, f) = (MultiStageRecipe.Settings(quick: true), MultiStageRecipe.Settings(quick: false));
        Assert.True(q.RewardModel.Steps < f.RewardModel.Steps);
        Assert.True(q.RejectionPromptsPerTask < f.RejectionPromptsPerTask);
        Assert.True(q.Rejection.SamplesPerPrompt < f.Rejection.SamplesPerPrompt);
        Assert.True(q.Sft.Steps < f.Sft.Steps);
        Assert.True(q.Rl.Steps < f.Rl.Steps);
        foreach (var s in new[] { q, f })
        {
            Assert.True(s.Rejection.MaxKeptPerPrompt > 0);          // easy prompts must not crowd the SFT set
            Assert.Equal(s.Rl.MaxCompletionLength, s.Rejection.MaxCompletionTokens);   // the SFT model's answers fit RL
            Assert.Null(s.Sft.RunDir);                                // TrainSft saves to checkpoint/ itself
            Assert.Null(s.Rl.RunDir);
            Assert.Null(s.RewardModel.RunDir);
            Assert.True(s.Rl.NumIterations > 1 && s.Rl.Beta > 0);
        }
    }

    [Fact]
    public void EverySftSequenceFitsTheBaseModelsContext()
    {
        var config = Checkpoint.Load(BaseModel.DefaultDirectory).Config;
        var full = MultiStageRecipe.Settings(quick: false);
        // a kept sample has at most MaxCompletionTokens tokens, + <eos>; the prompt gets <bos>; Sft.Run fits BlockSize + 1
        int longestPrompt = MultiStageRecipe.RejectionPrompts(full.RejectionPromptsPerTask).Max(e => TextStats.TokenLength(e.Prompt)) + 1;
        Assert.True(longestPrompt + full.Rejection.MaxCompletionTokens + 1 <= config.BlockSize + 1,
            $"prompt {longestPrompt} + completion {full.Rejection.MaxCompletionTokens + 1} tokens exceed the context {config.BlockSize}");
        foreach (var d in GeneralPrompts.Load("train").Concat(GeneralPrompts.Load("test")))
        {
            var row = d.ToSft(BaseTokenizer);
            Assert.True(row.Prompt.Length + row.Completion.Length <= config.BlockSize + 1, d.Id);
        }
    }

    [Fact]
    public void TestSetsAreDisjointFromEveryTrainingAndCurvePrompt()
    {
        var training = MultiStageRecipe.RlPrompts().Select(e => e.Prompt)
            .Concat(MultiStageRecipe.RejectionPrompts(MultiStageRecipe.Settings(false).RejectionPromptsPerTask).Select(e => e.Prompt))
            .Concat(MultiStageRecipe.SftData([]).Select(d => d.Example.Prompt))
            .Concat(GeneralPrompts.LoadPairs("train").Select(p => p.Example.Prompt))
            .ToHashSet();
        foreach (var quick in new[] { true, false })
        {
            var (a, w, g) = MultiStageRecipe.TestSets(quick);
            var test = a.Concat(w).Concat(g).ToList();
            Assert.Equal(test.Count, test.Select(e => e.Id).Distinct().Count());
            Assert.DoesNotContain(test, e => training.Contains(e.Prompt));
            var curve = MultiStageRecipe.CurveSet(quick);
            Assert.NotEmpty(curve);
            Assert.Contains(curve, MixedPrompts.IsGeneral);
            Assert.Contains(curve, e => !MixedPrompts.IsGeneral(e));
            Assert.DoesNotContain(curve, e => training.Contains(e.Prompt) || test.Any(t => t.Id == e.Id));
            Assert.Contains(w, e => e.Language == "zh");
            Assert.Contains(w, e => e.Language == "en");
        }
        Assert.Equal(ZeroRecipe.TestSet(false).Select(e => e.Id), MultiStageRecipe.TestSets(false).Arithmetic.Select(e => e.Id));
    }

    [Fact]
    public void RlPromptsAreTrainPromptsAQuarterOfThemGeneral()
    {
        var prompts = MultiStageRecipe.RlPrompts();
        Assert.All(prompts, e => Assert.Contains("/train/", e.Id));
        Assert.Equal(MultiStageRecipe.GeneralShare, prompts.Count(MixedPrompts.IsGeneral) / (double)prompts.Count, 3);
        Assert.Equal(MultiStageRecipe.ReasoningTasks.Order(), prompts.Where(e => !MixedPrompts.IsGeneral(e)).Select(e => e.Task).Distinct().Order());
        // every general train prompt is in the mix
        Assert.Equal(GeneralPrompts.Load("train").Count, prompts.Where(MixedPrompts.IsGeneral).Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void SftDataIsTheKeptSamplesPlusEveryGeneralDemonstrationInAFixedOrder()
    {
        Demonstration[] kept =
        [
            new("arithmetic/train/0000#1", "rejection_sampled", Add, "<think>7+5=12.</think><answer>432</answer>"),
            new("arithmetic/train/0000#3", "rejection_sampled", Add, "<think>85+347=432.</think><answer>432</answer>"),
        ];
        var data = MultiStageRecipe.SftData(kept);
        var general = GeneralPrompts.Load("train");
        Assert.Equal(kept.Length + general.Count, data.Count);
        Assert.Contains(kept[0], data);
        Assert.Contains(kept[1], data);
        Assert.Equal(general.Select(d => d.Id).Order(), data.Where(d => d.Example.Task == GeneralPrompts.TaskName).Select(d => d.Id).Order());
        Assert.Equal(data.Select(d => d.Id), MultiStageRecipe.SftData(kept).Select(d => d.Id));   // reproducible
        Assert.NotEqual(kept.Select(d => d.Id).Concat(general.Select(d => d.Id)), data.Select(d => d.Id));   // shuffled
    }

    [Fact]
    public void RlRewardsRouteRulesToReasoningAndTheRewardModelToGeneral()
    {
        using var rm = new RewardModel(new GPTConfig(BaseTokenizer.VocabSize, BlockSize: 192, NLayer: 1, NHead: 2, NEmbd: 16), seed: 5);
        using (no_grad()) nn.init.normal_(rm.score.weight, 0, 1, new Generator(3));
        var set = MultiStageRecipe.RlRewards(rm, BaseTokenizer);
        Assert.Equal(["accuracy", "language_consistency", "mixed", MultiStageRecipe.RewardModelReward, MultiStageRecipe.GeneralCorrect, "format", MixedPrompts.GeneralShare],
            set.Rewards.Select(r => r.Name));
        Assert.Equal([1.0, 0.2, 0, 1.0, 0, 0.5, 0], set.Rewards.Select(r => r.Weight));
        Example[] ex = [Add, Add, Capital, Capital];
        string[] completions =
        [
            "<think>7+5=12, carry 1.</think><answer>432</answer>",
            "<think>7+5=12, carry 1, 进1，得431。</think><answer>431</answer>",   // wrong and mixed
            "<think></think><answer>The capital of Peru is Lima.</answer>",
            "<think></think><answer>The capital of Peru is Tokyo.</answer>",
        ];
        var b = set.Compute(ex, completions);
        Assert.Equal([1.0, 0, 0, 0], b["accuracy"]);
        Assert.Equal([1.0, 0, 0, 0], b["language_consistency"].Select(v => v == 1.0 ? 1.0 : 0).ToArray());
        Assert.InRange(b["language_consistency"][1], 0.01, 0.9);
        Assert.Equal([0.0, 1, 0, 0], b["mixed"]);
        Assert.Equal([0.0, 0, 1, 0], b[MultiStageRecipe.GeneralCorrect]);
        Assert.Equal([1.0, 1, 1, 1], b["format"]);
        Assert.Equal([0.0, 0], b[MultiStageRecipe.RewardModelReward][..2]);
        Assert.Equal(rm.Score(BaseTokenizer, Capital.Prompt, completions[2]), b[MultiStageRecipe.RewardModelReward][2], 5);
        Assert.Equal(rm.Score(BaseTokenizer, Capital.Prompt, completions[3]), b[MultiStageRecipe.RewardModelReward][3], 5);
        Assert.NotEqual(b[MultiStageRecipe.RewardModelReward][2], b[MultiStageRecipe.RewardModelReward][3], 6);
        // the reference score averages the preferred completions of exactly the general test prompts of the table
        var reference = GeneralPrompts.Load("test").Take(MultiStageRecipe.TestSets(quick: true).General.Count).ToList();
        Assert.Equal(reference.Average(d => rm.Score(BaseTokenizer, d.Example.Prompt, d.Completion)), MultiStageRecipe.ReferenceScore(rm, BaseTokenizer, quick: true), 5);
    }

    [Fact]
    public void ConditionalDividesARoutedMeanByTheShareOfItsPrompts()
    {
        var h = new RunHistory();
        // step 1: half the batch general; step 2: no general prompt; step 3: all general
        h.Add(1, new Dictionary<string, double> { ["rewards/accuracy/mean"] = 0.2, ["rewards/reward_model/mean"] = 0.6, ["rewards/general_share/mean"] = 0.5 });
        h.Add(2, new Dictionary<string, double> { ["rewards/accuracy/mean"] = 0.7, ["rewards/reward_model/mean"] = 0.0, ["rewards/general_share/mean"] = 0.0 });
        h.Add(3, new Dictionary<string, double> { ["rewards/accuracy/mean"] = 0.0, ["rewards/reward_model/mean"] = -1.5, ["rewards/general_share/mean"] = 1.0 });
        Assert.Equal([0.4, 0.7, double.NaN], MultiStageRecipe.Conditional(h, "accuracy", general: false));
        Assert.Equal([1.2, double.NaN, -1.5], MultiStageRecipe.Conditional(h, "reward_model", general: true));
        var e = new RunHistory();
        e.Add(0, new Dictionary<string, double> { ["eval/rewards/accuracy/mean"] = 0.3, ["eval/rewards/general_share/mean"] = 0.25 });
        Assert.Equal(0.4, MultiStageRecipe.Conditional(e, "accuracy", general: false, prefix: "eval/")[0], 12);
        Assert.Throws<KeyNotFoundException>(() => MultiStageRecipe.Conditional(h, "helpfulness", general: true));
    }

    [Fact]
    public void StageEvaluationScoresHandWrittenCompletions()
    {
        var en = new Example("wordproblems/test/a", "wordproblems", "en", PromptTemplate.Format("A box holds 32 pears. How many in 5 boxes?"), "160", "box", [32, 5]);
        var zh = new Example("wordproblems/test/b", "wordproblems", "zh", PromptTemplate.Format("一本书27元，买9本要多少元？"), "243", "price", [27, 9]);
        string Ok(string a) => $"<think>work.</think><answer>{a}</answer>";
        var arith = new EvalReport([new SampledExample(Add, [Ok("432"), "<answer>1</answer>"], [true, false])], 2, 1f);
        var words = new EvalReport(
        [
            new SampledExample(en, [Ok("160"), Ok("150")], [true, false]),
            new SampledExample(zh, ["<think>27乘9得243。</think><answer>243</answer>", "<think>27 times 9 is 243.</think><answer>243</answer>"], [true, true]),
        ], 2, 1f);
        (Example, string)[] general =
        [
            (Capital, "<think></think><answer>The capital of Peru is Lima.</answer>"),   // right, direct
            (Capital, "<think>hmm.</think><answer>Lima.</answer>"),                    // right, with a thought
            (Capital, "<think></think><answer>Tokyo.</answer>"),                       // wrong, direct
            (Capital, "Lima"),                                                         // no answer block
        ];
        var s = new StageEvaluation("toy", arith, words, general, [1f, 2f, 3f, -2f]);
        Assert.Equal(0.5, s.WordsPassAt1("en"));
        Assert.Equal(1.0, s.WordsPassAt1("zh"));
        Assert.Equal(0.5, s.GeneralCorrect);
        Assert.Equal(0.5, s.GeneralNoThought);
        Assert.Equal(1.0, s.GeneralRewardModel);
        Assert.Equal(5 / 6.0, s.Reasoning.FormatRate, 12);          // 5 of the 6 reasoning completions are formatted
        Assert.Equal(1 / 6.0, s.Reasoning.MixedRate, 12);           // the English thought of the Chinese problem
        var table = MultiStageRecipe.ScoreTable([s, s with { Name = "again" }]);
        Assert.Equal(2, table.Rows);
        Assert.Equal(["model", "arithmetic", "word en", "word zh", "format", "lang-mixed", "length", "general ok", "general RM", "general no-CoT"], table.ColumnNames);
        Assert.Equal(0.5, table.Column<double>("arithmetic")[0]);
    }
}

/// <summary>
/// The stage getters against a temporary runs folder (R1_RUNS is process-wide, so this runs in the non-parallel
/// collection). Tiny settings make producing every stage take seconds.
/// </summary>
[Collection(NotebookCollection.Name)]
public class MultiStageStagesTests
{
    static MultiStageSettings Tiny() => new()
    {
        RewardModel = new RewardModelConfig { Steps = 2, BatchSize = 2, EvalInterval = 0 },
        Rejection = new RejectionSamplingConfig { SamplesPerPrompt = 2, MaxKeptPerPrompt = 1, MaxCompletionTokens = 24 },
        RejectionPromptsPerTask = 2,
        Sft = new TrainConfig { Steps = 2, BatchSize = 4, WarmupSteps = 0, EvalInterval = 0 },
        Rl = new GrpoConfig { Steps = 1, NumGenerations = 2, PromptsPerStep = 2, MaxCompletionLength = 24, NumIterations = 1, EvalInterval = 0 },
    };

    [Fact]
    public void ProducesEveryMissingStageThenLoadsWithoutRetraining()
    {
        var previous = Environment.GetEnvironmentVariable("R1_RUNS");
        var root = Directory.CreateTempSubdirectory("r1-multistage-tests-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("R1_RUNS", root);
            // The rejection-sampling source (notebook 03's reasoning-RL stage) must already exist, or it would be trained here:
            // a tiny random policy with the book's tokenizer.
            var tokenizer = Checkpoint.LoadModel(BaseModel.DefaultDirectory).Tokenizer;
            using (var source = new GPT(new GPTConfig(tokenizer.VocabSize, 192, 1, 2, 16), seed: 1))
                Checkpoint.Save(Stages.CheckpointDir(Stages.ReasoningRlStage, quick: true), source, tokenizer);
            string[] mine = [Stages.R1SftStage, Stages.RewardModelStage, Stages.R1Stage];
            Assert.All(mine, s => Assert.False(Stages.Exists(s, quick: true)));

            var (r1, _) = Stages.FinalR1(quick: true, Tiny());
            Assert.All(mine, s => Assert.True(Stages.Exists(s, quick: true), s));
            Assert.False(Stages.Exists(Stages.R1Stage, quick: false));
            var sftDir = Stages.Dir(Stages.R1SftStage, quick: true);
            foreach (var f in new[] { MultiStageRecipe.RejectionFile, MultiStageRecipe.SftDataFile, "metrics.csv" })
                Assert.True(File.Exists(Path.Combine(sftDir, f)), f);
            Assert.True(File.Exists(Path.Combine(Stages.Dir(Stages.R1Stage, quick: true), "metrics.csv")));
            Assert.True(File.Exists(Path.Combine(Stages.Dir(Stages.RewardModelStage, quick: true), "eval.csv")));
            // SFT started from the base model, not from the tiny source
            Assert.Equal(Checkpoint.Load(BaseModel.DefaultDirectory).Config, Checkpoint.Load(Stages.CheckpointDir(Stages.R1SftStage, true)).Config);

            var written = mine.ToDictionary(s => s, s => File.GetLastWriteTimeUtc(Path.Combine(Stages.CheckpointDir(s, true), Checkpoint.ModelFile)));
            var (sft, _) = Stages.R1Sft(quick: true);
            var (rm, _) = Stages.GeneralRewardModel(quick: true);
            var (again, _) = Stages.FinalR1(quick: true);
            Assert.All(mine, s => Assert.Equal(written[s], File.GetLastWriteTimeUtc(Path.Combine(Stages.CheckpointDir(s, true), Checkpoint.ModelFile))));
            Assert.Equal(r1.named_parameters().First().parameter.ToArray<float>(), again.named_parameters().First().parameter.ToArray<float>());
            Assert.Equal(sft.Config, again.Config);
            Assert.Equal(sft.Config.NEmbd, rm.Config.NEmbd);      // the reward model's trunk is the base model's
            foreach (var m in new IDisposable[] { r1, sft, rm, again }) m.Dispose();
        }
        finally
        {
            Environment.SetEnvironmentVariable("R1_RUNS", previous);
            Directory.Delete(root, recursive: true);
        }
    }
}
