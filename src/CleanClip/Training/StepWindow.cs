using System.Diagnostics;
using CleanClip.Training.Logging;

namespace CleanClip.Training;

/// <summary>Averages of the steps since the last metrics line, and the pairs/s they ran at.</summary>
internal sealed class StepWindow
{
    private long _start = Stopwatch.GetTimestamp();
    private long _pairs;
    private int _steps;
    private double _loss, _clip, _inModal;
    private bool _hasInModal;

    public double PairsPerSecond { get; private set; }

    public void Add(int pairs, double loss, double clip, double? inModal)
    {
        _pairs += pairs;
        _steps++;
        _loss += loss;
        _clip += clip;
        if (inModal is { } value) { _inModal += value; _hasInModal = true; }
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        PairsPerSecond = seconds > 0 ? _pairs / seconds : 0;
    }

    public MetricsLine Flush(TrainingState state, double learningRate, double elapsedSeconds, double logitScale)
    {
        var line = new MetricsLine
        {
            Kind = "step", Epoch = state.Epoch, Step = state.Step, ElapsedSeconds = elapsedSeconds,
            Loss = _loss / _steps, ClipLoss = _clip / _steps, InModalLoss = _hasInModal ? _inModal / _steps : null,
            LearningRate = learningRate, LogitScale = logitScale, PairsPerSecond = PairsPerSecond,
        };
        (_start, _pairs, _steps, _loss, _clip, _inModal, _hasInModal) = (Stopwatch.GetTimestamp(), 0, 0, 0, 0, 0, false);
        return line;
    }
}
