using R1.Experiments;
using R1.Models;
using R1.Tasks;

namespace R1.Tests.Experiments;

public class BaseModelTests
{
    static readonly BaseModelRecipe Tiny = new()
    {
        NLayer = 1, NHead = 2, NEmbd = 16, BlockSize = 32,
        Train = new BaseModelRecipe().Train with { Steps = 3, BatchSize = 2, WarmupSteps = 1, EvalInterval = 3, EvalBatches = 1 },
    };

    [Fact]
    public void TrainsWhenMissingThenLoadsTheSameWeights()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"r1-base-{Guid.NewGuid():N}");
        try
        {
            var (m1, t1, trained1, _) = BaseModel.LoadOrTrain(dir, Tiny);
            Assert.True(trained1);
            Assert.True(File.Exists(Path.Combine(dir, Checkpoint.ModelFile)));
            Assert.True(File.Exists(Path.Combine(dir, "metrics.csv")));
            Assert.False(File.Exists(Path.Combine(dir, Checkpoint.OptimizerFile)));   // weights only
            Assert.Equal(16, m1.Config.NEmbd);

            var (m2, t2, trained2, _) = BaseModel.LoadOrTrain(dir, Tiny);
            Assert.False(trained2);
            Assert.Equal(t1.Tokens, t2.Tokens);
            var p1 = m1.named_parameters().ToDictionary(p => p.name, p => p.parameter.ToArray<float>());
            foreach (var (name, p) in m2.named_parameters()) Assert.Equal(p1[name], p.ToArray<float>());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TokenizerEncodesEveryTaskPrompt()
    {
        var tok = BaseModel.BuildTokenizer();
        foreach (var task in Datasets.TaskNames)
            foreach (var e in Datasets.Load(task, "test"))
                Assert.Equal(e.Prompt, tok.Decode(tok.Encode(e.Prompt)));
    }
}
