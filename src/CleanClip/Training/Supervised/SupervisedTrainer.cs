using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;
using CleanClip.Optimization;
using TorchSharp.Modules;
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
        var clock = Stopwatch.StartNew();
        var task = new SupervisedTask(run);
        try
        {
            var end = TrainingEngine.Run(task, run.RunDirectory, run.ResumeFrom, clock, progress, cancellation);
            return new SupervisedResult(end.Result, end.State.Step, run.RunDirectory, end.LastCheckpoint, end.ModelFile,
                end.ModelFile is null ? null : Path.Combine(run.RunDirectory, HeadFileName), end.LastLoss,
                EpochAccuracies(run.RunDirectory), task.SkippedCount, clock.Elapsed);
        }
        finally
        {
            task.Dispose();
        }
    }

    /// <summary>The supervised task: labeled images, cross-entropy through the image tower and the head.</summary>
    private sealed class SupervisedTask : ITrainingTask<SupervisedState>, IDisposable
    {
        private readonly SupervisedRun _run;
        private readonly SupervisedClassifier _classifier;
        private readonly LearningRateSchedule _schedule;
        private readonly BatchPipeline<RgbImage> _pipeline;
        private readonly long[] _labels;
        private readonly AdamWOptimizer _optimizer;
        private readonly IReadOnlyList<Parameter> _parameters;

        public LoopSettings Loop { get; }
        public int StepsPerEpoch { get; }
        public long SkippedCount => _pipeline.SkippedCount;

        public SupervisedTask(SupervisedRun run)
        {
            _run = run;
            var options = run.Options;
            options.Validate();
            _classifier = run.Classifier;
            _classifier.Model.Precision = options.Precision;
            if (_classifier.ClassNames.Count != run.TrainData.Classes.Classes.Count)
                throw new ArgumentException($"the head has {_classifier.ClassNames.Count} classes but {run.TrainData.Root} has {run.TrainData.Classes.Classes.Count}");
            StepsPerEpoch = run.TrainData.Count / options.BatchSize;
            if (StepsPerEpoch == 0)
                throw new ArgumentException($"{run.TrainData.Root}: {run.TrainData.Count} images make no full batch of {options.BatchSize}; lower --batch-size");
            Loop = new LoopSettings(options.Epochs, options.BatchSize, options.LogEverySteps, options.SaveEverySteps, options.KeepCheckpoints,
                options.StopAfterSteps, TensorBoard: true);
            _schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, StepsPerEpoch * options.Epochs, StepsPerEpoch, ScheduleMode.FromZero);
            var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = _classifier.Model.Config.ImageResolution });
            _pipeline = ImagePipeline.FromFiles(run.TrainData.Images.Select(i => i.ImagePath).ToList(), preprocessor,
                new PipelineOptions { BatchSize = options.BatchSize, DropLast = true, Seed = options.Seed, DecodeThreads = options.DecodeThreads }, normalize: true);
            _labels = run.TrainData.Images.Select(i => (long)i.Label).ToArray();
            var trainable = _classifier.TrainableParameters();
            _parameters = trainable.Select(p => p.Parameter).ToList();
            _optimizer = SupervisedDecayGroups.AdamW(trainable, options);
        }

        public SupervisedState Start(CheckpointFolder folder) => SupervisedTrainer.Start(_run, _optimizer, folder);

        public void Train(bool training)
        {
            if (training) _classifier.train();
            else _classifier.eval();
        }

        public EpochBatches Batches(int epoch, int firstBatch) => _pipeline.Start(epoch, CancellationToken.None, firstBatch);

        public StepTerms Step(Batch batch, SupervisedState state, string? lastCheckpoint)
        {
            using var scope = NewDisposeScope();
            var device = _classifier.Head.weight!.device;
            double rate = _schedule.At((int)state.Step);
            _optimizer.SetLearningRate(rate);
            var target = tensor(batch.Indices.Select(i => _labels[i]).ToArray()).to(device);
            var logits = _classifier.forward(batch[ImagePipeline.Pixels].to(device));
            var loss = nn.functional.cross_entropy(logits, target);
            long correct = logits.argmax(1).eq(target).sum().item<long>();
            double value = ParameterUpdate.Apply(_parameters, _optimizer, loss, gradientClipNorm: null,
                what => new TrainingDivergedException(state.Step, batch.Epoch, what, lastCheckpoint));
            return new StepTerms(value, rate) { Correct = correct };
        }

        public double? LogitScale => null;

        public void BatchesEnded(EpochBatches batches) { }

        public (SupervisedState Next, MetricsLine Summary, bool Best) EndEpoch(int epoch, SupervisedState state, double elapsedSeconds)
        {
            var summary = new MetricsLine
            {
                Kind = "epoch", Epoch = epoch, Step = state.Step, ElapsedSeconds = elapsedSeconds,
                Loss = state.EpochSteps > 0 ? state.EpochLossSum / state.EpochSteps : null,
                TrainAccuracy = state.EpochImages > 0 ? (double)state.EpochCorrect / state.EpochImages : null,
            };
            return (state with { Epoch = epoch + 1, BatchInEpoch = 0, EpochLossSum = 0, EpochSteps = 0, EpochCorrect = 0, EpochImages = 0 }, summary, false);
        }

        public string Save(CheckpointFolder folder, SupervisedState state) =>
            SupervisedCheckpoint.Save(folder, _run.Options.KeepCheckpoints, _classifier, _optimizer, state);

        public void SaveBest(CheckpointFolder folder, SupervisedState state) =>
            throw new InvalidOperationException("supervised finetuning keeps no best checkpoint");

        public string Finish(SupervisedState state)
        {
            var modelFile = Path.Combine(_run.RunDirectory, ModelFileName);
            ModelLoader.Save(_classifier.Model, modelFile);
            _classifier.SaveHead(Path.Combine(_run.RunDirectory, HeadFileName));
            return modelFile;
        }

        public void Dispose() => _optimizer.Dispose();
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
}
