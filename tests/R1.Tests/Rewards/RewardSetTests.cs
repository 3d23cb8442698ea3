using R1.Rewards;
using R1.Tasks;

namespace R1.Tests.Rewards;

public class RewardSetTests
{
    static readonly Example Add = new("t-add", "arithmetic", "en", "Q: 347+85=?\nA: ", "432", "add", [347, 85]);

    [Fact]
    public void WeightedTotalsAndMetrics()
    {
        var set = new RewardSet(Reward.Accuracy(), Reward.Format(weight: 0.5));
        string[] completions = ["<think>a</think><answer>432</answer>", "<think>a</think><answer>431</answer>", "<answer>432</answer>"];
        var b = set.Compute([Add, Add, Add], completions);
        // accuracy [1, 0, 1], format [1, 1, 0]; totals 1 + 0.5, 0 + 0.5, 1 + 0 = [1.5, 0.5, 1.0].
        Assert.Equal([1.5, 0.5, 1.0], b.Total);
        Assert.Equal([1.0, 0.0, 1.0], b["accuracy"]);
        Assert.Equal([1.0, 1.0, 0.0], b["format"]);
        var m = b.Metrics();
        Assert.Equal(1.0, m["reward"], 12);                          // (1.5 + 0.5 + 1) / 3
        Assert.Equal(2.0 / 3, m["rewards/accuracy/mean"], 12);
        // sample std of [1, 0, 1]: mean 2/3, squares 1/9 + 4/9 + 1/9 = 6/9, / (3 − 1) = 1/3 → √(1/3).
        Assert.Equal(Math.Sqrt(1.0 / 3), m["rewards/accuracy/std"], 12);
        Assert.Equal(2.0 / 3, m["rewards/format/mean"], 12);
        Assert.Equal(5, m.Count);
        Assert.Throws<KeyNotFoundException>(() => b["missing"]);
    }

    [Fact]
    public void UserLambdaRewards()
    {
        var brevity = Reward.From("brevity", (ex, c) => c.Length < 25 ? 1 : 0, weight: 0.2);
        var b = new RewardSet(brevity).Compute([Add, Add], ["<answer>432</answer>", "<think>long long long</think><answer>432</answer>"]);
        Assert.Equal([0.2, 0.0], b.Total);
        Assert.Equal("rewards/brevity/mean", b.Metrics().Keys.Single(k => k.EndsWith("/mean")));
    }

    [Fact]
    public void ThrowingRewardNamesRewardExamplePromptAndCompletion()
    {
        var boom = Reward.From("boom", (ex, c) => c.Contains("bad") ? throw new InvalidOperationException("kaput") : 1);
        var set = new RewardSet(Reward.Format(), boom);
        var longBad = "bad" + new string('z', 1000);
        var e = Assert.Throws<RewardException>(() => set.Compute([Add, Add], ["<answer>1</answer>", longBad]));
        Assert.Equal("boom", e.RewardName);
        Assert.Equal("t-add", e.ExampleId);
        Assert.Equal(longBad, e.Completion);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("Reward 'boom'", e.Message);
        Assert.Contains("'t-add'", e.Message);
        Assert.Contains("kaput", e.Message);
        Assert.Contains("Q: 347+85=?\\nA: ", e.Message);                      // prompt, newline escaped
        Assert.Contains("bad" + new string('z', 297) + "… (703 more chars)", e.Message); // first 300 chars shown
    }

    [Fact]
    public void NonFiniteRewardIsAnError()
    {
        var nan = Reward.From("nan", (ex, c) => double.NaN);
        var e = Assert.Throws<RewardException>(() => new RewardSet(nan).Compute([Add], ["x"]));
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void BuiltinOnTheWrongTaskIsAReportedError()
    {
        var e = Assert.Throws<RewardException>(() => new RewardSet(Reward.Countdown()).Compute([Add], ["<answer>1</answer>"]));
        Assert.Equal("countdown", e.RewardName);
        Assert.Contains("not a Countdown example", e.Message);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new RewardSet());
        Assert.Throws<ArgumentException>(() => new RewardSet(Reward.Accuracy(), Reward.Accuracy(2)));
        Assert.Throws<ArgumentException>(() => new RewardSet(Reward.Accuracy()).Compute([Add], []));
        Assert.Throws<ArgumentException>(() => Reward.From("has space", (e, c) => 0));
        Assert.Throws<ArgumentException>(() => Reward.From("a/b", (e, c) => 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Reward.From("w", (e, c) => 0, double.NaN));
    }
}
