using R1.Rewards;
using R1.Tasks;

namespace R1.Tests.Rewards;

public class RewardFunctionTests
{
    static readonly Example Add = new("t-add", "arithmetic", "en", "Q: 347+85=?\nA: ", "432", "add", [347, 85]);
    static readonly Example Zh = new("t-zh", "wordproblems", "zh", "Q: 汽车每小时行45千米，3小时行多少千米？\nA: ", "135", "speed", [45, 3]);
    static readonly Example Cd = new("t-cd", "countdown", "en", "Q: make 46 from 3 7 25\nA: ", "25+3*7", "n3", [3, 7, 25], 46);

    /// <summary>A completion of exactly <paramref name="tokens"/> tokens: think(1) + x·k + /think(1) + answer(1) + "432"(3) + /answer(1).</summary>
    static string OfLength(int tokens, string answer = "432") =>
        "<think>" + new string('x', tokens - 4 - answer.Length) + "</think><answer>" + answer + "</answer>";

    [Theory]
    [InlineData("<think>7+5=12</think><answer>432</answer>", 1.0)]
    [InlineData("<answer>432</answer>", 1.0)]      // accuracy ignores format
    [InlineData("<answer>431</answer>", 0.0)]
    [InlineData("432", 0.0)]                       // no answer block
    [InlineData("", 0.0)]
    public void Accuracy(string c, double expected) => Assert.Equal(expected, RewardFunctions.Accuracy(Add, c));

    [Theory]
    [InlineData("<think>a</think><answer>1</answer>", 1.0)]
    [InlineData("<think>a</think>\n<answer>1</answer>\n<eos>", 1.0)]            // whitespace between, trailing <eos> ignored
    [InlineData("<think></think><answer></answer>", 1.0)]                       // empty blocks are still the format
    [InlineData("<think>line1\nline2</think><answer>1</answer>", 1.0)]
    [InlineData("<answer>1</answer>", 0.0)]
    [InlineData("<think>a</think>", 0.0)]
    [InlineData("<answer>1</answer><think>a</think>", 0.0)]                     // wrong order
    [InlineData("<think>a</think><answer>1</answer><answer>2</answer>", 0.0)]   // repeated answer
    [InlineData("<think><think>a</think></think><answer>1</answer>", 0.0)]      // nested
    [InlineData("<think>a</think>so<answer>1</answer>", 0.0)]                   // text between blocks
    [InlineData("x<think>a</think><answer>1</answer>", 0.0)]                    // text before
    [InlineData("<think>a</think><answer>1</answer> and more", 0.0)]            // text after
    [InlineData("<think>a<answer>1</answer></think><answer>1</answer>", 0.0)]
    [InlineData("", 0.0)]
    public void Format(string c, double expected) => Assert.Equal(expected, RewardFunctions.Format(Add, c));

    [Theory]
    [InlineData("<think>a</think><answer>1</answer>", 1.0)]       // 4 tags once each: 4 × 0.25
    [InlineData("<think>a</think>", 0.5)]                         // 2 tags
    [InlineData("<think><think>a</think><answer>1</answer>", 0.75)] // <think> twice earns nothing: 3 × 0.25
    [InlineData("<answer>1</answer><answer>2</answer>", 0.0)]     // both answer tags twice
    [InlineData("plain text", 0.0)]
    public void TagCount(string c, double expected) => Assert.Equal(expected, RewardFunctions.TagCount(Add, c));

    [Theory]
    [InlineData("<think>7+5=12, carry 1, got 2. 4+8+1=13, carry 1, got 32. 3+0+1=4, got 432.</think>", 1.0)]  // 3 steps / 3
    [InlineData("<think>7*6=42, carry 4, got 2. 4*6+4=28, got 282.</think>", 2.0 / 3)]                       // 2 steps
    [InlineData("<think>3.5+1=4.5</think>", 1.0 / 3)]                 // a decimal point does not end the sentence
    [InlineData("<think>7+5=12，进1，得2。3+1=4，得42。</think>", 2.0 / 3)]  // "。" ends Chinese sentences
    [InlineData("<think>a=1\nb=2\nc=3\nd=4</think>", 1.0)]            // 4 steps, capped at 1
    [InlineData("<think>it is 432. sure.</think>", 0.0)]              // no computation
    [InlineData("7+5=12. 4+8=12. 3+1=4.", 0.0)]                      // outside <think>: not reasoning
    public void ReasoningSteps(string c, double expected) => Assert.Equal(expected, RewardFunctions.ReasoningSteps(3)(Add, c), 12);

