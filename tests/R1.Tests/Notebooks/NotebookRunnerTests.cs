using System.Text.Json.Nodes;
using R1.Cli.Notebooks;
using static R1.Tests.Notebooks.NotebookAssert;

namespace R1.Tests.Notebooks;

[Collection(NotebookCollection.Name)]
public sealed class NotebookRunnerTests : IDisposable
{
    readonly TempNotebooks temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task CellsShareState()
    {
        var result = await Run(temp.Write("state.ipynb", "var a = 20;", "int Twice(int x) => 2 * x;", "a += 1;", "Twice(a)"));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("42", Text(Outputs(result, 3).Single()));
    }

    [Fact]
    public async Task OutputsHaveTheRightTypes()
    {
        var path = temp.Write("outputs.ipynb", """
            record Swatch(string Color) : IDisplayable
            {
                public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
                {
                    ["text/html"] = $"<b>{Color}</b>",
                    ["application/json"] = $"{{\"color\": \"{Color}\"}}",
                };
            }
            Console.WriteLine("one");
            Console.Write("two\n");
            display(new Swatch("red"));
            Console.Error.WriteLine("careful");
            display(new[] { 1.5, 2.0 });
            new List<string> { "a", "b" }
            """, "Console.WriteLine(\"no value\");", "display(1)");
        var result = await Run(path);
        Assert.True(result.Succeeded, result.Failure?.ToString());

        var outputs = Outputs(result, 0);
        Assert.Equal(["stream", "display_data", "stream", "display_data", "execute_result"], outputs.Select(o => (string?)o["output_type"]));
        Assert.Equal("one\ntwo\n", Text(outputs[0]));
        Assert.Equal("stdout", (string?)outputs[0]["name"]);
        Assert.Equal("<b>red</b>", Text(outputs[1], "text/html"));
        Assert.Equal("red", (string?)outputs[1]["data"]!["application/json"]!["color"]);   // JSON mime types stay JSON
        Assert.Equal("Swatch { Color = red }", Text(outputs[1]));                            // text/plain fallback
        Assert.Equal(("stderr", "careful\n"), ((string?)outputs[2]["name"], Text(outputs[2])));
        Assert.Equal("[1.5, 2]", Text(outputs[3]));
        Assert.Equal("[\"a\", \"b\"]", Text(outputs[4]));
        Assert.Equal(1, (int?)outputs[4]["execution_count"]);

        Assert.Equal(["stream"], Outputs(result, 1).Select(o => (string?)o["output_type"]));   // no value: no result
        Assert.Equal(["display_data"], Outputs(result, 2).Select(o => (string?)o["output_type"]));   // display(x) as last expression: shown once
        Assert.Equal([1, 2, 3], result.Notebook.Cells.Select(c => (int?)c.Json["execution_count"]));
    }

    [Fact]
    public async Task CompileErrorGivesLineAndColumn()
    {
        var result = await Run(temp.Write("compile.ipynb", "var ok = 1;", "var a = 1;\nvar b = a +  missing;", "ok"));
        Assert.False(result.Succeeded);
        Assert.Equal(1, result.Failure!.CellIndex);
        Assert.Equal("CompilationError", result.Failure.Name);
        Assert.StartsWith("cell 2, line 2, column 14: error CS0103: The name 'missing' does not exist", result.Failure.Message);
        var error = Outputs(result, 1).Single();
        Assert.Equal("error", (string?)error["output_type"]);
        Assert.Contains("                 ^", error["traceback"]!.AsArray().Select(t => (string?)t));   // caret under the column
        AssertNotRun(result.Notebook.Cells[2]);
    }

    [Fact]
    public async Task CompileErrorLinesCountFromTheTopOfTheCell()
    {
        var result = await Run(temp.Write("magic.ipynb", "#!markdown\nSome *text*\n#!csharp\nvar x = ;"));
        Assert.Equal("CompilationError", result.Failure!.Name);
        Assert.StartsWith("cell 1, line 4, column 9:", result.Failure.Message);
        Assert.Equal("Some *text*", Text(Outputs(result, 0)[0], "text/markdown"));
    }

