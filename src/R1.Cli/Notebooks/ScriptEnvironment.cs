using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace R1.Cli.Notebooks;

/// <summary>
/// What every cell compiles against: the .NET framework, the R1 library (and what it depends on), and the R1
/// namespaces as imports — found by reflection, so a new library folder (R1.Charts, R1.RL, ...) is imported
/// without touching the runner. <c>using static R1.torch;</c> is added when the engine exists, as in TorchSharp.
/// </summary>
public static class ScriptEnvironment
{
    static readonly Assembly Library = typeof(R1.Display.Output).Assembly;

    // Metadata references are immutable and cache what they read: build them once per process.
    static readonly Lazy<IReadOnlyList<MetadataReference>> references = new(BuildReferences);

    public static IReadOnlyList<MetadataReference> References => references.Value;

    public static IReadOnlyList<string> Imports { get; } = BuildImports();

    public static ScriptOptions Options(string notebookFolder) => ScriptOptions.Default
        .WithReferences(References)
        .WithImports(Imports)
        .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(notebookFolder))
        .WithSourceResolver(new SourceFileResolver([], notebookFolder))
        .WithEmitDebugInformation(true)   // line numbers in a cell's stack trace
        .WithFileEncoding(System.Text.Encoding.UTF8)
        .WithOptimizationLevel(OptimizationLevel.Release)
        .WithAllowUnsafe(true);

    static IReadOnlyList<string> BuildImports()
    {
        // Polyglot's C# defaults plus System.IO.
        var imports = new List<string> { "System", "System.Collections", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks" };
        imports.AddRange(Library.GetExportedTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(ns => ns == "R1" || ns.StartsWith("R1.", StringComparison.Ordinal))
            .Append("R1")
            .Distinct()
            .Order(StringComparer.Ordinal));
        if (Library.GetType("R1.torch") is { IsAbstract: true, IsSealed: true }) imports.Add("R1.torch");   // using static
        return imports.Distinct().ToList();
    }

    static IReadOnlyList<MetadataReference> BuildReferences()
    {
        // The shared framework's assemblies (System.*, netstandard), then the library and its own dependencies.
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dll in Directory.EnumerateFiles(frameworkDir, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(dll);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "netstandard" or "mscorlib" or "Microsoft.CSharp")
                paths.Add(dll);
        }
        var seen = new HashSet<string>();
        var pending = new Stack<Assembly>([Library]);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            if (!seen.Add(assembly.FullName!) || string.IsNullOrEmpty(assembly.Location)) continue;
            paths.Add(assembly.Location);
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                try { pending.Push(Assembly.Load(name)); }
                catch (FileNotFoundException) { }   // optional dependency not shipped: nothing to reference
            }
        }
        return paths.Where(IsManaged).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }
}
