using CleanClip.Data.Synthetic;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Training;
using CleanClip.Training.Supervised;

namespace CleanClip.Demo;

/// <summary>
/// The embedded default: every size of the demo in one place, chosen by measurement on a 2-core CPU
/// (docs/experiments/demo-recipe.md, learning-plateau.md); <see cref="Quick"/> is the two-minute version.
/// </summary>
public sealed record DemoOptions
{
    public string Output { get; init; } = "runs/demo";
    /// <summary>
    /// The world <c>cleanclip demo</c> runs without <c>--world</c>: the real one, which tells the whole story (a strong
    /// backdoor, CleanCLIP removing it at the poisoned model's accuracy, MMCL-only keeping more of it) on real images
    /// (docs/experiments/real-world-recipe.md).
    /// </summary>
    public const DemoWorldKind DefaultWorld = DemoWorldKind.Real;
    /// <summary>
    /// Synthetic shapes (<see cref="World"/>) or the shipped Fashion-MNIST subset (<see cref="Real"/>). The record's
    /// values are the synthetic demo's; <see cref="RealWorld"/> turns them into the real world's recipe.
    /// </summary>
    public DemoWorldKind WorldKind { get; init; } = DemoWorldKind.Synthetic;
    /// <summary>The real world's data folder and ranges (used when <see cref="WorldKind"/> is <see cref="DemoWorldKind.Real"/>).</summary>
    public RealWorldOptions Real { get; init; } = new();
    public SyntheticWorldOptions World { get; init; } = new() { Count = 10_000, FinetuneCount = 5_000, TestCount = 1_000, ImageSize = 32, Seed = 1, KindCentredProbability = 0.8 };
    /// <summary>Any trigger of <see cref="TriggerFactory.Names"/>.</summary>
    public TriggerOptions Trigger { get; init; } = new() { Name = "badnet", PatchSize = 8 };
    public string Target { get; init; } = "banana";
    /// <summary>Dirty label (the demo), or label-consistent: only pairs already captioned with the target are triggered.</summary>
    public PoisonMode PoisonMode { get; init; } = PoisonMode.DirtyLabel;
    /// <summary>Share of the pretraining pairs that are poisoned.</summary>
    public double PoisonRate { get; init; } = 0.05;
    public string Model { get; init; } = "demo-rn";
    /// <summary>BPE merges of the vocabulary trained on the world's captions.</summary>
    public int Merges { get; init; } = 500;
    /// <summary>
    /// Weight decay 0.01 rather than CLIP's 0.1: with 0.1 the late epochs erode more of the backdoor, and MMCL-only
    /// cleaning removes more of what is left (docs/experiments/learning-plateau.md).
    /// </summary>
    public TrainingOptions Pretraining { get; init; } = new()
    {
        Epochs = 10, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 78, WeightDecay = 0.01, Beta2 = 0.98, LogEverySteps = 10, TensorBoard = false,
    };
    /// <summary>
    /// The in-modal loss first costs clean accuracy (BatchNorm statistics over [originals; AutoAugment views]) and
    /// CleanCLIP wins it back over the epochs; 4 epochs at 5e-4 get it back sooner than a lower rate, while MMCL alone
    /// still keeps much of the backdoor (at 1e-3 it removes most of it too). See docs/experiments/learning-plateau.md.
    /// </summary>
    public TrainingOptions Cleaning { get; init; } = TrainingOptions.Cleaning() with
    {
        Epochs = 4, BatchSize = 64, LearningRate = 5e-4, WarmupSteps = 12, Beta2 = 0.98, LogEverySteps = 10, TensorBoard = false,
    };
    /// <summary>The cleaning methods compared (the paper's CleanCLIP and its two baselines).</summary>
    public IReadOnlyList<TrainingMethod> Methods { get; init; } = [TrainingMethod.CleanClip, TrainingMethod.Mmcl, TrainingMethod.Ssl];
    /// <summary>Supervised finetuning on a labeled split (a second world's class-balanced images); null leaves it out.</summary>
    public SupervisedOptions? Supervised { get; init; } = new()
    {
        Epochs = 3, BatchSize = 64, LearningRate = 3e-4, WarmupSteps = 10, HeadInit = HeadInit.ZeroShot,
    };
    /// <summary>Labeled images for supervised finetuning and the linear probe (synthetic world; the real world uses its cleaning images).</summary>
    public int SupervisedImages { get; init; } = 2_000;
    /// <summary>
    /// Also score each CLIP checkpoint by a linear probe (the reference's recipe) trained on the labeled images and
    /// tested on the test split, clean and triggered: the backdoor as a classifier on the frozen features sees it.
    /// </summary>
    public bool LinearProbe { get; init; } = true;