    [Fact]
    public async Task ThrowingCellStopsTheNotebook()
    {
        var path = temp.Write("throws.ipynb", "#md # Title", "Console.WriteLine(\"before\");",
            "void Fail() => throw new InvalidOperationException(\"boom\");\nFail();", "Console.WriteLine(\"never\");");
        var result = await Run(path);

        Assert.False(result.Succeeded);
        Assert.Equal(new CellFailure(2, "InvalidOperationException", "boom"), result.Failure);
        var error = Outputs(result, 2).Single();
        Assert.Equal(("error", "InvalidOperationException", "boom"),
            ((string?)error["output_type"], (string?)error["ename"], (string?)error["evalue"]));
        var traceback = error["traceback"]!.AsArray().Select(t => (string?)t).ToList();
        Assert.Equal($"  raised in cell 3 of {path}", traceback[1]);
        Assert.Contains(traceback, line => line!.Contains($"{path}, cell 3:line 1"));   // the frame of Fail(), with its line
        Assert.Equal("failed", (string?)result.Notebook.Cells[2].Metadata["papermill"]!["status"]);
        AssertNotRun(result.Notebook.Cells[3]);
        Assert.True((bool)result.Notebook.Metadata["papermill"]!["exception"]!);
    }

    [Fact]
    public async Task MissingReferenceNamesThePath()
    {
        var result = await Run(temp.Write("ref.ipynb", "#r \"lib/missing.dll\"\nvar x = 1;"));
        var expected = Path.Combine(temp.Folder, "lib", "missing.dll");
        Assert.Equal(new CellFailure(0, "ReferenceError",
            $"#r \"lib/missing.dll\": file not found: {expected} (relative paths start at the notebook's folder)"), result.Failure);
    }

    [Fact]
    public async Task ReferenceLoadsAnAssembly()
    {
        // The test assembly itself, by a path relative to the notebook's folder.
        var relative = Path.GetRelativePath(temp.Folder, typeof(NotebookRunnerTests).Assembly.Location);
        var result = await Run(temp.Write("ref-ok.ipynb", $"#r \"{relative}\"\n#r \"../some/where/R1.dll\"",
            "display(new R1.Tests.Notebooks.Swatch(\"teal\"));"));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Contains("teal", Text(Outputs(result, 1).Single(), "image/svg+xml"));
    }

