using R1.Display;

namespace R1.Tests.Tables;

public class ProgressTests
{
    sealed class FakeClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(TimeSpan t) => Ticks += t.Ticks;
    }

    sealed class RecordingSink : IOutputSink
    {
        public readonly List<(string Id, string Description, long Done, long Total, string? Detail, bool Finished)> Calls = [];
        public void Display(object? value) { }
        public void Progress(string id, string description, long done, long total, string? detail, bool finished) =>
            Calls.Add((id, description, done, total, detail, finished));
    }

    [Fact]
    public void TightLoopIsThrottledToAHandfulOfUpdates()
    {
        var clock = new FakeClock();
        var sink = new RecordingSink();
        using (var p = Progress.Start("GRPO", 1000, sink, clock))
            for (int step = 1; step <= 1000; step++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));   // 1000 steps in one second
                p.Report(step, $"reward {step / 1000.0:F2}");
            }
        // start, about four a second, the step reaching the total, the final one.
        Assert.InRange(sink.Calls.Count, 3, 7);
        Assert.Equal(0, sink.Calls[0].Done);
        var last = sink.Calls[^1];
        Assert.True(last.Finished);
        Assert.Equal(1000, last.Done);
        Assert.Equal(1, sink.Calls.Count(c => c.Finished));
        Assert.Single(sink.Calls.Select(c => c.Id).Distinct());
        Assert.Equal("reward 1.00 · 1000 in 0:01 (1000.0 it/s)", last.Detail);
    }

    [Fact]
    public void FrozenClockSendsOnlyStartTotalAndFinal()
    {
        var sink = new RecordingSink();
        using (var p = Progress.Start("eval", 1000, sink, new FakeClock()))
            for (int i = 0; i < 1000; i++) p.Advance();
        Assert.Equal(new long[] { 0, 1000, 1000 }, sink.Calls.Select(c => c.Done));
        Assert.Equal(new[] { false, false, true }, sink.Calls.Select(c => c.Finished));
    }

    [Fact]
    public void RateAndEtaFromTheClock()
    {
        var clock = new FakeClock();
        var sink = new RecordingSink();
        var p = Progress.Start("sample", 100, sink, clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        p.Report(25, "pass@1 0.30");
        Assert.Equal(2.5, p.Rate, 12);
        Assert.Equal(TimeSpan.FromSeconds(30), p.Eta);
        Assert.Equal("pass@1 0.30 · 2.5 it/s · ETA 0:30", sink.Calls[^1].Detail);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        p.Report(26);                                  // within 0.25 s of the last update: held back
        Assert.Equal(25, sink.Calls[^1].Done);
        p.Dispose();
        p.Dispose();                                   // idempotent
        Assert.Equal(26, sink.Calls[^1].Done);
        Assert.Equal(1, sink.Calls.Count(c => c.Finished));
    }

    [Fact]
    public void SlowLoopsShowSecondsPerItemAndUnknownTotalsHaveNoEta()
    {
        var clock = new FakeClock();
        var sink = new RecordingSink();
        var p = Progress.Start("train", 0, sink, clock);
        clock.Advance(TimeSpan.FromSeconds(8));
        p.Advance(2);
        Assert.Null(p.Eta);
        Assert.Equal("4.0 s/it", sink.Calls[^1].Detail);
    }

    [Fact]
    public void WithProgressReportsThroughTheCurrentSink()
    {
        var sink = new RecordingSink();
        var previous = Output.Current;
        Output.Current = sink;
        try
        {
            int sum = 0;
            foreach (var x in Enumerable.Range(1, 10).ToList().WithProgress("items")) sum += x;
            Assert.Equal(55, sum);
            Assert.All(sink.Calls, c => Assert.Equal(10, c.Total));   // the count came from the list
            Assert.Equal(10, sink.Calls[^1].Done);
            Assert.True(sink.Calls[^1].Finished);

            sink.Calls.Clear();
            foreach (var _ in Enumerable.Range(0, 10).Where(i => i % 2 == 0).WithProgress("evens")) break;
            Assert.True(sink.Calls[^1].Finished);                  // breaking out still finishes the line
            Assert.Equal(0, sink.Calls[^1].Total);
        }
        finally { Output.Current = previous; }
    }
}