    [Fact]
    public void LanguageConsistency()
    {
        // 路 程 进 得: 4 CJK letters, 0 Latin → 4/4.
        Assert.Equal(1.0, RewardFunctions.LanguageConsistency(Zh, "<think>路程=45*3。5*3=15，进1，得5。</think><answer>135</answer>"));
        // "distance" (8) + "carry" (5) Latin, 0 CJK → 0/13.
        Assert.Equal(0.0, RewardFunctions.LanguageConsistency(Zh, "<think>distance = 45*3. 5*3=15, carry 1</think><answer>135</answer>"));
        // 路 程 (2 CJK) + "carry" (5 Latin) → 2/7.
        Assert.Equal(2.0 / 7, RewardFunctions.LanguageConsistency(Zh, "<think>路程=45*3. carry 1</think>"), 12);
        // English prompt: "wait" (4 Latin) + 等 等 (2 CJK) → 4/6.
        Assert.Equal(4.0 / 6, RewardFunctions.LanguageConsistency(Add, "<think>wait 等等</think>"), 12);
        // Cyrillic counts as neither: "ok" (2) of 2 + 6 → 0.25.
        Assert.Equal(0.25, RewardFunctions.LanguageConsistency(Add, "<think>привет ok</think>"), 12);
        Assert.Equal(1.0, RewardFunctions.LanguageConsistency(Add, "<think>7+5=12</think>"));  // no letters: nothing foreign
        Assert.Equal(0.0, RewardFunctions.LanguageConsistency(Add, "<think>  </think><answer>432</answer>")); // empty thought
        Assert.Equal(0.0, RewardFunctions.LanguageConsistency(Add, "<answer>432</answer>"));   // no thought
        // Two think blocks count together: "ab" (2 Latin) and 好 (1 CJK) → 2/3 for English.
        Assert.Equal(2.0 / 3, RewardFunctions.LanguageConsistency(Add, "<think>ab</think><think>好</think>"), 12);
    }

    [Fact]
    public void CosineLengthScaling()
    {
        var cos = RewardFunctions.CosineLength(maxLength: 200);
        // L = 50: p = 0.25, cos(π/4) = √2/2. Correct: 0.5 + 0.25(1 + √2/2) = 0.926777; wrong: −0.5 − 0.25(1 + √2/2) = −0.926777.
        double c50 = 0.5 + 0.25 * (1 + Math.Sqrt(0.5));
        Assert.Equal(c50, cos(Add, OfLength(50)), 12);
        Assert.Equal(-c50, cos(Add, OfLength(50, "431")), 12);
        // L = 100: p = 0.5, cos = 0 → 0.75 and −0.75.
        Assert.Equal(0.75, cos(Add, OfLength(100)), 12);
        Assert.Equal(-0.75, cos(Add, OfLength(100, "431")), 12);
        // L ≥ maxLength clamps to p = 1: 0.5 and −0.5.
        Assert.Equal(0.5, cos(Add, OfLength(200)), 12);
        Assert.Equal(0.5, cos(Add, OfLength(500)), 12);
        Assert.Equal(-0.5, cos(Add, OfLength(500, "431")), 12);
        // Empty: wrong at length 0 → −1.
        Assert.Equal(-1.0, cos(Add, ""), 12);
    }

    [Theory]
    [InlineData("a b c a b c", 3, -1.0, -0.25)]      // trigrams abc bca cab abc: 3 unique of 4 → (1 − 3/4)·−1
    [InlineData("x x x x x", 3, -1.0, -2.0 / 3)]     // xxx ×3: 1 unique of 3
    [InlineData("A b a B", 2, -1.0, -1.0 / 3)]       // lower-cased: ab ba ab → 2 of 3
    [InlineData("a b a b a b", 2, -0.5, -0.3)]       // ab ba ab ba ab: 2 of 5 → 0.6 · −0.5
    [InlineData("好好好好", 3, -1.0, -0.5)]            // each Chinese character is a word: 2 trigrams, 1 unique
    [InlineData("a b", 3, -1.0, 0.0)]                // fewer words than n
    [InlineData("", 3, -1.0, 0.0)]
    [InlineData("one two three four", 3, -1.0, 0.0)] // no repeats
    public void RepetitionPenalty(string c, int n, double maxPenalty, double expected) =>
        Assert.Equal(expected, RewardFunctions.Repetition(n, maxPenalty)(Add, c), 12);

    [Theory]
    [InlineData(80, 0.0)]      // L ≤ 100 − 20
    [InlineData(81, -0.05)]    // (80 − 81) / 20
    [InlineData(90, -0.5)]     // (80 − 90) / 20
    [InlineData(100, -1.0)]    // (80 − 100) / 20
    [InlineData(101, -1.0)]    // beyond L_max
    public void SoftOverlong(int length, double expected) =>
        Assert.Equal(expected, RewardFunctions.SoftOverlong(maxLength: 100, cache: 20)(Add, OfLength(length)), 12);

