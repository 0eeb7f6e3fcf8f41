using System.Text;

namespace CleanClip.Training.Logging;

/// <summary>
/// Appends <see cref="MetricsLine"/>s to a run's <c>metrics.jsonl</c>, one write and one flush per line, so a killed
/// process loses at most the line it was writing (a torn last line, which <see cref="OpenForResume"/> removes).
/// Flushes go to the operating system, not to the disk: a crash of the process loses nothing, a power cut may.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    private readonly FileStream _stream;

    public string Path { get; }

    private MetricsWriter(string path, FileMode mode)
    {
        Path = path;
        _stream = new FileStream(path, mode, FileAccess.Write, FileShare.Read);
        if (mode == FileMode.Append) _stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>A new run: starts the file empty (a previous file at the path is replaced).</summary>
    public static MetricsWriter Create(string path) => new(path, FileMode.Create);

    /// <summary>
    /// A run resumed from a checkpoint taken after <paramref name="resumedStep"/> optimizer steps: lines the killed run
    /// wrote after that checkpoint (step &gt; resumedStep) are dropped, and so is a torn last line, by rewriting the
    /// file atomically; appending then continues as if the run had never stopped. A missing file starts empty; a
    /// malformed line other than the last is an error naming the file and line.
    /// </summary>
    public static MetricsWriter OpenForResume(string path, long resumedStep)
    {
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path, Encoding.UTF8);
            var kept = KeptLines(path, text, resumedStep);
            if (kept.Length != text.Length)
                AtomicFile.WriteAllText(path, kept);
        }
        return new MetricsWriter(path, FileMode.Append);
    }

    public void Write(MetricsLine line)
    {
        _stream.Write(Encoding.UTF8.GetBytes(line.ToJson() + "\n"));
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>The text of the complete lines with step ≤ resumedStep, each as it was written.</summary>
    private static string KeptLines(string path, string text, long resumedStep)
    {
        var kept = new StringBuilder(text.Length);
        var lines = text.Split('\n');
        // The piece after the last newline is empty for a complete file and a torn line otherwise.
        for (int i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            MetricsLine parsed;
            try
            {
                parsed = System.Text.Json.JsonSerializer.Deserialize<MetricsLine>(line, MetricsLine.Json)
                    ?? throw new InvalidDataException($"{path}:{i + 1}: empty metrics line");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: not a metrics line ({e.Message})", e);
            }
            if (parsed.Step <= resumedStep) kept.Append(line).Append('\n');
        }
        return kept.ToString();
    }
}
