using R1.Cli.Commands;
using R1.Cli.Notebooks;

namespace R1.Tests.Notebooks;

/// <summary>The run command's exit status for each way a notebook can fail, and what it writes.</summary>
[Collection(NotebookCollection.Name)]
public sealed class CliTests : IDisposable
{
    readonly TempNotebooks temp = new();

    public void Dispose() => temp.Dispose();

    string Out => Path.Combine(temp.Folder, "out.ipynb");

    [Fact]
    public async Task SuccessfulRunWritesTheExecutedNotebookAndLeavesTheSource()
    {
        var path = temp.Write("ok.ipynb", "#parameters\nvar quick = false;", "quick");
        var before = File.ReadAllText(path);
        Assert.Equal(0, await RunCommand.ExecuteAsync([path, "-p", "quick=true", "--out", Out]));
        Assert.Equal(before, File.ReadAllText(path));
        var executed = NotebookReader.Read(Out);
        Assert.Equal("true", NotebookAssert.Text((System.Text.Json.Nodes.JsonObject)executed.Cells[2].Outputs[0]!));
        Assert.Empty(Directory.GetFiles(temp.Folder, "*.tmp"));
    }

    [Fact]
    public async Task InplaceWritesOutputsIntoTheSource()
    {
        var path = temp.Write("inplace.ipynb", "6 * 7");
        Assert.Equal(0, await RunCommand.ExecuteAsync([path, "--inplace"]));
        Assert.Equal("42", NotebookAssert.Text((System.Text.Json.Nodes.JsonObject)NotebookReader.Read(path).Cells[0].Outputs[0]!));
    }

    public static TheoryData<string, string[]> Failures => new()
    {
        { "compile", ["var x = ;"] },
        { "throws", ["throw new Exception(\"x\");"] },
        { "missing-ref", ["#r \"nope.dll\""] },
        { "malformed", [] },
        { "empty", [] },
        { "language", [] },
        { "unknown-p", ["#parameters\nvar quick = false;"] },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task FailuresExitNonZero(string kind, string[] cells)
    {
        var path = kind switch
        {
            "malformed" => temp.WriteText("m.ipynb", "{\"cells\": ["),
            "empty" => temp.WriteText("e.ipynb", """{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"""),
            "language" => temp.WriteText("l.ipynb", """{"cells": [{"cell_type": "code", "id": "a", "metadata": {"polyglot_notebook": {"kernelName": "fsharp"}}, "outputs": [], "source": "1"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"""),
            _ => temp.Write(kind + ".ipynb", cells),
        };
        string[] args = kind == "unknown-p" ? [path, "-p", "nope=1", "--out", Out] : [path, "--out", Out];
        Assert.Equal(1, await RunCommand.ExecuteAsync(args));
        // Cells that ran leave an executed notebook with the error; notebooks that couldn't start leave nothing.
        Assert.Equal(kind is "compile" or "throws" or "missing-ref", File.Exists(Out));
    }

    [Theory]
    [InlineData(new string[0], "run: give at least one notebook")]
    [InlineData(new[] { "a.ipynb", "--bogus" }, "run: unknown option '--bogus'")]
    [InlineData(new[] { "a.ipynb", "-p", "noequals" }, "-p expects name=value, got 'noequals'")]
    [InlineData(new[] { "a.ipynb", "-p", "a=1", "-p", "a=2" }, "-p a given more than once")]
    [InlineData(new[] { "a.ipynb", "--out", "x", "--inplace" }, "--out and --inplace exclude each other")]
    [InlineData(new[] { "a.ipynb", "--out" }, "run: --out needs a value")]
    [InlineData(new[] { "a.dib", "--inplace" }, "--inplace needs an .ipynb")]
    public async Task UsageErrors(string[] args, string expected)
    {
        var e = await Assert.ThrowsAsync<UsageException>(() => RunCommand.ExecuteAsync(args));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task RunsDibNotebooks()
    {
        var path = temp.WriteText("d.dib", "#!csharp\n\nvar x = 6;\n\n#!csharp\n\nx * 7\n");
        Assert.Equal(0, await RunCommand.ExecuteAsync([path, "--out", Out]));
        Assert.Equal("42", NotebookAssert.Text((System.Text.Json.Nodes.JsonObject)NotebookReader.Read(Out).Cells[1].Outputs[0]!));
    }
}
