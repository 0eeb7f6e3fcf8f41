using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Augmentation;

namespace CleanClip.Training;

/// <summary>Zero-shot numbers of the evaluation hook that runs during training.</summary>
public sealed record EpochEvaluation(double CleanAccuracy, double? AttackSuccessRate);

/// <summary>What the progress bar shows after each step.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, long Step, long TotalSteps, double Loss, double LearningRate, double PairsPerSecond);

public enum TrainingOutcome
{
    Completed,
    /// <summary>Cancelled (Ctrl-C): a checkpoint of the last finished step was saved; <c>--resume</c> continues.</summary>
    Interrupted,
    /// <summary><see cref="TrainingOptions.StopAfterSteps"/> reached: a checkpoint was saved.</summary>
    StepLimit,
}

/// <param name="SkippedImages">
/// The table's images the run could not load, each once, in line order (every session's, when resumed); also in the
/// run folder's <see cref="SkippedImageList.FileName"/>.
/// </param>
/// <param name="Captions">How many of the table's captions are longer than the model's context.</param>
public sealed record TrainingResult(
    TrainingOutcome Outcome,
    long Steps,
    string RunDirectory,
    string? LastCheckpoint,
    string? ModelFile,
    string? BestCheckpoint,
    double? LastLoss,
    double? BestValidationLoss,
    IReadOnlyList<SkippedInput> SkippedImages,
    CaptionTruncation Captions,
    TimeSpan Elapsed);

/// <summary>Everything one training run needs; <see cref="Trainer.Run"/> does the rest.</summary>
public sealed record TrainingRun
{
    public required ClipModel Model { get; init; }
    public required ClipTokenizer Tokenizer { get; init; }
    public required ImageCaptionDataset TrainData { get; init; }
    public ImageCaptionDataset? ValidationData { get; init; }
    public required TrainingOptions Options { get; init; }
    /// <summary>Receives config.json, metrics.jsonl, TensorBoard events, checkpoints/ and the final model.safetensors.</summary>
    public required string RunDirectory { get; init; }
    /// <summary>The in-modal image view (null: none, only allowed without in-modal training).</summary>
    public IImageAugmentation? ImageAugmentation { get; init; }
    /// <summary>The in-modal caption view; null uses EDA without synonyms (swap and deletion only).</summary>
    public Eda? TextAugmentation { get; init; }
    /// <summary>
    /// PAR's frozen copy of the initial model (<see cref="Init"/>), same architecture and device as <see cref="Model"/>;
    /// required for <see cref="TrainingMethod.Par"/>, unused otherwise. The trainer puts it in eval mode, turns off its
    /// gradients and sets its precision; the caller owns (and disposes) it.
    /// </summary>
    public ClipModel? Reference { get; init; }
    /// <summary>The model name or checkpoint the weights came from (recorded in the state).</summary>
    public required string Init { get; init; }
    public required string Vocab { get; init; }
    /// <summary>A training checkpoint whose optimizer moments are restored before the first step (<c>--restore-optimizer</c>).</summary>
    public string? OptimizerFrom { get; init; }
    /// <summary>
    /// When <see cref="OptimizerFrom"/> holds no optimizer state, start a fresh AdamW (telling <see cref="Note"/>)
    /// instead of refusing: the reference preset's restore, which takes whatever state the checkpoint has.
    /// </summary>
    public bool OptimizerStateOptional { get; init; }
    /// <summary>Receives what the user should be told about the run's setup (the job prints it with its notes).</summary>
    public Action<string>? Note { get; init; }
    /// <summary>A checkpoint of this run to continue from (<c>--resume</c>); the model must already hold its weights.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Zero-shot evaluation run every <see cref="TrainingOptions.EvalEveryEpochs"/> epochs (model in eval mode, no grad).</summary>
    public Func<ClipModel, EpochEvaluation>? Evaluate { get; init; }
}
