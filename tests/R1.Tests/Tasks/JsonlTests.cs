using R1.Tasks;

namespace R1.Tests.Tasks;

public class JsonlTests
{
    static string TempDir() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "r1-jsonl-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    [Fact]
    public void RoundTripKeepsEveryFieldAndWritesTextRaw()
    {
        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "sub", "x.jsonl");
            Example[] items =
            [
                new("a/0", "wordproblems", "zh", "Q: 汽车每小时行45千米，3小时行多少千米？\nA: ", "135", "speed", [45, 3]),
                new("c/0", "countdown", "en", "Q: make 46 from 3 7 25\nA: ", "25+3*7", "n3", [3, 7, 25], 46),
            ];
            Jsonl.Write(path, items);
            var text = File.ReadAllText(path);
            Assert.Contains("汽车", text);            // not \u6C7D-escaped
            Assert.Contains("25+3*7", text);
            Assert.DoesNotContain("\"target\":null", text); // nulls left out
            Assert.Equal(2, text.Count(c => c == '\n'));
            Assert.DoesNotContain("\r", text);
            var back = Jsonl.Read<Example>(path);
            Assert.Equal(items.Select(Jsonl.Serialize), back.Select(Jsonl.Serialize));
            Assert.Null(back[0].Target);
            Assert.Equal([3, 7, 25], back[1].Numbers);
            Assert.Single(Directory.GetFiles(Path.Combine(dir, "sub"))); // no temp file left behind
            var tags = new CorpusDocument("d", "steps", "arithmetic", "en", "Q: 1+1=?\nA: <think>1+1=2</think><answer>2</answer>");
            Jsonl.Write(path, [tags]);
            Assert.Contains("<think>", File.ReadAllText(path));
            Assert.Equal(tags, Jsonl.Read<CorpusDocument>(path)[0]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void MalformedLinesNameFileAndLine()
    {
        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "bad.jsonl");
            File.WriteAllText(path, "{\"id\":\"d\",\"style\":\"s\",\"task\":\"t\",\"language\":\"en\",\"text\":\"x\"}\n\n{\"id\": \"d2\", oops}\n");
            var e = Assert.Throws<InvalidDataException>(() => Jsonl.Read<CorpusDocument>(path));
            Assert.Contains("bad.jsonl:3:", e.Message);
            Assert.Contains("oops", e.Message);

            File.WriteAllText(path, "{\"id\":\"d\",\"style\":\"s\",\"task\":\"t\",\"language\":\"en\"}\n"); // "text" missing
            var m = Assert.Throws<InvalidDataException>(() => Jsonl.Read<CorpusDocument>(path));
            Assert.Contains(":1:", m.Message);
            Assert.Contains("text", m.Message);

            File.WriteAllText(path, "null\n");
            Assert.Contains(":1:", Assert.Throws<InvalidDataException>(() => Jsonl.Read<CorpusDocument>(path)).Message);
            Assert.Throws<FileNotFoundException>(() => Jsonl.Read<CorpusDocument>(Path.Combine(dir, "none.jsonl")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
