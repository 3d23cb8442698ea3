using R1.Tasks;

namespace R1.Tests.Tasks;

public class DatasetTests
{
    [Fact]
    public void CommittedDatasetsRegenerateByteIdentically()
    {
        var tmp = Path.Combine(Path.GetTempPath(), "r1-datasets-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            DatasetBuilder.WriteAll(tmp);
            var produced = Directory.GetFiles(tmp, "*.jsonl", SearchOption.AllDirectories);
            Assert.Equal(15, produced.Length);   // 3 tasks × 2 splits, corpus × 2, coldstart, journey × 2, general × 4
            foreach (var file in produced)
            {
                var rel = Path.GetRelativePath(tmp, file);
                var committed = Path.Combine(Datasets.Root, rel);
                Assert.True(File.Exists(committed), $"missing committed file {rel}");
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(committed)),
                    $"{rel} differs from a fresh DatasetBuilder.WriteAll; regenerate datasets/ and commit");
            }
        }
        finally { Directory.Delete(tmp, recursive: true); }
    }

    [Fact]
    public void SplitsHaveTheDocumentedSizesAndDoNotOverlap()
    {
        var allTest = new HashSet<string>();
        foreach (var name in Datasets.TaskNames)
        {
            var train = Datasets.Load(name, "train");
            var test = Datasets.Load(name, "test");
            Assert.Equal(DatasetBuilder.TaskTrainSize, train.Count);
            Assert.Equal(DatasetBuilder.TaskTestSize, test.Count);
            var testPrompts = test.Select(e => e.Prompt).ToHashSet();
            Assert.Equal(test.Count, testPrompts.Count);
            Assert.Equal(train.Count, train.Select(e => e.Prompt).Distinct().Count());
            Assert.DoesNotContain(train, e => testPrompts.Contains(e.Prompt));
            allTest.UnionWith(testPrompts);
        }
        var corpus = Datasets.LoadCorpus("train");
        Assert.Equal(DatasetBuilder.CorpusTrainSize, corpus.Count);
        Assert.Equal(DatasetBuilder.CorpusTestSize, Datasets.LoadCorpus("test").Count);
        Assert.DoesNotContain(corpus, d => allTest.Contains(d.Text[..(d.Text.IndexOf("\nA: ") + 4)]));
    }

    [Fact]
    public void UnknownNamesAreExplained()
    {
        var e = Assert.Throws<ArgumentException>(() => Datasets.Load("chess", "train"));
        Assert.Contains("arithmetic", e.Message);
        var s = Assert.Throws<ArgumentException>(() => Datasets.Load("arithmetic", "validation"));
        Assert.Contains("'train' or 'test'", s.Message);
    }
}
