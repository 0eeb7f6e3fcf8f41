namespace CleanClip.Training.Logging;

/// <summary>
/// Writes one TensorBoard event file, <c>events.out.tfevents.&lt;unix seconds&gt;.&lt;hostname&gt;</c>, in a folder that
/// <c>tensorboard --logdir</c> can point at (or at its parent, to compare runs). Every event is one TFRecord, so a
/// killed run leaves at most a torn last record, which TensorBoard ignores. Records are buffered until
/// <see cref="Flush"/> or <see cref="Dispose"/>.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly TimeProvider _time;

    public string Path { get; }

    /// <param name="time">The wall clock stamped on events; tests pass a fixed one.</param>
    /// <param name="hostname">Part of the file name, as TensorFlow names event files; default the machine name.</param>
    public TensorBoardWriter(string folder, TimeProvider? time = null, string? hostname = null)
    {
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(folder);
        var now = _time.GetUtcNow();
        var stem = System.IO.Path.Combine(folder, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{hostname ?? Environment.MachineName}");
        // A second writer in the same second (a quick resume) gets its own file rather than appending to the first.
        var path = stem;
        for (int n = 1; File.Exists(path); n++) path = $"{stem}.{n}";
        Path = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        TfRecord.Write(_stream, EventProto.FileVersion(WallTime()));
        _stream.Flush();
    }

    public void Scalar(string tag, double value, long step) =>
        TfRecord.Write(_stream, EventProto.Scalar(WallTime(), step, tag, (float)value));

    /// <summary>Marks a (re)start at <paramref name="step"/>: TensorBoard drops earlier files' points at steps ≥ it.</summary>
    public void SessionStart(long step) => TfRecord.Write(_stream, EventProto.SessionStart(WallTime(), step));

    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();

    private double WallTime() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
}
