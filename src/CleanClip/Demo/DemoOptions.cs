using CleanClip.Data.Synthetic;
using CleanClip.Poisoning;
using CleanClip.Training;
using CleanClip.Training.Supervised;

namespace CleanClip.Demo;

/// <summary>
/// The embedded default: every size of the demo in one place, chosen by measurement on a 2-core CPU
/// (tools/demo-recipe/RESULTS.md); <see cref="Quick"/> is the two-minute version.
/// </summary>
public sealed record DemoOptions
{
    public string Output { get; init; } = "runs/demo";
    public SyntheticWorldOptions World { get; init; } = new() { Count = 10_000, FinetuneCount = 5_000, TestCount = 1_000, ImageSize = 32, Seed = 1, KindCentredProbability = 0.8 };
    /// <summary>Any trigger of <see cref="TriggerFactory.Names"/>.</summary>
    public TriggerOptions Trigger { get; init; } = new() { Name = "badnet", PatchSize = 8 };
    public string Target { get; init; } = "banana";
    /// <summary>Share of the pretraining pairs that are poisoned.</summary>
    public double PoisonRate { get; init; } = 0.05;
    public string Model { get; init; } = "demo-rn";
    /// <summary>BPE merges of the vocabulary trained on the world's captions.</summary>
    public int Merges { get; init; } = 500;
    public TrainingOptions Pretraining { get; init; } = new()
    {
        Epochs = 10, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 78, Beta2 = 0.98, LogEverySteps = 10, TensorBoard = false,
    };
    public TrainingOptions Cleaning { get; init; } = TrainingOptions.Cleaning() with
    {
        Epochs = 3, BatchSize = 64, LearningRate = 3e-4, WarmupSteps = 12, Beta2 = 0.98, LogEverySteps = 10, TensorBoard = false,
    };
    /// <summary>The cleaning methods compared (the paper's CleanCLIP and its two baselines).</summary>
    public IReadOnlyList<TrainingMethod> Methods { get; init; } = [TrainingMethod.CleanClip, TrainingMethod.Mmcl, TrainingMethod.Ssl];
    /// <summary>Supervised finetuning on a labeled split (a second world's class-balanced images); null leaves it out.</summary>
    public SupervisedOptions? Supervised { get; init; } = new()
    {
        Epochs = 3, BatchSize = 64, LearningRate = 3e-4, WarmupSteps = 10, HeadInit = HeadInit.ZeroShot,
    };
    /// <summary>Labeled images for supervised finetuning.</summary>
    public int SupervisedImages { get; init; } = 2_000;
    public ulong Seed { get; init; } = 1;
    public int DecodeThreads { get; init; }
    public string Device { get; init; } = "auto";
    /// <summary>Re-run stages whose outputs exist instead of reusing them.</summary>
    public bool Overwrite { get; init; }

    /// <summary>The two-minute version: a smaller world, fewer epochs; the story is weaker but the same.</summary>
    public static DemoOptions Quick(DemoOptions d) => d with
    {
        World = d.World with { Count = 4_000, FinetuneCount = 1_500, TestCount = 400 },
        Pretraining = d.Pretraining with { Epochs = 4 },
        Cleaning = d.Cleaning with { Epochs = 2 },
        SupervisedImages = 800,
    };
}
