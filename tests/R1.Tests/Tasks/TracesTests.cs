using R1.Rewards;
using R1.Tasks;

namespace R1.Tests.Tasks;

public class TracesTests
{
    static Example Arith(int a, char op, int b, string kind, int answer) =>
        new("t", "arithmetic", "en", PromptTemplate.Format($"{a}{op}{b}=?"), answer.ToString(), kind, [a, b]);

    static string Steps(Example ex) => Traces.Write(ex, TraceStyle.Steps, new Rng(1));

    [Fact]
    public void AdditionColumnByColumnWithCarries() =>
        // 7+5=12 → write 2 carry 1; 4+8+1=13 → 32 carry 1; 3+0+1=4 → 432.
        Assert.Equal("<think>7+5=12, carry 1, got 2. 4+8+1=13, carry 1, got 32. 3+0+1=4, got 432.</think><answer>432</answer>",
            Steps(Arith(347, '+', 85, "add", 432)));

    [Fact]
    public void AdditionWithTheShorterNumberFirstAndAFinalCarry()
    {
        Assert.Equal("<think>5+7=12, carry 1, got 2. 8+4+1=13, carry 1, got 32. 0+3+1=4, got 432.</think><answer>432</answer>",
            Steps(Arith(85, '+', 347, "add", 432)));
        // 95+17: 5+7=12 → 2 carry 1; 9+1+1=11 is the last column, written whole → 112.
        Assert.Equal("<think>5+7=12, carry 1, got 2. 9+1+1=11, got 112.</think><answer>112</answer>",
            Steps(Arith(95, '+', 17, "add", 112)));
    }

    [Fact]
    public void SubtractionWithBorrows()
    {
        // 7-5=2; 4-8 needs a borrow: 14-8-0=6; 3-0-1=2.
        Assert.Equal("<think>7-5=2, borrow 0, got 2. 14-8-0=6, borrow 1, got 62. 3-0-1=2, got 262.</think><answer>262</answer>",
            Steps(Arith(347, '-', 85, "sub", 262)));
        // 105-98: 15-8=7; 0-9-1 borrows again: 10-9-1=0; 1-0-1=0, leading zeros dropped → 7.
        Assert.Equal("<think>15-8=7, borrow 1, got 7. 10-9-1=0, borrow 1, got 07. 1-0-1=0, got 7.</think><answer>7</answer>",
            Steps(Arith(105, '-', 98, "sub", 7)));
    }

    [Fact]
    public void MultiplicationByOneDigit() =>
        // 7*6=42 → 2 carry 4; 4*6+4=28 → 282.
        Assert.Equal("<think>7*6=42, carry 4, got 2. 4*6+4=28, got 282.</think><answer>282</answer>",
            Steps(Arith(47, '*', 6, "mul", 282)));

    [Fact]
    public void ChineseWordProblem()
    {
        var ex = new Example("t", "wordproblems", "zh", PromptTemplate.Format("汽车每小时行45千米，3小时行多少千米？"), "135", "speed", [45, 3]);
        Assert.Equal("<think>路程=速度*时间=45*3。5*3=15，进1，得5。4*3+1=13，得135。</think><answer>135</answer>", Steps(ex));
        Assert.Equal("路程=速度*时间=45*3。5*3=15，进1，得5。4*3+1=13，得135。所以135", Traces.Write(ex, TraceStyle.PlainSteps, new Rng(1)));
    }

    [Fact]
    public void VerificationAppendsTheInverseOperation()
    {
        var t = Traces.Write(Arith(347, '+', 85, "add", 432), TraceStyle.Verification, new Rng(1));
        Assert.EndsWith("got 432. let me check: 432-85=347, ok.</think><answer>432</answer>", t);
        var m = Traces.Write(Arith(47, '*', 6, "mul", 282), TraceStyle.Verification, new Rng(1));
        Assert.Contains("let me check: 282/6=47, ok.", m);
    }

    [Fact]
    public void SelfCorrectionSlipsOnceAndRecovers()
    {
        var ex = Arith(347, '+', 85, "add", 432);
        for (ulong seed = 0; seed < 20; seed++)
        {
            var t = Traces.Write(ex, TraceStyle.SelfCorrection, new Rng(seed));
            Assert.Equal(1, TextStats.ReflectionCount(t));
            Assert.Matches(@"(\d[+\-*]\d[+\-*\d]*)=(\d+)\. wait, \1 is (\d+), not \2\.", t);
            Assert.True(Verifiers.Numeric(ex, t).Correct, t);
        }
    }

    [Fact]
    public void CountdownTrialAndError()
    {
        var ex = new Example("t", "countdown", "en", PromptTemplate.Format("make 46 from 3 7 25"), "25+3*7", "n3", [3, 7, 25], 46);
        var t = Traces.Write(ex, TraceStyle.Verification, new Rng(5));
        Assert.EndsWith("25+3*7=46, yes. let me check: 3*7=21, 25+21=46, ok.</think><answer>25+3*7</answer>", t);
        var s = Traces.Write(ex, TraceStyle.SelfCorrection, new Rng(5));
        Assert.Matches(@"=46, yes\. wait, .+ is \d+, not 46\. no\.", s);
        Assert.True(Verifiers.Countdown(ex, s).Correct);
    }

    [Fact]
    public void WrongGuessesAreWrong()
    {
        var rng = new Rng(11);
        foreach (var task in TaskRegistry.All)
            for (int i = 0; i < 200; i++)
            {
                var ex = task.Generate(rng, "w");
                var c = Traces.Write(ex, TraceStyle.Answer, rng, correct: false);
                Assert.False(task.Verify(ex, c).Correct, $"{ex.Prompt} → {c}");
                Assert.True(task.Verify(ex, c).HasAnswer);
            }
    }
}