    /// <summary>
    /// Scan the poisoned pretraining pairs with the poisoned model (<c>cleanclip scan</c>: local-outlier scores of the
    /// image embeddings) and report how well the primary score finds the poisoned pairs.
    /// </summary>
    public bool Scan { get; init; } = true;

    /// <summary>
    /// Also the dataset-side defense (<see cref="DemoJob.FilterAndRetrain"/>): drop the pretraining pairs the scan scores
    /// highest and train a fresh model on the rest, shown as the "filtered" row. It costs a second pretraining (one per
    /// round), so it is off by default.
    /// </summary>
    public bool FilterRetrain { get; init; }
    /// <summary>
    /// One entry per scan-filter-retrain round: the share of that round's table it drops. The first round scans the
    /// poisoned pairs with the poisoned model; each later one scans the table the previous round left with the model
    /// retrained on it. The scans embed the captions, so the combined score (multik and pmi) ranks the pairs. The
    /// default is one round dropping 10 % (twice the demo's poison rate, which the defender does not know): on the real
    /// world's three seeds it left none of the 500 poisoned pairs (docs/experiments/scan-detection.md).
    /// </summary>
    public IReadOnlyList<double> FilterFractions { get; init; } = [0.10];
    public ulong Seed { get; init; } = 1;
    /// <summary>What every stage's model computes in (training, cleaning, evaluation).</summary>
    public Models.Precision Precision { get; init; } = Models.Precision.Fp32;
    public int DecodeThreads { get; init; }
    public string Device { get; init; } = "auto";
    /// <summary>Re-run stages whose outputs exist instead of reusing them.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// The two-minute version: a smaller world, fewer epochs; the story is weaker but the same. It keeps weight decay
    /// 0.1 and cleaning lr 3e-4: with the full demo's 0.01 and 5e-4 its barely-trained model did not show CleanCLIP
    /// removing the backdoor on every seed (docs/experiments/learning-plateau.md).
    /// </summary>
    /// <remarks>
    /// On the real world (<see cref="RealWorld"/> first) it pretrains on 4,000 images for 4 epochs at weight decay 0.1
    /// like the synthetic quick demo, and cleans on 1,500 for 5 epochs at lr 5e-4 (λ2 = 1): at 1.5e-3 MMCL-only
    /// finetuning removed its shallower backdoor as well (docs/experiments/real-world-recipe.md; its spread over seeds
    /// and thread counts: docs/experiments/cleaning-frontier.md).
    /// </remarks>
    public static DemoOptions Quick(DemoOptions d) => d.WorldKind == DemoWorldKind.Real
        ? d with
        {
            Real = d.Real with { Pretraining = new(d.Real.Pretraining.Start, d.Real.Pretraining.Start + 4_000), Cleaning = new(d.Real.Cleaning.Start, d.Real.Cleaning.Start + 1_500) },
            Pretraining = d.Pretraining with { Epochs = 4, WeightDecay = 0.1 },
            Cleaning = d.Cleaning with { Epochs = 5, LearningRate = 5e-4, InModalWeight = 1 },
        }
        : d with
        {
            World = d.World with { Count = 4_000, FinetuneCount = 1_500, TestCount = 400 },
            Pretraining = d.Pretraining with { Epochs = 4, WeightDecay = 0.1 },
            Cleaning = d.Cleaning with { Epochs = 2, LearningRate = 3e-4 },
            SupervisedImages = 800,
        };

    /// <summary>
    /// The demo on the shipped Fashion-MNIST subset: 10,000 captioned train images (5 % poisoned, dirty label, target
    /// <c>sneaker</c>) for pretraining with the synthetic demo's schedule, the remaining 2,000 for cleaning, the 2,000
    /// test images for evaluation. The cleaning recipe (10 epochs of the 2,000 pairs at lr 1e-3, in-modal weight
    /// λ2 = 2) is the one the sweep of docs/experiments/cleaning-frontier.md chose on seeds 1–3: where CleanCLIP removed
    /// the backdoor on every seed within 3 points of the poisoned model's clean accuracy while MMCL-only finetuning
    /// with the same rate and steps kept the most of it.
    /// </summary>
    public static DemoOptions RealWorld(DemoOptions d) => d with
    {
        WorldKind = DemoWorldKind.Real,
        Target = "sneaker",
        Cleaning = d.Cleaning with { Epochs = 10, LearningRate = 1e-3, InModalWeight = 2 },
    };
}
