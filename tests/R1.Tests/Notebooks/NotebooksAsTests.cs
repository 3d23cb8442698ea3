using System.Text.Json.Nodes;
using R1.Cli.Notebooks;

namespace R1.Tests.Notebooks;

/// <summary>Every notebook of the book runs in quick mode, succeeds, and shows something rich (its charts).</summary>
[Collection(NotebookCollection.Name)]
public sealed class NotebooksAsTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task RunsInQuickMode(string name)
    {
        var source = Path.Combine(Repository.Root, "notebooks", name);
        var output = Path.Combine(Path.GetTempPath(), $"r1-book-test-{Guid.NewGuid():N}-{name}");
        try
        {
            var result = await NotebookRunner.RunFileAsync(source, new RunOptions
            {
                Parameters = new Dictionary<string, string> { ["quick"] = "true" },
                OutputPath = output,
                InNotebookFolder = true,
            });
            Assert.True(result.Succeeded, $"{name}: {result.Failure}");
            var rich = result.Notebook.Cells.SelectMany(c => c.IsCode ? c.Outputs.OfType<JsonObject>() : [])
                .Count(o => o["data"] is JsonObject data && (data.ContainsKey("image/svg+xml") ||
                            data.ContainsKey("text/html") && !Nbjson.JoinText(data["text/html"]).StartsWith("<div class=\"r1-progress\"")));
            Assert.True(rich > 0, $"{name} produced no chart (no output with image/svg+xml or text/html)");
            if (Nbformat.Available) Assert.Null(Nbformat.Validate(output));
        }
        finally
        {
            File.Delete(output);
        }
    }
}
