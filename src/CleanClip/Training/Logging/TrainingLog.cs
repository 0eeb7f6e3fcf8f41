namespace CleanClip.Training.Logging;

/// <summary>
/// What the trainer logs to: every <see cref="MetricsLine"/> goes to <c>&lt;run&gt;/metrics.jsonl</c> and, when asked,
/// its non-null numbers to TensorBoard event files in the run folder (<c>tensorboard --logdir runs/</c> compares runs).
/// Tags: <c>train/…</c> for step lines, <c>epoch/…</c> for epoch lines (and <c>&lt;kind&gt;/…</c> for other kinds),
/// always <c>val/loss</c>, <c>eval/clean_accuracy</c> and <c>eval/attack_success_rate</c>.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private readonly MetricsWriter _metrics;
    private readonly TensorBoardWriter? _tensorBoard;

    public string MetricsPath => _metrics.Path;
    public string? TensorBoardPath => _tensorBoard?.Path;

    /// <param name="resumedStep">
    /// The optimizer steps of the checkpoint a resumed run starts from: later lines of the killed run are dropped from
    /// metrics.jsonl, and TensorBoard is told to drop its later points; null starts a new metrics file.
    /// </param>
    public TrainingLog(string runDir, long? resumedStep = null, bool tensorboard = true, TimeProvider? time = null)
    {
        Directory.CreateDirectory(runDir);
        var path = Path.Combine(runDir, MetricsLine.FileName);
        _metrics = resumedStep is { } step ? MetricsWriter.OpenForResume(path, step) : MetricsWriter.Create(path);
        if (!tensorboard) return;
        try
        {
            _tensorBoard = new TensorBoardWriter(runDir, time);
            if (resumedStep is { } resumed)
            {
                _tensorBoard.SessionStart(resumed + 1);
                _tensorBoard.Flush();
            }
        }
        catch
        {
            _metrics.Dispose();
            throw;
        }
    }

    public void Log(MetricsLine line)
    {
        _metrics.Write(line);
        if (_tensorBoard is null) return;
        foreach (var (tag, value) in Scalars(line))
            _tensorBoard.Scalar(tag, value, line.Step);
        _tensorBoard.Flush();
    }

    /// <summary>The TensorBoard tag and value of each non-null number of a line.</summary>
    public static IEnumerable<(string Tag, double Value)> Scalars(MetricsLine line)
    {
        var prefix = line.Kind switch { "step" => "train", var kind => kind };
        (string, double?)[] fields =
        [
            ($"{prefix}/loss", line.Loss),
            ($"{prefix}/clip_loss", line.ClipLoss),
            ($"{prefix}/in_modal_loss", line.InModalLoss),
            ($"{prefix}/perturbation_loss", line.PerturbationLoss),
            ($"{prefix}/image_distance", line.ImageDistance),
            ($"{prefix}/text_distance", line.TextDistance),
            ($"{prefix}/learning_rate", line.LearningRate),
            ($"{prefix}/logit_scale", line.LogitScale),
            ($"{prefix}/pairs_per_second", line.PairsPerSecond),
            ("val/loss", line.ValidationLoss),
            ("eval/clean_accuracy", line.CleanAccuracy),
            ("eval/attack_success_rate", line.AttackSuccessRate),
        ];
        foreach (var (tag, value) in fields)
            if (value is { } v) yield return (tag, v);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _tensorBoard?.Dispose();
    }
}
