namespace CleanClip.Evaluation;

/// <summary>
/// The reference's linear-probe recipe (docs/reference-behaviour.md §12.3): logistic regression on frozen unnormalised
/// image features, AdamW at a hard-coded 0.005 with a cosine schedule and no warmup, 10 epochs of batch 80, weight
/// decay 0.01 on the weight and none on the bias.
/// </summary>
public sealed record LinearProbeOptions
{
    public double LearningRate { get; init; } = 0.005;
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 80;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Seeds the classifier's initial weights and the order of the features in every epoch.</summary>
    public ulong Seed { get; init; }
    /// <summary>Images per forward pass when extracting features.</summary>
    public int FeatureBatchSize { get; init; } = 64;
}
