using CleanClip.Data;

namespace CleanClip.Training.Supervised;

/// <summary>Everything one supervised finetuning run needs; <see cref="SupervisedTrainer.Run"/> does the rest.</summary>
public sealed record SupervisedRun
{
    /// <summary>The CLIP model with its head already initialised (or restored, when resuming).</summary>
    public required SupervisedClassifier Classifier { get; init; }
    public required LabeledImageDataset TrainData { get; init; }
    public required SupervisedOptions Options { get; init; }
    /// <summary>Receives config.json, metrics.jsonl, checkpoints/, model.safetensors and head.safetensors.</summary>
    public required string RunDirectory { get; init; }
    /// <summary>The checkpoint the weights came from (recorded in the state).</summary>
    public required string Init { get; init; }
    public string? ClassesFile { get; init; }
    public string? Vocab { get; init; }
    /// <summary>A checkpoint of this run to continue from; <see cref="Classifier"/> must already hold its weights.</summary>
    public string? ResumeFrom { get; init; }
}

/// <param name="EpochAccuracies">Training accuracy of every epoch finished in this run folder (resumed epochs included).</param>
public sealed record SupervisedResult(
    TrainingOutcome Outcome,
    long Steps,
    string RunDirectory,
    string? LastCheckpoint,
    string? ModelFile,
    string? HeadFile,
    double? LastLoss,
    IReadOnlyList<double> EpochAccuracies,
    long SkippedImages,
    TimeSpan Elapsed);
