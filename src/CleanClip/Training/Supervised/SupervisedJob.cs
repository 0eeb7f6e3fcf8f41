using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Checkpointing;

namespace CleanClip.Training.Supervised;

/// <summary>Options of <c>cleanclip finetune-supervised</c>.</summary>
public sealed record SupervisedJobOptions
{
    /// <summary>The CLIP checkpoint to finetune (required unless <see cref="Resume"/>).</summary>
    public string? Checkpoint { get; init; }
    /// <summary>Registry config for a checkpoint that carries none and cannot be inferred.</summary>
    public string? ModelConfig { get; init; }
    /// <summary>Head counts a checkpoint cannot tell (<c>--text-heads</c>, <c>--vision-heads</c>); they override the architecture's.</summary>
    public HeadCounts? Heads { get; init; }
    /// <summary>Labeled folder (labels.csv + classes file, or class sub-folders).</summary>
    public string? TrainData { get; init; }
    public string? Classes { get; init; }
    /// <summary>BPE vocabulary of the text tower; needed for <see cref="HeadInit.ZeroShot"/> only.</summary>
    public string? Vocab { get; init; }
    public TruncationMode Truncation { get; init; } = TruncationMode.KeepEndOfText;
    /// <summary>The run folder: config.json, metrics.jsonl, checkpoints/, model.safetensors, head.safetensors.</summary>
    public string Out { get; init; } = "runs/finetune-supervised";
    /// <summary>A run folder to continue from its latest checkpoint; every setting but threads and --stop-after comes from it.</summary>
    public string? Resume { get; init; }
    public string Device { get; init; } = "auto";
    /// <summary>Open TorchScript checkpoints, which can run code (<see cref="Checkpoints.CheckpointReadOptions.TrustTorchScript"/>).</summary>
    public bool TrustTorchScript { get; init; }
    public SupervisedOptions Training { get; init; } = new();
}

/// <summary>What the job did, plus anything the user should be told (skipped images, the zero-shot head's scale).</summary>
public sealed record SupervisedJobResult(SupervisedResult Training, IReadOnlyList<string> Notes, string? ResumedFrom);

/// <summary>Sets up a <see cref="SupervisedRun"/> from files (labeled folder, checkpoint, vocabulary) and runs it.</summary>
public static class SupervisedJob
{
    /// <summary>The random head's seed is <c>SplitMix64.Derive(seed, HeadSeedStream)</c>.</summary>
    public const ulong HeadSeedStream = 0x5F1;

    public static SupervisedJobResult Run(SupervisedJobOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var notes = new List<string>();
        var device = TorchDevice.Choose(options.Device);
        var job = options;
        string? resumeFrom = null;
        if (options.Resume is { } resumeDir)
        {
            var latest = new CheckpointFolder(Path.Combine(resumeDir, "checkpoints"), 1)
                .ResumePoint(SupervisedCheckpoint.ReadState, "supervised finetuning state", notes);
            resumeFrom = latest.File;
            var saved = latest.State;
            // The run continues as configured; only how it runs (threads, when to stop) may change.
            job = options with
            {
                TrainData = saved.TrainData, Classes = saved.Classes, Vocab = saved.Vocab, Checkpoint = saved.Init, Out = resumeDir,
                Training = saved.Options with { DecodeThreads = options.Training.DecodeThreads, StopAfterSteps = options.Training.StopAfterSteps },
            };
        }
        var trainPath = job.TrainData ?? throw new ArgumentException("--train-data is required: a labeled folder (labels.csv + classes file)");
        var train = LabeledImageDataset.Load(trainPath, job.Classes);
        if (train.Images.Any(i => i.Pixels is not null))
            throw new ArgumentException(
                $"--train-data {trainPath}: a dataset of array files (MNIST/CIFAR layout), which training does not read; " +
                "write its train split as images with 'cleanclip caption-table --split train --out DIR/labels.csv' and give DIR");
        if (train.Skipped.SkippedCount > 0) notes.Add($"{trainPath}: {train.Skipped.Summary()}");
        var training = job.Training;

        SupervisedClassifier classifier;
        if (resumeFrom is not null)
            classifier = SupervisedCheckpoint.ReadClassifier(resumeFrom, device);
        else
        {
            var checkpoint = job.Checkpoint ?? throw new ArgumentException("--checkpoint is required: the CLIP checkpoint to finetune");
            var model = ModelLoader.Load(checkpoint, job.ModelConfig, (long)training.Seed, device, CheckpointReadOptions.Trusting(job.TrustTorchScript), job.Heads);
            try { classifier = NewClassifier(model, train, job, notes); }
            catch { model.Dispose(); throw; }
        }
        using (classifier)
        {
            var run = new SupervisedRun
            {
                Classifier = classifier, TrainData = train, Options = training, RunDirectory = job.Out,
                Init = job.Checkpoint!, ClassesFile = job.Classes, Vocab = job.Vocab, ResumeFrom = resumeFrom,
            };
            var result = SupervisedTrainer.Run(run, progress, cancellation);
            if (result.SkippedImages > 0) notes.Add($"{result.SkippedImages} unreadable images were skipped");
            return new SupervisedJobResult(result, notes, resumeFrom);
        }
    }

    private static SupervisedClassifier NewClassifier(ClipModel model, LabeledImageDataset train, SupervisedJobOptions job, List<string> notes)
    {
        var classes = train.Classes;
        var training = job.Training;
        if (training.HeadInit == HeadInit.ZeroShot)
        {
            var vocab = job.Vocab ?? throw new ArgumentException("--head-init zero-shot needs --vocab: the BPE vocabulary (.txt.gz) of the model's text tower");
            var tokenizer = ClipTokenizer.FromVocabFile(vocab, new TokenizerOptions { Truncation = job.Truncation });
            TokenizerFit.Check(model, tokenizer, vocab);
            var (weight, bias, scale) = SupervisedHead.ZeroShot(model, tokenizer, classes, train.Images.Select(i => i.ImagePath).ToList(),
                training.ZeroShotNormImages, training.DecodeThreads);
            notes.Add($"zero-shot head: class embeddings × {scale:G4} (exp(logit_scale) / mean feature norm)");
            using (weight) using (bias) return new SupervisedClassifier(model, classes.Classes, weight, bias);
        }
        var (w, b) = SupervisedHead.Random(model.Config.EmbedDim, classes.Classes.Count, SplitMix64.Derive(training.Seed, HeadSeedStream));
        using (w) using (b) return new SupervisedClassifier(model, classes.Classes, w, b);
    }
}
