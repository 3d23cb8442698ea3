namespace R1.Tests;

public class SmokeTests
{
    [Fact]
    public void LibraryLoads() => Assert.Equal("R1", typeof(R1.Display.Output).Assembly.GetName().Name);
}
