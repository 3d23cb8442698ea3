using R1.Experiments;
using R1.Tasks;

namespace R1.Tests.Experiments;

public class CompletionStatsTests
{
    static readonly Example Add = new("t-add", "arithmetic", "en", "Q: 347+85=?\nA: ", "432", "add", [347, 85]);
    static readonly Example Zh = new("t-zh", "wordproblems", "zh", "Q: 汽车每小时行45千米，3小时行多少千米？\nA: ", "135", "speed", [45, 3]);

    [Fact]
    public void CountsEachStatisticByHand()
    {
        var items = new (Example, string)[]
        {
            (Add, "<answer>432</answer>"),                                            // a guess: right, not in format
            (Add, "<think>7+5=12. wait, 7+5 is 12.</think><answer>432</answer>"),      // worked, reflective, right, format
            (Add, "<think>7+5=12，进1。</think><answer>431</answer>"),                  // worked, mixed (Chinese in an English prompt), wrong
            (Zh, "<think>it is 135. let me check: ok. wait</think><answer>135"),       // unclosed answer: no answer; 2 reflections; mixed
        };
        var s = CompletionStats.Of(items);
        Assert.Equal(4, s.Count);
        int[] lengths = [5, 1 + 24 + 1 + 1 + 3 + 1, 1 + 10 + 1 + 1 + 3 + 1, 1 + 33 + 1 + 1 + 3];   // tags are one token each
        Assert.Equal(lengths.Average(), s.MeanLength, 12);
        Assert.Equal(2 / 4.0, s.ReflectionRate);
        Assert.Equal(3 / 4.0, s.ReflectionsPerCompletion);
        Assert.Equal(2 / 4.0, s.MixedRate);
        Assert.Equal(2 / 4.0, s.WorkedRate);
        Assert.Equal(2 / 4.0, s.FormatRate);
        Assert.Equal(3 / 4.0, s.AnswerRate);
        Assert.Equal(2 / 4.0, s.Accuracy);
    }

    [Fact]
    public void EmptyAndMismatchedInputs()
    {
        var s = CompletionStats.Of([]);
        Assert.Equal(0, s.Count);
        Assert.Equal(0, s.MeanLength);
        Assert.Throws<ArgumentException>(() => CompletionStats.Of([Add], []));
    }
}
