namespace CleanClip.Training.Supervised;

/// <summary>How the linear head starts.</summary>
public enum HeadInit
{
    /// <summary>PyTorch's default Linear init (the reference).</summary>
    Random,
    /// <summary>Rows = the zero-shot class embeddings, scaled to the mean norm of the training features (see <see cref="SupervisedClassifier"/>).</summary>
    ZeroShot,
}

/// <summary>
/// Supervised finetuning (the paper's "sufi", reference §4.8): the image tower plus a linear head on unnormalised
/// features, cross-entropy on labeled images. Defaults are the reference's: lr 1e-4, batch 80, 10 epochs, warmup 500
/// (README; its parser comment says 100), AdamW (0.9, 0.999, 1e-8), weight decay 0.01 on every non-bias parameter and
/// 0 on biases (this path's own rule, unlike pretraining's), cosine counted from step 0 (this path has no off-by-one).
/// </summary>
public sealed record SupervisedOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 80;
    public double LearningRate { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 500;
    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public HeadInit HeadInit { get; init; } = HeadInit.Random;
    public ulong Seed { get; init; } = 1;
    public int DecodeThreads { get; init; }
    public int LogEverySteps { get; init; } = 10;
    public bool TensorBoard { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate, nameof(LearningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps, nameof(WarmupSteps));
    }
}
