using R1.RL;

namespace R1.Tests.RL;

public class RunLogTests
{
    [Fact]
    public void HistoryWritesCsvAndReadsBack()
    {
        var dir = Directory.CreateTempSubdirectory("r1-rl-");
        try
        {
            var path = Path.Combine(dir.FullName, "metrics.csv");
            var h = new RunHistory(path);
            h.Add(1, new Dictionary<string, double> { ["reward"] = 0.25, ["clip_ratio/low_mean"] = 0 });
            h.Add(2, new Dictionary<string, double> { ["clip_ratio/low_mean"] = 0.5, ["reward"] = 0.75 });
            Assert.Equal(["step,reward,clip_ratio/low_mean", "1,0.25,0", "2,0.75,0.5"], File.ReadAllLines(path));
            Assert.Equal([0.25, 0.75], h["reward"]);
            var back = RunHistory.Load(path);
            Assert.Equal([1, 2], back.Steps);
            Assert.Equal([0.0, 0.5], back["clip_ratio/low_mean"]);
            var e = Assert.Throws<ArgumentException>(() => h.Add(3, new Dictionary<string, double> { ["kl"] = 1 }));
            Assert.Contains("expected the columns", e.Message);
            Assert.Throws<KeyNotFoundException>(() => h["entropy"]);
            var table = h.ToTable();
            Assert.Equal(["step", "reward", "clip_ratio/low_mean"], table.ColumnNames);
            Assert.Equal(2, table.Rows);
        }
        finally { dir.Delete(true); }
    }
}
