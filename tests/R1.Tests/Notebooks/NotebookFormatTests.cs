using System.Text.Json.Nodes;
using R1.Cli.Notebooks;

namespace R1.Tests.Notebooks;

public sealed class NotebookFormatTests : IDisposable
{
    readonly TempNotebooks temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void RoundTripKeepsUnknownMetadataAndPolyglotShape()
    {
        var path = temp.WriteText("meta.ipynb", """
            {"cells": [{"cell_type": "code", "id": "a1", "execution_count": null, "outputs": [],
                        "metadata": {"polyglot_notebook": {"kernelName": "csharp"}, "vscode": {"languageId": "polyglot-notebook"}},
                        "source": ["var x = 1;\n", "x"]},
                       {"cell_type": "markdown", "id": "m1", "metadata": {"custom": [1, 2]}, "source": "# T"}],
             "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
                          "language_info": {"name": "polyglot-notebook"}, "authors": [{"name": "me"}]},
             "nbformat": 4, "nbformat_minor": 5}
            """);
        var notebook = NotebookReader.Read(path);
        var json = JsonNode.Parse(NotebookWriter.Serialize(notebook))!;

        Assert.Equal("me", (string?)json["metadata"]!["authors"]![0]!["name"]);
        Assert.Equal("polyglot-notebook", (string?)json["cells"]![0]!["metadata"]!["vscode"]!["languageId"]);
        Assert.Equal(2, json["cells"]![1]!["metadata"]!["custom"]!.AsArray().Count);
        Assert.Equal("var x = 1;\nx", notebook.Cells[0].Source);
        Assert.Equal(["a1", "m1"], notebook.Cells.Select(c => c.Id));
        Assert.Equal(5, (int)json["nbformat_minor"]!);
    }

