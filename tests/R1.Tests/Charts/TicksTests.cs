using R1.Charts;

namespace R1.Tests.Charts;

public class TicksTests
{
    [Theory]
    [InlineData(0, 10, 5, new[] { 0.0, 2, 4, 6, 8, 10 })]
    [InlineData(0, 1, 5, new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [InlineData(-0.5, 10.5, 10, new[] { 0.0, 2, 4, 6, 8, 10 })]
    [InlineData(3, 97, 6, new[] { 20.0, 40, 60, 80 })]
    [InlineData(-1, 1, 4, new[] { -1.0, -0.5, 0, 0.5, 1 })]
    public void LinearTicksUseOneTwoFiveSteps(double min, double max, int count, double[] expected) =>
        Assert.Equal(expected, Ticks.Linear(min, max, count).Values);

    [Theory]
    [InlineData(0.30000000000000004, 0.1, "0.3")]
    [InlineData(-2, 1, "\u22122")]
    [InlineData(25000, 5000, "25k")]
    [InlineData(1500000, 500000, "1.5M")]
    [InlineData(0.00002, 0.00001, "2e-5")]
    [InlineData(0, 0.2, "0")]
    [InlineData(120, 20, "120")]
    public void TickLabelsFitTheStep(double value, double step, string expected) =>
        Assert.Equal(expected, Ticks.Format(value, step));

    [Fact]
    public void LogTicksShowDecades()
    {
        Assert.Equal(new[] { 0.0, 1, 2, 3 }, Ticks.Log(0, 3));
        Assert.Equal(new[] { 0.0, Math.Log10(2), Math.Log10(5), 1 }, Ticks.Log(0, 1));
        Assert.Equal("0.01", Ticks.FormatLog(-2));
        Assert.Equal("100k", Ticks.FormatLog(5));
    }
}
