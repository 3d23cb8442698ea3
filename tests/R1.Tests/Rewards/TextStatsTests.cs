using R1.Rewards;

namespace R1.Tests.Rewards;

public class TextStatsTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("<think>ab</think>", 4)]           // <think> a b </think>
    [InlineData("<answer>432</answer><eos>", 6)]
    [InlineData("汽车", 2)]
    [InlineData("\U0001F600", 1)]                  // one code point, two UTF-16 units
    [InlineData("<thinkx>", 8)]                    // not a special token: 8 characters
    [InlineData("<", 1)]
    public void TokenLength(string text, int expected) => Assert.Equal(expected, TextStats.TokenLength(text));

    [Fact]
    public void ThinkText()
    {
        Assert.Equal("a\nc", TextStats.ThinkText("<think>a</think>b<think>c"));   // unclosed last block runs to the end
        Assert.Equal("", TextStats.ThinkText("<think></think><answer>1</answer>"));
        Assert.Null(TextStats.ThinkText("<answer>1</answer>"));
        Assert.Equal("a1", TextStats.ThinkText("<think>a<answer>1</answer></think>"));  // markup inside is dropped
        Assert.Equal("好2", TextStats.ThinkText("<think>好<answer>2"));
        Assert.Null(TextStats.ThinkText(null));
    }

    [Fact]
    public void ReflectionCount()
    {
        // Wait, let me check, 等等, 检查, hmm → 5; "await" and "waiting" are not "wait".
        Assert.Equal(5, TextStats.ReflectionCount("Wait, let me check. await waiting 等等 检查 hmm"));
        Assert.Equal(2, TextStats.ReflectionCount("wait wait"));
        Assert.Equal(0, TextStats.ReflectionCount("7+5=12, carry 1, got 2."));
        Assert.Equal(0, TextStats.ReflectionCount(null));
    }

    [Fact]
    public void LanguageShareAndMixing()
    {
        Assert.Equal(1.0, TextStats.LanguageShare("7+5=12", "en"));                  // no letters
        Assert.Equal(5.0 / 7, TextStats.LanguageShare("carry 进位", "en"), 12);       // 5 Latin, 2 CJK
        Assert.Equal(2.0 / 7, TextStats.LanguageShare("carry 进位", "zh"), 12);
        Assert.True(TextStats.IsLanguageMixed("carry 进位", "en"));                   // 5/7 ≈ 0.71 < 0.9
        // 18 CJK letters and "ok" (2 Latin): 18/20 = 0.9, not below the threshold.
        Assert.False(TextStats.IsLanguageMixed("路程等于速度乘时间路程等于速度乘时间ok", "zh"));
        Assert.True(TextStats.IsLanguageMixed("distance is 12", "zh"));               // all in the other language
        Assert.Equal((2, 5, 0), TextStats.CountLetters("carry 进位 123 !"));
        Assert.Throws<ArgumentException>(() => TextStats.LanguageShare("x", "fr"));
    }
}