    [Theory]
    [InlineData("<think>x</think><answer>25+3*7</answer>", 1.0)]
    [InlineData("<answer>25+7+3</answer>", 0.1)]       // equation, wrong value
    [InlineData("<answer>25+21</answer>", 0.1)]        // invalid numbers
    [InlineData("<answer>1/0</answer>", 0.1)]          // invalid expression
    [InlineData("<answer></answer>", 0.0)]             // empty: no equation
    [InlineData("25+3*7", 0.0)]                        // no answer block
    [InlineData("<answer>25+3*7", 0.0)]                // unclosed
    public void CountdownScore(string c, double expected) => Assert.Equal(expected, RewardFunctions.Countdown(Cd, c));

    public static TheoryData<string, string, double, double, double, double> Adversarial()
    {
        var rng = new Rng(4);
        var garbage = new string(Enumerable.Range(0, 10_000).Select(_ => (char)rng.NextInt(32, 0x9FFF)).Where(c => c != '<').ToArray());
        return new()
        {
            // name, completion, accuracy, format, tag count, language consistency (English prompt)
            { "nested", "<answer><answer>432</answer></answer>", 1.0, 0.0, 0.0, 0.0 },              // innermost last block is 432; both answer tags twice
            { "repeated", "<think>a</think><answer>431</answer><answer>432</answer>", 1.0, 0.0, 0.5, 1.0 }, // last block wins; only the think tags count
            { "several", "<think>a</think><answer>431 or 432</answer>", 0.0, 1.0, 1.0, 1.0 },        // two values: wrong
            { "enormous", "<think>a</think><answer>" + new string('9', 10_000) + "</answer>", 0.0, 1.0, 1.0, 1.0 },
            { "empty", "", 0.0, 0.0, 0.0, 0.0 },
            { "wrong-language", "<think>答案</think><answer>四百三十二</answer>", 0.0, 1.0, 1.0, 0.0 }, // Chinese numerals unread; 2 CJK of 2 letters
            { "garbage", garbage, 0.0, 0.0, 0.0, 0.0 },
            { "unclosed", "<think>7+5=12, carry 1<answer>432", 0.0, 0.0, 0.5, 1.0 },               // no </think>, no </answer>; thought runs to the end
            { "unclosed-zh", "<think>进位<answer>432", 0.0, 0.0, 0.5, 0.0 },                      // thought 进位432: 2 CJK letters, the tag is not a word
        };
    }

    [Theory]
    [MemberData(nameof(Adversarial))]
    public void AdversarialCompletionsGetDefinedScores(string name, string c, double accuracy, double format, double tags, double language)
    {
        Assert.True(name.Length > 0);
        Assert.Equal(accuracy, RewardFunctions.Accuracy(Add, c));
        Assert.Equal(format, RewardFunctions.Format(Add, c));
        Assert.Equal(tags, RewardFunctions.TagCount(Add, c));
        Assert.Equal(language, RewardFunctions.LanguageConsistency(Add, c), 12);
    }

    [Fact]
    public void BuiltinsGiveDefinedScoresOnAdversarialText()
    {
        var rng = new Rng(3);
        var garbage = new string(Enumerable.Range(0, 10_000).Select(_ => (char)rng.NextInt(32, 0x9FFF)).ToArray());
        string[] hostile = ["", garbage, "<think>" + garbage, "<answer>" + new string('9', 10_000) + "</answer>",
            string.Concat(Enumerable.Repeat("<think>", 2000)), "<think>a</think><answer>1</answer><eos><eos><pad>"];
        var set = new RewardSet(Reward.Accuracy(), Reward.Format(), Reward.TagCount(), Reward.ReasoningSteps(),
            Reward.LanguageConsistency(), Reward.CosineLength(), Reward.Repetition(), Reward.SoftOverlong(200, 50));
        foreach (var ex in new[] { Add, Zh, Cd })
        {
            var batch = set.Compute(hostile.Select(_ => ex).ToArray(), hostile);
            Assert.All(batch.Total, t => Assert.True(double.IsFinite(t)));
        }
        // The garbage thought is long: soft overlong says −1, cosine says −0.5 (wrong and long).
        Assert.Equal(-1.0, RewardFunctions.SoftOverlong(200, 50)(Add, garbage));
        Assert.Equal(-0.5, RewardFunctions.CosineLength(200)(Add, garbage), 12);
    }

    [Fact]
    public void InvalidParametersAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardFunctions.Repetition(3, maxPenalty: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardFunctions.Repetition(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardFunctions.SoftOverlong(100, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardFunctions.SoftOverlong(100, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardFunctions.CosineLength(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardFunctions.ReasoningSteps(0));
    }
}
