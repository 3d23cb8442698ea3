using R1.Tasks;

namespace R1.Tests.Tasks;

public class VerifierTests
{
    static readonly Example Add = new("t-add", "arithmetic", "en", "Q: 347+85=?\nA: ", "432", "add", [347, 85]);
    static readonly Example Cd = new("t-cd", "countdown", "en", "Q: make 46 from 3 7 25\nA: ", "25+3*7", "n3", [3, 7, 25], 46);

    [Theory]
    [InlineData("<think>7+5=12</think><answer>432</answer>", true)]
    [InlineData("<answer>431</answer><answer>432</answer>", true)]   // last block wins
    [InlineData("<answer>432</answer><answer>431</answer>", false)]
    [InlineData("<answer><answer>432</answer></answer>", true)]      // nested: innermost last
    [InlineData("<answer>the answer is 432 apples</answer>", true)]
    [InlineData("<answer>４３２</answer>", true)]
    [InlineData("<answer>432.0</answer>", true)]
    [InlineData("<answer>1,432</answer>", false)]
    [InlineData("<answer>432 or 431</answer>", false)]               // hedging is wrong
    [InlineData("<answer>四百三十二</answer>", false)]                // Chinese numerals unsupported: wrong, not an error
    public void NumericVerdicts(string completion, bool correct)
    {
        var v = Verifiers.Numeric(Add, completion);
        Assert.Equal(correct, v.Correct);
        Assert.True(v.HasAnswer);
    }

    [Theory]
    [InlineData("", "no <answer>")]
    [InlineData("432", "no <answer>")]
    [InlineData("<answer>432", "not closed")]
    [InlineData("<answer>432</answer><answer>", "not closed")]
    [InlineData("<answer>   </answer>", "empty")]
    public void NumericWithoutAnswer(string completion, string reasonPart)
    {
        var v = Verifiers.Numeric(Add, completion);
        Assert.False(v.Correct);
        Assert.False(v.HasAnswer);
        Assert.Contains(reasonPart, v.Reason);
    }

    [Theory]
    [InlineData("<answer>25+3*7</answer>", true, "correct")]
    [InlineData("<answer>3*7+25</answer>", true, "correct")]
    [InlineData("<answer>25 + 3 × 7 = 46</answer>", true, "correct")]       // "= target" accepted
    [InlineData("<answer>25+3*7=47</answer>", false, "not the target")]
    [InlineData("<answer>46=25+3*7</answer>", false, "not the target")]
    [InlineData("<answer>25+3*7=46=46</answer>", false, "more than one '='")]
    [InlineData("<answer>25+7+7+7</answer>", false, "uses 7 more than once")]
    [InlineData("<answer>25+21</answer>", false, "21 is not one of")]      // equals 46 but 21 is not given
    [InlineData("<answer>25*7</answer>", false, "does not use 3")]          // each number exactly once
    [InlineData("<answer>25-3-7</answer>", false, "equals 15, not 46")]
    [InlineData("<answer>25+3/7</answer>", false, "equals 178/7, not 46")]  // 25 + 3/7 = 178/7
    [InlineData("<answer>25+3*7/0</answer>", false, "division by zero")]
    [InlineData("<answer>(25+3*7</answer>", false, "missing ')'")]
    [InlineData("<answer>import os</answer>", false, "unexpected 'i'")]
    [InlineData("<answer>46</answer>", false, "46 is not one of")]
    public void CountdownVerdicts(string completion, bool correct, string reasonPart)
    {
        var v = Verifiers.Countdown(Cd, completion);
        Assert.Equal(correct, v.Correct);
        Assert.True(v.HasAnswer);
        Assert.Contains(reasonPart, v.Reason);
    }

    [Fact]
    public void CountdownHandlesRepeatedGivenNumbersAndFractions()
    {
        var twoSixes = new Example("t2", "countdown", "en", "Q: make 66 from 21 6 6 11\nA: ", "6+(21-11)*6", "n4", [21, 6, 6, 11], 66);
        Assert.True(Verifiers.Countdown(twoSixes, "<answer>6+(21-11)*6</answer>").Correct);
        Assert.Contains("uses 6 4 times, given 2", Verifiers.Countdown(twoSixes, "<answer>6+(21-11)*6+6-6</answer>").Reason);
        var frac = new Example("t3", "countdown", "en", "Q: make 7 from 7 2 2\nA: ", "7/2*2", "n3", [7, 2, 2], 7);
        Assert.True(Verifiers.Countdown(frac, "<answer>7/2*2</answer>").Correct);       // 7/2 = 3.5, then *2 = 7 exactly
        Assert.Contains("7/4", Verifiers.Countdown(frac, "<answer>7/(2*2)</answer>").Reason);
    }

    [Fact]
    public void AdversarialCompletionsNeverThrow()
    {
        var rng = new Rng(99);
        var garbage = new string(Enumerable.Range(0, 10_000).Select(_ => (char)rng.NextInt(32, 0x9FFF)).ToArray());
        string[] hostile =
        [
            "", "   ", garbage, "<answer>" + garbage + "</answer>",
            "<answer>" + new string('9', 10_000) + "</answer>",
            "<answer>" + string.Concat(Enumerable.Repeat("1+", 5000)) + "1</answer>",
            "<answer>" + new string('(', 5000) + "</answer>",
            string.Concat(Enumerable.Repeat("<answer>", 3000)) + "1" + string.Concat(Enumerable.Repeat("</answer>", 3000)),
            "<think><answer>1</think></answer>", "<answer>1</answer></answer></answer>",
            "<answer>答案是：四十六</answer>", "<answer>NaN</answer>", "<answer>Infinity</answer>", "<answer>1e999</answer>",
            "<answer>\0\u0001\uFFFF</answer>", "<answer>\uD800</answer>",
        ];
        foreach (var c in hostile)
        {
            var n = Verifiers.Numeric(Add, c);
            var d = Verifiers.Countdown(Cd, c);
            Assert.False(n.Correct && c.Length > 100, "garbage must not be judged correct");
            Assert.False(d.Correct);
        }
        Assert.False(Verifiers.Numeric(Add, null).HasAnswer);
    }

    [Fact]
    public void DataErrorsInTheExampleAreReportedClearly()
    {
        var bad = Add with { Answer = "four hundred" };
        var e = Assert.Throws<ArgumentException>(() => Verifiers.Numeric(bad, "<answer>1</answer>"));
        Assert.Contains("t-add", e.Message);
        Assert.Throws<ArgumentException>(() => Verifiers.Countdown(Add, "<answer>1</answer>"));
        Assert.Throws<ArgumentException>(() => TaskRegistry.Get("chess"));
    }
}
