using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;
using CleanClip.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>
/// Supervised finetuning (docs/reference-behaviour.md §10): the image tower and a linear head trained end to end with
/// cross-entropy on a labeled folder, BatchNorm in train mode, AdamW (decay on non-bias parameters), warmup + cosine
/// counted from step 0 (this reference path has no off-by-one). Checkpoints resume bit-identically; the result is a
/// CLIP checkpoint with the updated image tower (text tower untouched) plus the head.
/// </summary>
public static class SupervisedTrainer
{
    public const string ModelFileName = Trainer.ModelFileName;
    public const string HeadFileName = "head.safetensors";
    public const string ConfigFileName = Trainer.ConfigFileName;

    public static SupervisedResult Run(SupervisedRun run, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var options = run.Options;
        options.Validate();
        var clock = Stopwatch.StartNew();
        var classifier = run.Classifier;
        classifier.Model.Precision = options.Precision;
        if (classifier.ClassNames.Count != run.TrainData.Classes.Classes.Count)
            throw new ArgumentException($"the head has {classifier.ClassNames.Count} classes but {run.TrainData.Root} has {run.TrainData.Classes.Classes.Count}");
        int stepsPerEpoch = run.TrainData.Count / options.BatchSize;
        if (stepsPerEpoch == 0)
            throw new ArgumentException($"{run.TrainData.Root}: {run.TrainData.Count} images make no full batch of {options.BatchSize}; lower --batch-size");
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, (int)totalSteps, stepsPerEpoch, ScheduleMode.FromZero);
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = classifier.Model.Config.ImageResolution });
        var pipeline = ImagePipeline.FromFiles(run.TrainData.Images.Select(i => i.ImagePath).ToList(), preprocessor,
            new PipelineOptions { BatchSize = options.BatchSize, DropLast = true, Seed = options.Seed, DecodeThreads = options.DecodeThreads }, normalize: true);
        var labels = run.TrainData.Images.Select(i => (long)i.Label).ToArray();
        var folder = new CheckpointFolder(Path.Combine(run.RunDirectory, "checkpoints"), options.KeepCheckpoints);
        using var optimizer = SupervisedDecayGroups.AdamW(classifier.TrainableParameters(), options);

        var state = Start(run, optimizer, folder);
        long startStep = state.Step;
        TrainingOutcome? StopReason() =>
            cancellation.IsCancellationRequested ? TrainingOutcome.Interrupted
            : state.Step - startStep >= (options.StopAfterSteps ?? long.MaxValue) ? TrainingOutcome.StepLimit
            : null;
        using var log = new TrainingLog(run.RunDirectory, run.ResumeFrom is null ? null : state.Step, tensorboard: true);
        string? lastCheckpoint = run.ResumeFrom;
        double? lastLoss = null;
        var window = new Window();
        string Save() => SupervisedCheckpoint.Save(folder, options.KeepCheckpoints, classifier, optimizer, state);
        SupervisedResult Stop(TrainingOutcome outcome) => new(outcome, state.Step, run.RunDirectory, lastCheckpoint, null, null, lastLoss,
            EpochAccuracies(run.RunDirectory), pipeline.SkippedCount, clock.Elapsed);
        classifier.train();
        try
        {
            for (int epoch = state.Epoch; epoch < options.Epochs; epoch++)
            {
                using (var batches = pipeline.Start(epoch, CancellationToken.None, state.Epoch == epoch ? state.BatchInEpoch : 0))
                    foreach (var batch in batches)
                        using (batch)
                        {
                            var step = BatchOutOfMemoryException.Guard(() => Step(classifier, optimizer, schedule, batch, labels, state, lastCheckpoint),
                                options.BatchSize, state.Step + 1, lastCheckpoint);
                            lastLoss = step.Loss;
                            state = state with
                            {
                                Step = state.Step + 1, Epoch = epoch, BatchInEpoch = batch.Number + 1,
                                EpochLossSum = state.EpochLossSum + step.Loss, EpochSteps = state.EpochSteps + 1,
                                EpochCorrect = state.EpochCorrect + step.Correct, EpochImages = state.EpochImages + batch.Count,
                            };
                            window.Add(batch.Count, step.Loss, step.Correct);
                            progress?.Report(new TrainingProgress(epoch, options.Epochs, state.Step, totalSteps, step.Loss, step.LearningRate, window.ImagesPerSecond));
                            if (state.Step % options.LogEverySteps == 0)
                                log.Log(window.Flush(state, step.LearningRate, clock.Elapsed.TotalSeconds));
                            if (options.SaveEverySteps > 0 && state.Step % options.SaveEverySteps == 0)
                                lastCheckpoint = Save();
                            // At an epoch's last batch, stopping waits for the epoch's end: its summary and checkpoint.
                            if (batch.Number + 1 < stepsPerEpoch && StopReason() is { } outcome)
                            {
                                if (lastCheckpoint != folder.PathFor(state.Step)) lastCheckpoint = Save();
                                return Stop(outcome);
                            }
                        }
                log.Log(new MetricsLine
                {
                    Kind = "epoch", Epoch = epoch, Step = state.Step, ElapsedSeconds = clock.Elapsed.TotalSeconds,
                    Loss = state.EpochSteps > 0 ? state.EpochLossSum / state.EpochSteps : null,
                    TrainAccuracy = state.EpochImages > 0 ? (double)state.EpochCorrect / state.EpochImages : null,
                });
                state = state with { Epoch = epoch + 1, BatchInEpoch = 0, EpochLossSum = 0, EpochSteps = 0, EpochCorrect = 0, EpochImages = 0 };
                lastCheckpoint = Save();
                if (epoch + 1 < options.Epochs && StopReason() is { } stop) return Stop(stop);
            }
        }
        finally
        {
            classifier.eval();
        }
        var modelFile = Path.Combine(run.RunDirectory, ModelFileName);
        ModelLoader.Save(classifier.Model, modelFile);
        var headFile = Path.Combine(run.RunDirectory, HeadFileName);
        classifier.SaveHead(headFile);
        // Last of all, so a run folder that holds the marker holds everything else of a completed run.
        RunCompletion.Write(run.RunDirectory, state.Step, modelFile);
        return new SupervisedResult(TrainingOutcome.Completed, state.Step, run.RunDirectory, lastCheckpoint, modelFile, headFile, lastLoss,
            EpochAccuracies(run.RunDirectory), pipeline.SkippedCount, clock.Elapsed);
    }

    private readonly record struct StepResult(double Loss, long Correct, double LearningRate);

    private static StepResult Step(SupervisedClassifier classifier, AdamWOptimizer optimizer, LearningRateSchedule schedule,
        Batch batch, long[] labels, SupervisedState state, string? lastCheckpoint)
    {
        using var scope = NewDisposeScope();
        var device = classifier.Head.weight!.device;
        double rate = schedule.At((int)state.Step);
        optimizer.SetLearningRate(rate);
        var target = tensor(batch.Indices.Select(i => labels[i]).ToArray()).to(device);
        var logits = classifier.forward(batch[ImagePipeline.Pixels].to(device));
        var loss = nn.functional.cross_entropy(logits, target);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) throw new TrainingDivergedException(state.Step, batch.Epoch, "loss", lastCheckpoint);
        long correct = logits.argmax(1).eq(target).sum().item<long>();
        optimizer.ZeroGrad();
        loss.backward();
        var norms = optimizer.Groups.SelectMany(g => g.Parameters).Where(p => p.Parameter.grad is not null).Select(p => p.Parameter.grad!.norm()).ToList();
        if (norms.Count > 0 && !double.IsFinite(stack(norms).norm().item<float>()))
            throw new TrainingDivergedException(state.Step, batch.Epoch, "gradient norm", lastCheckpoint);
        optimizer.Step();
        return new StepResult(value, correct, rate);
    }

    /// <summary>A fresh state (writing config.json and refusing to overwrite another run) or the resumed one.</summary>
    private static SupervisedState Start(SupervisedRun run, AdamWOptimizer optimizer, CheckpointFolder folder)
    {
        var fingerprint = Fingerprint(run.TrainData);
        if (run.ResumeFrom is { } resume)
        {
            var saved = SupervisedCheckpoint.ReadState(resume) ?? throw new InvalidDataException($"{resume}: not a supervised finetuning checkpoint");
            if (saved.TrainDataFingerprint != fingerprint)
                throw new InvalidDataException($"{resume}: was trained on {saved.TrainData} with other images, labels or classes than {run.TrainData.Root} has now; resume with the same data");
            var moments = TrainingCheckpoint.ReadOptimizer(resume);
            try { optimizer.LoadTensors(moments, TrainingCheckpoint.OptimizerPrefix, resume); }
            finally { foreach (var t in moments.Values) t.Dispose(); }
            RunCompletion.Clear(run.RunDirectory);
            return saved with { Options = run.Options };
        }
        if (folder.StepFiles().Count > 0)
            throw new IOException($"{run.RunDirectory} already holds checkpoints of a run: resume it with --resume, or choose another output folder");
        Directory.CreateDirectory(run.RunDirectory);
        RunCompletion.Clear(run.RunDirectory);
        var state = new SupervisedState
        {
            Options = run.Options, TrainData = run.TrainData.Root, TrainDataFingerprint = fingerprint, Classes = run.ClassesFile,
            ClassNames = run.Classifier.ClassNames, Init = run.Init, Vocab = run.Vocab,
        };
        AtomicFile.WriteAllText(Path.Combine(run.RunDirectory, ConfigFileName),
            $"{{\n\"model\": {run.Classifier.Model.Config.ToJson()},\n\"supervised\": {state.ToJson()}\n}}\n");
        return state;
    }

    /// <summary>A short hash of the images (relative path and label) and class names, so a resume on changed data is refused.</summary>
    public static string Fingerprint(LabeledImageDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in data.Classes.Classes) hash.AppendData(Encoding.UTF8.GetBytes($"class\t{name}\n"));
        foreach (var image in data.Images) hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(data.Root, image.ImagePath)}\t{image.Label}\n"));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static IReadOnlyList<double> EpochAccuracies(string runDirectory)
    {
        var path = Path.Combine(runDirectory, MetricsLine.FileName);
        return File.Exists(path)
            ? MetricsLine.ReadAll(path).Where(l => l.Kind == "epoch" && l.TrainAccuracy is not null).Select(l => l.TrainAccuracy!.Value).ToList()
            : [];
    }

    /// <summary>Averages of the steps since the last metrics line, and the images/s they ran at.</summary>
    private sealed class Window
    {
        private long _start = Stopwatch.GetTimestamp(), _images, _correct;
        private int _steps;
        private double _loss;

        public double ImagesPerSecond { get; private set; }

        public void Add(int images, double loss, long correct)
        {
            (_images, _correct, _steps, _loss) = (_images + images, _correct + correct, _steps + 1, _loss + loss);
            var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            ImagesPerSecond = seconds > 0 ? _images / seconds : 0;
        }

        public MetricsLine Flush(SupervisedState state, double learningRate, double elapsedSeconds)
        {
            var line = new MetricsLine
            {
                Kind = "step", Epoch = state.Epoch, Step = state.Step, ElapsedSeconds = elapsedSeconds, Loss = _loss / _steps,
                TrainAccuracy = (double)_correct / _images, LearningRate = learningRate, PairsPerSecond = ImagesPerSecond,
            };
            (_start, _images, _correct, _steps, _loss) = (Stopwatch.GetTimestamp(), 0, 0, 0, 0);
            return line;
        }
    }
}
