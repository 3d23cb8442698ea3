using System.Text;

namespace R1.IO;

/// <summary>
/// Whole-file writes that never leave a half-written file behind: write a temp file beside the target,
/// flush it to disk, then rename it over the target (a rename within one folder is atomic).
/// Every file the package writes (checkpoints, datasets, metrics tables, charts, notebooks, the book) goes through here.
/// </summary>
public static class AtomicFile
{
    static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Write text through a UTF-8 (no BOM) writer with "\n" line ends.</summary>
    public static void WriteText(string path, Action<TextWriter> write) =>
        Write(path, s => { using var w = new StreamWriter(s, Utf8NoBom, leaveOpen: true) { NewLine = "\n" }; write(w); });

    public static void WriteAllText(string path, string text) => WriteText(path, w => w.Write(text));

    public static void Copy(string source, string path) => Write(path, s => { using var f = File.OpenRead(source); f.CopyTo(s); });
}
