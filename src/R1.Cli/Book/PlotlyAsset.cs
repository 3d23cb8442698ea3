using System.Diagnostics;
using System.Text.RegularExpressions;

namespace R1.Cli.Book;

/// <summary>
/// plotly.js for the offline book. Charts carry <c>&lt;script src="https://cdn.plot.ly/plotly-X.min.js"&gt;</c> so
/// they draw in VS Code and on any page online. The rewrite rule: the book removes every such tag from an
/// output and loads the local copy (npm package plotly.js-dist-min, pinned in tools/web/package-lock.json and
/// copied beside the pages as plotly.min.js) once in the page head.
/// </summary>
public static partial class PlotlyAsset
{
    public const string FileName = "plotly.min.js";
    static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Removes plotly CDN script tags; true when there was one (the page then needs plotly.js).</summary>
    public static bool StripCdnScripts(ref string html)
    {
        var stripped = CdnScript().Replace(html, "");
        bool found = stripped.Length != html.Length;
        html = stripped;
        return found;
    }

    /// <summary>True when the HTML loads plotly.js from its CDN.</summary>
    public static bool UsesCdn(string html) => CdnScript().IsMatch(html);

    /// <summary>
    /// The path of plotly.min.js under <paramref name="webFolder"/>, running <c>npm ci</c> there first if the
    /// package isn't installed yet. Null (with the reason in <paramref name="problem"/>) when it can't be had.
    /// </summary>
    public static async Task<(string? Path, string? Problem)> EnsureAsync(string webFolder)
    {
        var script = Path.Combine(webFolder, "node_modules", "plotly.js-dist-min", FileName);
        if (File.Exists(script)) return (script, null);
        if (!File.Exists(Path.Combine(webFolder, "package-lock.json")))
            return (null, $"{webFolder}/package-lock.json not found");
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(script)) return (script, null);
            var npm = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = webFolder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            try
            {
                using var process = Process.Start(npm)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                await stdout;
                if (process.ExitCode != 0 || !File.Exists(script))
                    return (null, $"`npm ci` in {webFolder} failed (exit {process.ExitCode}): {stderr.Trim()}");
                return (script, null);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return (null, $"npm not found: install Node.js, then run `npm ci` in {webFolder}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    [GeneratedRegex("""<script\b[^>]*\bsrc\s*=\s*["']https://cdn\.plot\.ly/[^"']*["'][^>]*>\s*</script>""", RegexOptions.IgnoreCase)]
    private static partial Regex CdnScript();
}
