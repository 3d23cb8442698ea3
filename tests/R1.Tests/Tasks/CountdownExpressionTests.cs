using R1.Tasks;

namespace R1.Tests.Tasks;

public class CountdownExpressionTests
{
    [Theory]
    [InlineData("25+3*7", 46, 1)]        // precedence: 3*7 first
    [InlineData("(25+3)*7", 196, 1)]
    [InlineData("10-2-3", 5, 1)]         // left associative: (10-2)-3
    [InlineData("24/4/2", 3, 1)]         // (24/4)/2
    [InlineData("7/2*2", 7, 1)]          // exact fractions: 7/2 then *2
    [InlineData("7/(2*2)", 7, 4)]
    [InlineData("(1+2)/3", 1, 1)]
    [InlineData(" 2 x 3 × 4 ÷ 2 ", 12, 1)] // x, ×, ÷ and spaces
    [InlineData("（2+3）＊4", 20, 1)]       // full-width brackets and star
    [InlineData("2-7", -5, 1)]           // negative results are values like any other
    public void EvaluatesExactly(string expr, long num, long den)
    {
        var r = CountdownExpression.Evaluate(expr);
        Assert.True(r.Ok, r.Error);
        Assert.Equal((num, den), (r.Numerator, r.Denominator));
    }

    [Fact]
    public void RecordsNumbersAndSteps()
    {
        var r = CountdownExpression.Evaluate("6+(21-11)*6");
        Assert.Equal([6, 21, 11, 6], r.NumbersUsed);
        Assert.Equal(["21-11=10", "10*6=60", "6+60=66"], r.Steps);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("8/0", "division by zero")]
    [InlineData("8/(3-3)", "division by zero")]
    [InlineData("-3+5", "unexpected '-'")]          // no unary minus
    [InlineData("(2+3", "missing ')'")]
    [InlineData("2+", "ends where a number")]
    [InlineData("2 3", "unexpected '3'")]
    [InlineData("import os", "unexpected 'i'")]
    [InlineData("1.5*2", "unexpected '.'")]         // integers only
    [InlineData("2**10", "unexpected '*'")]         // no power operator
    [InlineData("99999*99999", "runaway magnitude")] // 9,999,800,001 > 1e9
    [InlineData("1/99999/99999", "runaway magnitude")] // denominator > 1e9
    [InlineData("1234567890+1", "number too long")]
    [InlineData("((((((((((((((1))))))))))))))", "nested deeper")]
    public void RejectsBadExpressions(string expr, string errorPart)
    {
        var r = CountdownExpression.Evaluate(expr);
        Assert.False(r.Ok);
        Assert.Contains(errorPart, r.Error);
        Assert.True(double.IsNaN(r.Value));
    }

    [Fact]
    public void RejectsOverlongExpressions()
    {
        var r = CountdownExpression.Evaluate(string.Concat(Enumerable.Repeat("1+", 5000)) + "1");
        Assert.False(r.Ok);
        Assert.Contains("too long", r.Error);
    }
}
