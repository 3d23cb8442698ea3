using R1.Models;
using R1.Rewards;
using R1.RL;
using R1.Tasks;
using static R1.torch;

namespace R1.Tests.R1Stages;

public class MixedPromptsTests
{
    static readonly Example Add = new("a/0", "arithmetic", "en", PromptTemplate.Format("347+85=?"), "432", "add", [347, 85]);
    static readonly Example Hello = new("g/0", GeneralPrompts.TaskName, "en", PromptTemplate.Format("hello"), "Hello! How can I help you?", "greeting", []);

    [Fact]
    public void RouteSendsEachPromptToItsOwnReward()
    {
        var f = MixedPrompts.Route((e, c) => 1, (e, c) => 2);
        Assert.Equal(1, f(Add, ""));
        Assert.Equal(2, f(Hello, ""));
    }

    [Fact]
    public void RewardSetScoresReasoningByRulesAndGeneralByTheirOwnRewards()
    {
        var helpful = Reward.From("helpfulness", (e, c) => c.Contains("help") ? 3 : -1, weight: 0.5);
        var set = MixedPrompts.Rewards([Reward.Accuracy(), Reward.LanguageConsistency(0.1)], [helpful], shared: [Reward.Format()]);
        Assert.Equal(["accuracy", "language_consistency", "helpfulness", "format", MixedPrompts.GeneralShare], set.Rewards.Select(r => r.Name));
        Example[] examples = [Add, Add, Hello, Hello];
        string[] completions =
        [
            "<think>7+5=12.</think><answer>432</answer>", "<answer>431</answer>",
            "<think></think><answer>Hello! How can I help you?</answer>", "hi",
        ];
        var b = set.Compute(examples, completions);
        Assert.Equal([1.0, 0.0, 0.0, 0.0], b["accuracy"]);              // the verifier never sees a general prompt
        Assert.Equal([0.0, 0.0, 3.0, -1.0], b["helpfulness"]);
        Assert.Equal([1.0, 0.0, 1.0, 0.0], b["format"]);
        Assert.Equal([0.0, 0.0, 1.0, 1.0], b[MixedPrompts.GeneralShare]);
        Assert.Equal([1 + 0.1 + 1, 0.0, 0.5 * 3 + 1, 0.5 * -1], b.Total);
        // conditional mean over general prompts = logged mean / general share
        var m = b.Metrics();
        Assert.Equal(1.0, m["rewards/helpfulness/mean"] / m["rewards/general_share/mean"], 12);
        // unrouted, the accuracy reward fails on a general prompt (no such task) — which is why it is routed
        Assert.Throws<RewardException>(() => new RewardSet(Reward.Accuracy()).Compute([Hello], ["x"]));
    }

    [Fact]
    public void HelpfulnessReadsTheSummaryAndHarmlessnessTheWholeResponse()
    {
        var tok = Tokenizer.FromTexts([Hello.Prompt]);
        using var rm = new RewardModel(new GPTConfig(tok.VocabSize, BlockSize: 96, NLayer: 1, NHead: 2, NEmbd: 16), seed: 2);
        using (no_grad()) nn.init.normal_(rm.score.weight, 0, 1, new Generator(3));
        string plain = "<think></think><answer>Hello!</answer>", rude = "<think>go away, you fool</think><answer>Hello!</answer>";
        var help = MixedPrompts.Helpfulness(rm, tok);
        var harm = MixedPrompts.Harmlessness(rm, tok, weight: 2);
        Assert.Equal(("helpfulness", 1.0), (help.Name, help.Weight));
        Assert.Equal(("harmlessness", 2.0), (harm.Name, harm.Weight));
        Assert.Equal(help.Func(Hello, plain), help.Func(Hello, rude), 6);
        Assert.NotEqual(harm.Func(Hello, plain), harm.Func(Hello, rude), 6);
        Assert.Equal(rm.Score(tok, Hello.Prompt, rude), harm.Func(Hello, rude), 6);
    }
}
