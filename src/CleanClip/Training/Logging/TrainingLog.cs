namespace CleanClip.Training.Logging;

/// <summary>Placeholder until the TensorBoard writer lands: metrics.jsonl only.</summary>
public sealed class TrainingLog : IDisposable
{
    private readonly StreamWriter _writer;

    public TrainingLog(string runDirectory, long? resumedStep = null, bool tensorBoard = true)
    {
        var path = Path.Combine(runDirectory, MetricsLine.FileName);
        if (resumedStep is { } step && File.Exists(path))
        {
            var kept = MetricsLine.ReadAll(path).Where(l => l.Step <= step).Select(l => l.ToJson());
            AtomicFile.WriteAllText(path, string.Concat(kept.Select(l => l + "\n")));
        }
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void Log(MetricsLine line) => _writer.WriteLine(line.ToJson());

    public void Dispose() => _writer.Dispose();
}