    [Fact]
    public async Task EmptyNotebookIsAnError()
    {
        var path = temp.WriteText("empty.ipynb", """{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""");
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run(path));
        Assert.Equal($"{path}: the notebook has no cells: nothing to run", e.Message);
    }

    [Fact]
    public async Task ParametersAreOverriddenInAnInjectedCell()
    {
        var path = temp.Write("params.ipynb", "#md # P",
            "#parameters\nvar quick = false;\nint steps = 10;\ndouble lr = 0.5;\nvar name = \"a\";\nfloat f = 1f;\nlong big = 1;",
            "$\"{quick} {steps} {lr} {name} {f} {big}\"");
        var result = await Run(path, ("quick", "true"), ("steps", "3"), ("lr", "1e-3"), ("name", "say \"hi\""), ("f", "2.5"), ("big", "9000000000"));
        Assert.True(result.Succeeded, result.Failure?.ToString());

        var injected = result.Notebook.Cells[2];
        Assert.Equal([Parameters.InjectedTag], injected.Tags);
        Assert.Equal("""
            // Parameters injected by the runner (-p)
            quick = true;
            steps = 3;
            lr = 0.001d;
            name = "say \"hi\"";
            f = 2.5f;
            big = 9000000000L;
            """.ReplaceLineEndings("\n"), injected.Source);
        Assert.Equal("True 3 0.001 say \"hi\" 2.5 9000000000", Text(Outputs(result, 3).Single()));
        Assert.Equal("3", (string?)result.Notebook.Metadata["papermill"]!["parameters"]!["steps"]);

        // Without -p the defaults hold, and no injected cell is left from before.
        var again = await NotebookRunner.RunAsync(result.Notebook, new RunOptions());
        Assert.DoesNotContain(again.Notebook.Cells, c => c.Tags.Contains(Parameters.InjectedTag));
        Assert.Equal("False 10 0.5 a 1 1", Text(Outputs(again, 2).Single()));
    }

    [Theory]
    [InlineData("epochs=3", "unknown parameter 'epochs' (-p epochs=...); the parameters cell declares: quick, steps")]
    [InlineData("steps=many", "-p steps=many: 'many' is not a valid int")]
    [InlineData("quick=yes", "-p quick=yes: 'yes' is not a valid bool")]
    public async Task BadParametersAreClearErrors(string assignment, string expected)
    {
        var path = temp.Write("bad-params.ipynb", "#parameters\nvar quick = false;\nint steps = 10;", "steps");
        var p = Parameters.ParseAssignment(assignment);
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run(path, (p.Key, p.Value)));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public async Task ParametersNeedAParametersCell()
    {
        var path = temp.Write("no-params.ipynb", "1");
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run(path, ("quick", "true")));
        Assert.Equal($"{path}: -p quick given, but no code cell is tagged 'parameters' (metadata.tags) to declare parameters", e.Message);
    }

    [Fact]
    public async Task ProgressKeepsOneUpdatingOutputPerId()
    {
        var result = await Run(temp.Write("progress.ipynb", """
            for (int i = 1; i <= 1000; i++)
            {
                Output.Current.Progress("train", "Training", i, 1000, $"loss {1.0 / i:F3}", i == 1000);
                if (i % 500 == 0) Output.Current.Progress("eval", "Evaluating", i / 500, 2, null, i == 1000);
            }
            Console.WriteLine("end");
            """));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        var outputs = Outputs(result, 0);
        Assert.Equal(["display_data", "display_data", "stream"], outputs.Select(o => (string?)o["output_type"]));
        Assert.StartsWith("Training ████████████████████ 1000/1000 (done, ", Text(outputs[0]));
        Assert.EndsWith(" · loss 0.001", Text(outputs[0]));
        Assert.StartsWith("Evaluating ████████████████████ 2/2 (done, ", Text(outputs[1]));
        Assert.Contains("<progress value=\"1\" max=\"1\">", Text(outputs[0], "text/html"));
    }

    [Fact]
    public async Task CellsRunInTheNotebookFolderAndRecordTimes()
    {
        var result = await Run(temp.Write("cwd.ipynb", "Environment.CurrentDirectory"));
        Assert.Equal(temp.Folder, Text(Outputs(result, 0).Single()));
        Assert.NotEqual(temp.Folder, Environment.CurrentDirectory);   // restored afterwards

        var metadata = result.Notebook.Cells[0].Metadata;
        var start = DateTime.Parse((string)metadata["execution"]!["iopub.execute_input"]!).ToUniversalTime();
        var end = DateTime.Parse((string)metadata["execution"]!["shell.execute_reply"]!).ToUniversalTime();
        var duration = (double)metadata["papermill"]!["duration"]!;
        Assert.InRange((end - start).TotalSeconds - duration, -0.002, 0.002);
        Assert.Equal("completed", (string?)metadata["papermill"]!["status"]);
    }

    [Fact]
    public async Task LibraryNamespacesAreImported()
    {
        var result = await Run(temp.Write("imports.ipynb", "typeof(Output).FullName + \" \" + typeof(R1.Kernels.Gemm).Name"));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("R1.Display.Output Gemm", Text(Outputs(result, 0).Single()));
        Assert.Contains("R1.Kernels", ScriptEnvironment.Imports);
    }

    static void AssertNotRun(Cell cell)
    {
        Assert.Empty(cell.Outputs);
        Assert.Null(cell.Json["execution_count"]);
        Assert.Equal("pending", (string?)cell.Metadata["papermill"]!["status"]);
    }
}
