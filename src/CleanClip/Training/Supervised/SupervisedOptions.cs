using CleanClip.Models;

namespace CleanClip.Training.Supervised;

/// <summary>How the linear head starts.</summary>
public enum HeadInit
{
    /// <summary>torch's default Linear init, U(−1/√D, 1/√D) for weight and bias, drawn from the run's seed: the reference.</summary>
    Random,
    /// <summary>
    /// Rows = the zero-shot class embeddings (prompt-template ensemble, unit length) × exp(logit_scale) / mean‖f‖,
    /// bias 0: on the first step the head predicts exactly the zero-shot classes at the zero-shot temperature
    /// (see <see cref="SupervisedHead.ZeroShot"/>).
    /// </summary>
    ZeroShot,
}

/// <summary>
/// Everything a supervised finetuning run ("sufi", docs/reference-behaviour.md §9, §10) is configured by, with the
/// reference's defaults in one place for the CLI and the library.
/// </summary>
public sealed record SupervisedOptions
{
    /// <summary>The reference's <c>--linear_probe_num_epochs</c> (its <c>--epochs</c> does not reach this path).</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>The reference's <c>--linear_probe_batch_size</c>.</summary>
    public int BatchSize { get; init; } = 80;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>500 in the reference's README; the command in the comment at the bottom of its parser.py uses 100.</summary>
    public int WarmupSteps { get; init; } = 500;
    /// <summary>
    /// On every trainable parameter whose name does not contain "bias" (the reference's rule on this path, so norm
    /// weights are decayed, unlike the contrastive trainer's role rule); biases get 0.
    /// </summary>
    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public HeadInit HeadInit { get; init; } = HeadInit.Random;
    /// <summary>Training images whose mean feature norm sets the zero-shot head's scale (the first ones, in file order).</summary>
    public int ZeroShotNormImages { get; init; } = 256;
    public ulong Seed { get; init; } = 1;
    /// <summary>What the CLIP image tower computes in; weights, gradients and AdamW's moments are fp32 either way.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Image-loading threads; 0 picks the cores LibTorch leaves free.</summary>
    public int DecodeThreads { get; init; }
    /// <summary>Save a checkpoint every this many steps (0: only at epoch ends).</summary>
    public int SaveEverySteps { get; init; }
    /// <summary>Step checkpoints kept on disk, newest first.</summary>
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Write a metrics line every this many steps.</summary>
    public int LogEverySteps { get; init; } = 10;
    /// <summary>Stop after this many optimizer steps of this process (tests and time-boxed runs); null runs to the end.</summary>
    public long? StopAfterSteps { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate, nameof(LearningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps, nameof(WarmupSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(WeightDecay, nameof(WeightDecay));
        ArgumentOutOfRangeException.ThrowIfNegative(SaveEverySteps, nameof(SaveEverySteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(KeepCheckpoints, 1, nameof(KeepCheckpoints));
        ArgumentOutOfRangeException.ThrowIfLessThan(LogEverySteps, 1, nameof(LogEverySteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(ZeroShotNormImages, 1, nameof(ZeroShotNormImages));
    }
}
