using R1.Models;

namespace R1.Tests.Models;

/// <summary>The committed PyTorch golden file (tools/golden/make_golden.py), loaded once.</summary>
static class GoldenFile
{
    static readonly Lazy<SafeTensorFile> file = new(() => SafeTensors.Load(Find("tests/R1.Tests/Golden/gpt_tiny.safetensors")));

    public static SafeTensorFile Tiny => file.Value;

    /// <summary>A repository file, found by walking up from the test binaries to the folder holding the solution.</summary>
    public static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "R1Notebooks.sln")))
                return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"No R1Notebooks.sln above {AppContext.BaseDirectory}; cannot find {relative}.");
    }
}
