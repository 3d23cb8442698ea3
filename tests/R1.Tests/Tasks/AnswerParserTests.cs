using R1.Tasks;

namespace R1.Tests.Tasks;

public class AnswerParserTests
{
    [Theory]
    [InlineData("<think>x</think><answer>432</answer>", "432")]
    [InlineData("<answer>1</answer> then <answer>2</answer>", "2")]           // repeated: the last block counts
    [InlineData("<answer><answer>5</answer></answer>", "5")]                  // nested: the innermost last block
    [InlineData("<answer>  7 \n</answer>", "7")]                              // trimmed
    [InlineData("<answer></answer>", "")]                                     // empty but closed
    [InlineData("</answer><answer>3</answer>", "3")]
    public void ExtractsLastClosedAnswer(string completion, string expected) =>
        Assert.Equal(expected, AnswerParser.ExtractAnswer(completion));

    [Theory]
    [InlineData("")]
    [InlineData("432")]                                    // no tags
    [InlineData("<answer>432")]                            // never closed
    [InlineData("<answer>432</answer><answer>5")]          // the last <answer> is not closed: no answer
    [InlineData("</answer>9<answer>")]
    public void NoAnswerWithoutClosedLastBlock(string completion) => Assert.Null(AnswerParser.ExtractAnswer(completion));

    [Fact]
    public void NullCompletionHasNoAnswer() => Assert.Null(AnswerParser.ExtractAnswer(null));

    [Theory]
    [InlineData("432", 432)]
    [InlineData("1,234", 1234)]
    [InlineData("1,234,567.5", 1234567.5)]
    [InlineData("-3/4", -0.75)]
    [InlineData("3/4", 0.75)]
    [InlineData("0.75", 0.75)]
    [InlineData("+8", 8)]
    [InlineData("x = -5", -5)]
    [InlineData("负12", -12)]
    [InlineData("－５", -5)]            // full-width minus and digit
    [InlineData("\u22127", -7)]        // U+2212 MINUS SIGN
    [InlineData("４３２", 432)]         // full-width digits
    [InlineData("３．５", 3.5)]         // full-width decimal point
    [InlineData("135 km", 135)]
    [InlineData("得135。", 135)]
    [InlineData("the answer is 432 apples", 432)]
    [InlineData("432 = 432", 432)]     // the same value twice is still one answer
    public void ParsesSingleNumbers(string text, double expected)
    {
        Assert.True(AnswerParser.TryParseNumber(text, out var v, out var reason), reason);
        Assert.Equal(expected, v, 9);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("四百三十二", "no number")]    // Chinese numerals are not read
    [InlineData("12 or 13", "several")]
    [InlineData("12-5", "several")]            // '-' after a digit is an operator: 12 and 5
    [InlineData("1,23", "several")]            // not a thousands group: 1 and 23
    [InlineData("3/0", "too large")]            // x/0 is unusable
    [InlineData("1234567890123456", "too large")] // 16 digits
    public void RejectsUnusableAnswers(string text, string reasonPart)
    {
        Assert.False(AnswerParser.TryParseNumber(text, out _, out var reason));
        Assert.Contains(reasonPart, reason);
    }

    [Fact]
    public void ToleranceIsRelativeOneInAMillion()
    {
        Assert.True(AnswerParser.NumbersEqual(0.3333333, 1.0 / 3));   // |diff| ≈ 3.3e-8 ≤ 1e-6
        Assert.False(AnswerParser.NumbersEqual(0.33, 1.0 / 3));       // |diff| ≈ 3.3e-3
        Assert.True(AnswerParser.NumbersEqual(1_000_000.5, 1_000_000)); // 0.5 ≤ 1e-6 · 1e6 = 1
        Assert.False(AnswerParser.NumbersEqual(432, 431));
    }

    [Fact]
    public void EnormousInputsAreLinearAndSafe()
    {
        var huge = new string('9', 10_000);
        Assert.False(AnswerParser.TryParseNumber(huge, out _, out var reason));
        Assert.Contains("too large", reason);
        var commas = string.Concat(Enumerable.Repeat("1,000", 2000)); // "1,0001,000…": one long weird token
        Assert.False(AnswerParser.TryParseNumber(commas, out _, out _));
    }
}
