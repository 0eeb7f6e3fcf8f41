using System.Text;

namespace CleanClip;

/// <summary>
/// Writes a file so that readers only ever see the old complete file or the new complete one: the bytes go to a
/// temporary file in the same folder (same file system, so the final rename is atomic) that is removed on failure.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new IOException($"{full} is a directory");
        var folder = Path.GetDirectoryName(full) ?? throw new IOException($"{full} has no parent folder");
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (IOException) { /* the original exception matters more than a leftover temp file */ }
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
}
