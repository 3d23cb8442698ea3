using R1.Cli.Notebooks;

namespace R1.Tests.Notebooks;

/// <summary>Executed notebooks, every output type and failure included, pass Jupyter's own schema validation.</summary>
[Collection(NotebookCollection.Name)]
public sealed class NbformatValidationTests : IDisposable
{
    readonly TempNotebooks temp = new();

    public void Dispose() => temp.Dispose();

    [NbformatFact]
    public async Task ExecutedNotebooksValidate()
    {
        var path = temp.Write("all.ipynb", "#md # All output types\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            "#parameters\nvar quick = false;",
            """
            record Html(string Text) : IDisplayable
            {
                public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
                {
                    ["text/html"] = $"<p>{Text}</p>", ["image/svg+xml"] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                    ["application/json"] = "{\"a\": [1, 2]}", ["application/vnd.plotly.v1+json"] = "{\"data\": []}",
                };
            }
            Console.WriteLine("out\nlines");
            Console.Error.Write("err");
            display(new Html("hi"));
            Output.Current.Progress("p", "Loop", 5, 10, "half", false);
            """,
            "#!markdown\n*md section*\n#!csharp\nnew { A = 1 }",
            "throw new ArgumentException(\"bad\");",
            "1");
        var output = Path.Combine(temp.Folder, "executed.ipynb");
        var result = await NotebookRunner.RunFileAsync(path, new RunOptions
        {
            OutputPath = output,
            Parameters = new Dictionary<string, string> { ["quick"] = "true" },
        });
        Assert.False(result.Succeeded);   // the error output and a not-run cell are part of what must validate
        Assert.Null(Nbformat.Validate(output));
        Assert.Null(Nbformat.Validate(path));
    }

    [NbformatFact]
    public void ValidatorCatchesAnInvalidNotebook()
    {
        // Guards against a validator call that passes everything.
        var path = temp.WriteText("invalid.ipynb", """{"cells": [{"cell_type": "code", "source": "1"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""");
        Assert.NotNull(Nbformat.Validate(path));
    }
}