    [Fact]
    public void NewNotebookHasPolyglotMetadata()
    {
        var json = JsonNode.Parse(NotebookWriter.Serialize(Notebook.Create("x.ipynb")))!;
        Assert.Equal(".net-csharp", (string?)json["metadata"]!["kernelspec"]!["name"]);
        Assert.Equal("C#", (string?)json["metadata"]!["kernelspec"]!["language"]);
        Assert.Equal("polyglot-notebook", (string?)json["metadata"]!["language_info"]!["name"]);
        Assert.Equal("csharp", (string?)json["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]);
        Assert.Equal("csharp", (string?)json["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["items"]![0]!["name"]);
    }

    [Fact]
    public void OlderMinorVersionGetsCellIds()
    {
        var path = temp.WriteText("old.ipynb", """
            {"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "1"},
                       {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "2"}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 2}
            """);
        var notebook = NotebookReader.Read(path);
        Assert.All(notebook.Cells, c => Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", c.Id));
        Assert.NotEqual(notebook.Cells[0].Id, notebook.Cells[1].Id);
        Assert.Equal(5, (int)notebook.ToJson()["nbformat_minor"]!);
    }

    [Fact]
    public void WritesLikeJupyter()
    {
        var path = temp.Write("w.ipynb", "var a = \"<b>é</b>\";\na");
        var text = File.ReadAllText(path);
        Assert.StartsWith("{\n \"cells\": [\n  {\n", text);   // sorted keys, one-space indent
        Assert.EndsWith("}\n", text);
        Assert.Contains("\"var a = \\\"<b>é</b>\\\";\\n\",", text);   // a list of lines; HTML and non-ASCII unescaped
        Assert.Empty(Directory.GetFiles(temp.Folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ReadsDibFiles()
    {
        var path = temp.WriteText("d.dib", """
            #!meta

            {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

            #!markdown

            # Title

            #!csharp

            var x = 2;

            #!csharp

            x * 21
            """);
        var notebook = NotebookReader.Read(path);
        Assert.Equal(["markdown", "code", "code"], notebook.Cells.Select(c => c.CellType));
        Assert.Equal("# Title", notebook.Cells[0].Source);
        Assert.Equal("x * 21", notebook.Cells[2].Source);
        Assert.Equal("csharp", (string?)notebook.Metadata["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]);
    }

    [Fact]
    public void MalformedJsonNamesFileAndLine()
    {
        var path = temp.WriteText("bad.ipynb", "{\n \"cells\": [\n  {\"cell_type\": \"code\",, }\n ]\n}");
        var e = Assert.Throws<NotebookException>(() => NotebookReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid notebook JSON at line 3", e.Message);
    }

    [Theory]
    [InlineData("""{"cells": [], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}""", "nbformat 3 isn't supported (expected nbformat 4")]
    [InlineData("""{"cells": [], "metadata": {}}""", "no 'nbformat' version number")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}""", "no 'cells' list")]
    [InlineData("""{"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""",
        "cell 1: the cell has no 'source'")]
    [InlineData("""{"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ""}, {"cell_type": "code", "id": "b", "metadata": {"polyglot_notebook": {"kernelName": "python"}}, "outputs": [], "source": "print(1)"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""",
        "cell 2: language 'python' isn't supported")]
    [InlineData("""{"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "source": "#!fsharp\nlet x = 1"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""",
        "cell 1: language 'fsharp' isn't supported")]
    [InlineData("""{"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "source": "1"}], "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}""",
        "cell 1: language 'python' isn't supported")]
    [InlineData("""{"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "source": "1"}, {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "source": "2"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""",
        "cell 2: duplicate cell id 'a' (also used by cell 1)")]
    [InlineData("""{"cells": [{"cell_type": "heading", "id": "a", "metadata": {}, "source": "x"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""",
        "cell 1: unknown cell_type \"heading\"")]
    public void RejectsWhatCannotRun(string json, string expected)
    {
        var path = temp.WriteText("nb.ipynb", json);
        var e = Assert.Throws<NotebookException>(() => NotebookReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void EmptyFileIsAClearError()
    {
        var path = temp.WriteText("empty.ipynb", "");
        var e = Assert.Throws<NotebookException>(() => NotebookReader.Read(path));
        Assert.Equal($"{path}: the file is empty (expected an .ipynb notebook: nbformat 4 JSON)", e.Message);
    }

    [Fact]
    public void DibWithForeignKernelNamesTheSection()
    {
        var path = temp.WriteText("f.dib", "#!csharp\n\nvar x = 1;\n\n#!pwsh\n\nGet-Date\n");
        var e = Assert.Throws<NotebookException>(() => NotebookReader.Read(path));
        Assert.Equal($"{path}: cell 2: language 'pwsh' isn't supported: this runner executes C# (kernel 'csharp') and passes markdown through", e.Message);
    }

    [Fact]
    public void SectionsSplitAtKernelMagics()
    {
        var sections = Languages.Sections("#!csharp\nvar a = 1;\n#!markdown\n# Hi\n#!c#\na", Languages.CSharp);
        Assert.Equal(["csharp", "markdown", "csharp"], sections.Select(s => s.Language));
        Assert.Equal([1, 3, 5], sections.Select(s => s.FirstLine));
        Assert.Equal("# Hi", sections[1].Text);
    }

    [Fact]
    public void ParameterDeclarationsAreTyped()
    {
        var declarations = Parameters.Declarations("""
            var quick = false;      // comment
            int steps = 200;
            var lr = -3e-4;
            float beta = 0.1f;
            long seed = 7, other = 8;
            var name = "gpt";
            var big = 1L;
            var list = new List<int>();
            """).ToDictionary(d => d.Name, d => d.Type);
        Assert.Equal(new Dictionary<string, string>
        {
            ["quick"] = "bool", ["steps"] = "int", ["lr"] = "double", ["beta"] = "float", ["seed"] = "long",
            ["other"] = "long", ["name"] = "string", ["big"] = "long", ["list"] = "var",
        }, declarations);
    }
}
