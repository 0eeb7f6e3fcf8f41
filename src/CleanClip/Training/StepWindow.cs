using System.Diagnostics;
using CleanClip.Training.Logging;

namespace CleanClip.Training;

/// <summary>Averages of the steps since the last metrics line, and the pairs/s they ran at.</summary>
internal sealed class StepWindow
{
    private long _start = Stopwatch.GetTimestamp();
    private long _pairs;
    private int _steps;
    private double _loss, _clip, _inModal, _perturbation, _imageDistance, _textDistance;
    private bool _hasInModal, _hasPar;

    public double PairsPerSecond { get; private set; }

    /// <param name="par">PAR runs: the perturbation term and the two towers' distances to the frozen model.</param>
    public void Add(int pairs, double loss, double clip, double? inModal, (double Perturbation, double ImageDistance, double TextDistance)? par = null)
    {
        _pairs += pairs;
        _steps++;
        _loss += loss;
        _clip += clip;
        if (inModal is { } value) { _inModal += value; _hasInModal = true; }
        if (par is { } p)
        {
            (_perturbation, _imageDistance, _textDistance) = (_perturbation + p.Perturbation, _imageDistance + p.ImageDistance, _textDistance + p.TextDistance);
            _hasPar = true;
        }
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        PairsPerSecond = seconds > 0 ? _pairs / seconds : 0;
    }

    public MetricsLine Flush(TrainingState state, double learningRate, double elapsedSeconds, double logitScale)
    {
        var line = new MetricsLine
        {
            Kind = "step", Epoch = state.Epoch, Step = state.Step, ElapsedSeconds = elapsedSeconds,
            Loss = _loss / _steps, ClipLoss = _clip / _steps, InModalLoss = _hasInModal ? _inModal / _steps : null,
            PerturbationLoss = _hasPar ? _perturbation / _steps : null, ImageDistance = _hasPar ? _imageDistance / _steps : null,
            TextDistance = _hasPar ? _textDistance / _steps : null,
            LearningRate = learningRate, LogitScale = logitScale, PairsPerSecond = PairsPerSecond,
        };
        (_start, _pairs, _steps, _loss, _clip, _inModal, _hasInModal) = (Stopwatch.GetTimestamp(), 0, 0, 0, 0, 0, false);
        (_perturbation, _imageDistance, _textDistance, _hasPar) = (0, 0, 0, false);
        return line;
    }
}
