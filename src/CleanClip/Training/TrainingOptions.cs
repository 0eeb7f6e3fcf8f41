using CleanClip.Models;
using CleanClip.Optimization;

namespace CleanClip.Training;

/// <summary>Which terms of the CleanCLIP objective a run optimizes.</summary>
public enum TrainingMethod
{
    /// <summary>Multimodal contrastive loss only: CLIP pretraining, or the paper's "finetune with MMCL" baseline.</summary>
    Mmcl,
    /// <summary>λ1·ClipLoss + λ2·InModalLoss over [originals; augmented views].</summary>
    CleanClip,
    /// <summary>The in-modal self-supervised loss alone (λ1 = 0): the paper's SSL-only baseline.</summary>
    Ssl,
    /// <summary>
    /// PAR (Perturb and Recover, docs/par.md): λ1·ClipLoss − w·½(P_image + P_text), pushing the embeddings away from a
    /// frozen copy of the initial model's up to a distance τ.
    /// </summary>
    Par,
}

/// <summary>When augmented captions are drawn.</summary>
public enum EdaRefresh
{
    /// <summary>Once per caption per run, as the reference does.</summary>
    Static,
    /// <summary>A fresh augmentation of every caption each epoch.</summary>
    Epoch,
}

/// <summary>
/// Everything a contrastive training run is configured by, with defaults in one place: the reference's pretraining
/// recipe (docs/reference-behaviour.md §9); <see cref="Cleaning"/> gives the paper's CleanCLIP finetuning recipe. The
/// CLI reads its defaults from these records.
/// </summary>
public sealed record TrainingOptions
{
    public TrainingMethod Method { get; init; } = TrainingMethod.Mmcl;
    public int Epochs { get; init; } = 64;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 5e-4;
    public int WarmupSteps { get; init; } = 10_000;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public ScheduleMode Schedule { get; init; } = ScheduleMode.FromZero;
    public DecayRule DecayRule { get; init; } = DecayRule.Role;
    /// <summary>Clip the global gradient norm to this value; null leaves gradients alone (the reference).</summary>
    public double? GradientClipNorm { get; init; }
    /// <summary>λ1, the weight of the CLIP loss (forced to 0 by <see cref="TrainingMethod.Ssl"/>).</summary>
    public double ClipWeight { get; init; } = 1;
    /// <summary>λ2, the weight of the in-modal loss.</summary>
    public double InModalWeight { get; init; } = 1;
    /// <summary>Average both directions of each in-modal term instead of the reference's original→augmented only.</summary>
    public bool SymmetricInModal { get; init; }
    /// <summary>
    /// Image augmentation (<see cref="Augmentation.ImageAugmentations"/>): of the in-modal view for CleanClip and Ssl
    /// (autoaugment, the reference's), of the one view both models see for Par (the CLI picks par unless one is given).
    /// </summary>
    public string ImageAugmentation { get; init; } = "autoaugment";
    /// <summary>τ of PAR: a tower's perturbation term counts while its mean squared embedding distance is at most τ (≤ 4).</summary>
    public double ParTau { get; init; } = Losses.ParObjective.DefaultTau;
    /// <summary>w of PAR, the weight of ½(P_image + P_text) subtracted from the CLIP loss (the authors' is 1).</summary>
    public double ParWeight { get; init; } = 1;
    public EdaRefresh EdaRefresh { get; init; } = EdaRefresh.Static;
    /// <summary>WordNet 3.0 database folder for EDA synonyms; null searches the usual places.</summary>
    public string? WordNet { get; init; }
    public double EdaAlpha { get; init; } = 0.1;
    /// <summary>
    /// Run in-modal training without WordNet (EDA then has no synonym replacement or random insertion) instead of
    /// refusing to start when WordNet is not found.
    /// </summary>
    public bool NoWordNet { get; init; }
    /// <summary>Restore the optimizer moments stored in the initial checkpoint (what the reference silently does).</summary>
    [ReferenceSwitch]
    public bool RestoreOptimizer { get; init; }
    /// <summary>
    /// The preset the run's defaults came from (<c>--preset</c>), recorded in config.json and every checkpoint so that a
    /// resumed run keeps it; the settings it changed are the other properties.
    /// </summary>
    public Preset Preset { get; init; } = Preset.Default;
    public ulong Seed { get; init; } = 1;
    /// <summary>What the model computes in; weights, gradients and AdamW's moments are fp32 either way.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Image-loading threads; 0 picks the cores LibTorch leaves free.</summary>
    public int DecodeThreads { get; init; }
    /// <summary>Save a checkpoint every this many steps (0: only at epoch ends).</summary>
    public int SaveEverySteps { get; init; }
    /// <summary>Step checkpoints kept on disk, newest first; the best-by-validation one is kept apart.</summary>
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Write a metrics line (and TensorBoard scalars) every this many steps.</summary>
    public int LogEverySteps { get; init; } = 10;
    public bool TensorBoard { get; init; } = true;
    /// <summary>Run the evaluation hook every this many epochs (0: never).</summary>
    public int EvalEveryEpochs { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps of this process (tests and time-boxed runs); null runs to the end.</summary>
    public long? StopAfterSteps { get; init; }

    /// <summary>Whether batches carry augmented views and the in-modal loss is computed.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool UsesInModal => Method is TrainingMethod.CleanClip or TrainingMethod.Ssl;

    /// <summary>Whether the run needs the frozen copy of its initial model (PAR).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool UsesReference => Method == TrainingMethod.Par;

    /// <summary>The image augmentation a method uses when none is given: PAR's own for Par, else <paramref name="otherwise"/>.</summary>
    public static string DefaultImageAugmentation(TrainingMethod method, string otherwise) =>
        method == TrainingMethod.Par ? Augmentation.ImageAugmentations.Par : otherwise;

    /// <summary>The paper's CleanCLIP finetuning (README): λ1 = λ2 = 1, lr 1e-5, 10 epochs, batch 64, warmup 50.</summary>
    public static TrainingOptions Cleaning(TrainingMethod method = TrainingMethod.CleanClip) => new()
    {
        Method = method, Epochs = 10, BatchSize = 64, LearningRate = 1e-5, WarmupSteps = 50,
    };

    /// <summary>Refuses a setting out of range (NaN and infinities included), naming its CLI option; nothing is written before.</summary>
    public void Validate()
    {
        StepOptionChecks.Validate(Epochs, BatchSize, minBatch: 2, LearningRate, WarmupSteps, WeightDecay, Beta1, Beta2, Epsilon,
            DecodeThreads, SaveEverySteps, KeepCheckpoints, LogEverySteps, StopAfterSteps);
        if (GradientClipNorm is { } clip) OptionCheck.AtLeast(clip, 0, "--grad-clip", exclusive: true);
        OptionCheck.AtLeast(ClipWeight, 0, "--clip-weight");
        OptionCheck.AtLeast(InModalWeight, 0, "--inmodal-weight");
        OptionCheck.InRange(EdaAlpha, 0, 1, "--eda-alpha");
        OptionCheck.AtLeast(EvalEveryEpochs, 0, "--eval-every");
        // Unit embeddings are at most 2 apart: at τ = 4 the term is never dropped, and a larger τ would mean the same.
        OptionCheck.InRange(ParTau, 0, 4, "--par-tau", minExclusive: true);
        OptionCheck.AtLeast(ParWeight, 0, "--par-weight");
        if (Method == TrainingMethod.CleanClip && ClipWeight == 0 && InModalWeight == 0)
            throw new ArgumentException("both loss weights are 0: nothing to train");
        if (Method == TrainingMethod.Par && ClipWeight == 0 && ParWeight == 0)
            throw new ArgumentException("--clip-weight and --par-weight are both 0: nothing to train");
    }
}

/// <summary>The checks the contrastive and the supervised trainer share: epochs, batch, AdamW and run bookkeeping.</summary>
internal static class StepOptionChecks
{
    public static void Validate(int epochs, int batchSize, int minBatch, double learningRate, int warmupSteps, double weightDecay,
        double beta1, double beta2, double epsilon, int decodeThreads, int saveEverySteps, int keepCheckpoints, int logEverySteps, long? stopAfterSteps)
    {
        OptionCheck.AtLeast(epochs, 1, "--epochs");
        OptionCheck.AtLeast(batchSize, minBatch, "--batch-size");
        OptionCheck.AtLeast(learningRate, 0, "--lr", exclusive: true);
        OptionCheck.AtLeast(warmupSteps, 0, "--warmup");
        OptionCheck.AtLeast(weightDecay, 0, "--weight-decay");
        OptionCheck.InRange(beta1, 0, 1, "--beta1", maxExclusive: true);
        OptionCheck.InRange(beta2, 0, 1, "--beta2", maxExclusive: true);
        OptionCheck.AtLeast(epsilon, 0, "--eps", exclusive: true);
        OptionCheck.AtLeast(decodeThreads, 0, "--decode-threads");
        OptionCheck.AtLeast(saveEverySteps, 0, "--save-every");
        OptionCheck.AtLeast(keepCheckpoints, 1, "--keep");
        OptionCheck.AtLeast(logEverySteps, 1, "--log-every");
        // Zero steps would still load the model and write a checkpoint of nothing: refuse it.
        if (stopAfterSteps is { } stop) OptionCheck.AtLeast(stop, 1, "--stop-after");
    }
}
