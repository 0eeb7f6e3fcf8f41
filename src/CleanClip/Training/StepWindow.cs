using System.Diagnostics;
using CleanClip.Training.Logging;

namespace CleanClip.Training;

/// <summary>Averages of the steps' terms since the last metrics line, and the items (pairs or images) per second they ran at.</summary>
internal sealed class StepWindow
{
    private long _start = Stopwatch.GetTimestamp();
    private long _items, _correct;
    private int _steps;
    private double _loss, _clip, _inModal, _perturbation, _imageDistance, _textDistance;
    private bool _hasClip, _hasInModal, _hasPar, _hasCorrect;

    public double ItemsPerSecond { get; private set; }

    public void Add(int items, StepTerms terms)
    {
        _items += items;
        _steps++;
        _loss += terms.Loss;
        if (terms.Clip is { } clip) { _clip += clip; _hasClip = true; }
        if (terms.InModal is { } inModal) { _inModal += inModal; _hasInModal = true; }
        if (terms.Par is { } p)
        {
            (_perturbation, _imageDistance, _textDistance) = (_perturbation + p.Perturbation, _imageDistance + p.ImageDistance, _textDistance + p.TextDistance);
            _hasPar = true;
        }
        if (terms.Correct is { } correct) { _correct += correct; _hasCorrect = true; }
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        ItemsPerSecond = seconds > 0 ? _items / seconds : 0;
    }

    /// <summary>The window's step line, and a fresh window.</summary>
    public MetricsLine Flush(int epoch, long step, double learningRate, double elapsedSeconds, double? logitScale)
    {
        var line = new MetricsLine
        {
            Kind = "step", Epoch = epoch, Step = step, ElapsedSeconds = elapsedSeconds,
            Loss = _loss / _steps, ClipLoss = _hasClip ? _clip / _steps : null, InModalLoss = _hasInModal ? _inModal / _steps : null,
            PerturbationLoss = _hasPar ? _perturbation / _steps : null, ImageDistance = _hasPar ? _imageDistance / _steps : null,
            TextDistance = _hasPar ? _textDistance / _steps : null,
            TrainAccuracy = _hasCorrect ? (double)_correct / _items : null,
            LearningRate = learningRate, LogitScale = logitScale, PairsPerSecond = ItemsPerSecond,
        };
        (_start, _items, _steps, _loss, _clip, _inModal, _correct) = (Stopwatch.GetTimestamp(), 0, 0, 0, 0, 0, 0);
        (_perturbation, _imageDistance, _textDistance, _hasClip, _hasInModal, _hasPar, _hasCorrect) = (0, 0, 0, false, false, false, false);
        return line;
    }
}
