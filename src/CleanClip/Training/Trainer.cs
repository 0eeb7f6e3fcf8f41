using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Training.Augmentation;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Data;
using CleanClip.Training.Logging;
using CleanClip.Training.Losses;
using CleanClip.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training;

/// <summary>
/// Contrastive training under <c>train</c>, <c>clean</c> and the demo, on <see cref="TrainingEngine"/>: MMCL, CleanCLIP
/// or SSL-only objective over [originals; augmented views], or PAR's against a frozen copy of the initial model (one
/// view per pair), AdamW by parameter role, warmup + cosine, validation loss and the evaluation hook at epoch ends.
/// </summary>
public static class Trainer
{
    public const string ModelFileName = "model.safetensors";
    public const string ConfigFileName = "config.json";

    public static TrainingResult Run(TrainingRun run, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var task = new ContrastiveTask(run);
        try
        {
            var end = TrainingEngine.Run(task, run.RunDirectory, run.ResumeFrom, clock, progress, cancellation);
            return new(end.Result, end.State.Step, run.RunDirectory, end.LastCheckpoint, end.ModelFile, end.BestCheckpoint,
                end.LastLoss, end.State.BestValidationLoss, task.Skipped.Images, task.Truncation, clock.Elapsed);
        }
        finally
        {
            task.Dispose();
        }
    }

    /// <summary>The contrastive task: its data, step, state and checkpoints.</summary>
    private sealed class ContrastiveTask : ITrainingTask<TrainingState>, IDisposable
    {
        private readonly TrainingRun _run;
        private readonly TrainingOptions _options;
        private readonly LearningRateSchedule _schedule;
        private readonly ContrastiveStep _step;
        private readonly BatchPipeline<ViewPair> _pipeline;
        private readonly CaptionViews _captions;
        private readonly AdamWOptimizer _optimizer;
        private readonly Device _device;
        private SkippedImageList? _skipped;

        public CaptionTruncation Truncation { get; }
        public SkippedImageList Skipped => _skipped ?? throw new InvalidOperationException("the run has not started");
        public LoopSettings Loop { get; }
        public int StepsPerEpoch { get; }

        public ContrastiveTask(TrainingRun run)
        {
            _run = run;
            var options = _options = run.Options;
            options.Validate();
            if (options.UsesInModal && run.ImageAugmentation is null)
                throw new ArgumentException($"{options.Method} training needs an image augmentation for the in-modal view");
            var model = run.Model;
            model.Precision = options.Precision;   // also what the evaluation hook and validation loss compute in
            _device = model.TokenEmbedding.weight!.device;
            if (options.UsesReference)
            {
                var reference = run.Reference ?? throw new ArgumentException("--method Par needs the frozen copy of the initial model (TrainingRun.Reference)");
                if (ReferenceEquals(reference, model)) throw new ArgumentException("PAR's frozen model must be a separate copy of the initial model, not the model trained");
                var referenceDevice = reference.TokenEmbedding.weight!.device;
                if (referenceDevice.type != _device.type || referenceDevice.index != _device.index)
                    throw new ArgumentException($"PAR's frozen model is on {referenceDevice}, the model trained on {_device}");
                ReferenceModel.Freeze(reference, options.Precision);
            }
            StepsPerEpoch = run.TrainData.Count / options.BatchSize;
            if (StepsPerEpoch == 0)
                throw new ArgumentException($"{run.TrainData.TablePath}: {run.TrainData.Count} pairs make no full batch of {options.BatchSize}; lower --batch-size");
            Loop = new LoopSettings(options.Epochs, options.BatchSize, options.LogEverySteps, options.SaveEverySteps, options.KeepCheckpoints,
                options.StopAfterSteps, options.TensorBoard);
            Truncation = CaptionTruncation.Count(run.Tokenizer, run.TrainData.Rows);
            Truncation.ThrowIfRefused(run.Tokenizer, run.TrainData);
            _schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, StepsPerEpoch * options.Epochs, StepsPerEpoch, options.Schedule);
            _step = new ContrastiveStep(model, options, run.Reference);
            var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution });
            // CleanCLIP and SSL add an augmented view to each original; PAR trains (and compares) on the augmented view alone.
            _pipeline = ViewPipeline.FromRows(run.TrainData.Rows, preprocessor,
                options.UsesInModal || options.UsesReference ? run.ImageAugmentation : null,
                new PipelineOptions { BatchSize = options.BatchSize, DropLast = true, Seed = options.Seed, DecodeThreads = options.DecodeThreads },
                replaceOriginals: options.UsesReference);
            _captions = new CaptionViews(run.TrainData.Rows.Select(r => r.Caption).ToList(),
                run.TextAugmentation ?? new Eda(null, options.EdaAlpha), options.EdaRefresh, options.Seed);
            _optimizer = WeightDecayGroups.AdamW(model, options.DecayRule, options.LearningRate, options.WeightDecay,
                options.Beta1, options.Beta2, options.Epsilon);
        }

        public TrainingState Start(CheckpointFolder folder)
        {
            var state = Trainer.Start(_run, _optimizer, folder, Truncation);
            _skipped = SkippedImageList.Open(_run.RunDirectory, _run.TrainData.Rows, resumed: _run.ResumeFrom is not null);
            return state;
        }

        public void Train(bool training)
        {
            if (training) _run.Model.train();
            else _run.Model.eval();
        }

        public EpochBatches Batches(int epoch, int firstBatch) => _pipeline.Start(epoch, CancellationToken.None, firstBatch);

        public StepTerms Step(Batch batch, TrainingState state, string? lastCheckpoint)
        {
            using var scope = NewDisposeScope();
            var texts = batch.Indices.Select(_captions.Original).ToList();
            if (_options.UsesInModal) texts.AddRange(batch.Indices.Select(i => _captions.Augmented(i, batch.Epoch)));
            var tokens = _run.Tokenizer.TokenizeToTensor(texts).to(_device);
            var pixels = batch[ViewPipeline.Pixels].to(_device);
            return _step.Run(pixels, tokens, _optimizer, _schedule.At((int)state.Step),
                what => new TrainingDivergedException(state.Step, batch.Epoch, what, lastCheckpoint));
        }

        public double? LogitScale => _run.Model.LogitScale.item<float>();

        public void BatchesEnded(EpochBatches batches)
        {
            Skipped.Add(batches.Skipped);
            Skipped.Save();
        }

        public (TrainingState Next, MetricsLine Summary, bool Best) EndEpoch(int epoch, TrainingState state, double elapsedSeconds)
        {
            double? validation = _run.ValidationData is null ? null
                : ValidationLoss.Compute(_run.Model, _run.Tokenizer, _run.ValidationData, _options.BatchSize, _options.DecodeThreads);
            EpochEvaluation? evaluation = null;
            if (_run.Evaluate is not null && _options.EvalEveryEpochs > 0 && (epoch + 1) % _options.EvalEveryEpochs == 0)
            {
                _run.Model.eval();
                try { using (no_grad()) evaluation = _run.Evaluate(_run.Model); }
                finally { _run.Model.train(); }
            }
            bool best = validation is { } v && (state.BestValidationLoss is null || v < state.BestValidationLoss);
            var summary = new MetricsLine
            {
                Kind = "epoch", Epoch = epoch, Step = state.Step, ElapsedSeconds = elapsedSeconds,
                Loss = state.EpochSteps > 0 ? state.EpochLossSum / state.EpochSteps : null, ValidationLoss = validation,
                CleanAccuracy = evaluation?.CleanAccuracy, AttackSuccessRate = evaluation?.AttackSuccessRate, EdaMode = EdaMode(_run),
            };
            var next = state with
            {
                Epoch = epoch + 1, BatchInEpoch = 0, EpochLossSum = 0, EpochSteps = 0,
                BestValidationLoss = best ? validation : state.BestValidationLoss,
            };
            return (next, summary, best);
        }

        public string Save(CheckpointFolder folder, TrainingState state) => folder.Save(_run.Model, _optimizer, state);
        public void SaveBest(CheckpointFolder folder, TrainingState state) => folder.SaveBest(_run.Model, _optimizer, state);

        public string Finish(TrainingState state)
        {
            var modelFile = Path.Combine(_run.RunDirectory, ModelFileName);
            ModelLoader.Save(_run.Model, modelFile);
            Skipped.Save();
            return modelFile;
        }

        public void Dispose() => _optimizer.Dispose();
    }

    /// <summary>A fresh state (writing config.json and refusing to overwrite another run) or the resumed one.</summary>
    private static TrainingState Start(TrainingRun run, AdamWOptimizer optimizer, CheckpointFolder folder, CaptionTruncation truncation)
    {
        var fingerprint = Fingerprint(run.TrainData);
        if (run.ResumeFrom is { } resume)
        {
            var saved = TrainingCheckpoint.ReadState(resume) ?? throw new InvalidDataException($"{resume}: not a training checkpoint");
            if (saved.TrainDataFingerprint != fingerprint)
                throw new InvalidDataException($"{resume}: was trained on {saved.TrainData} with other rows than {run.TrainData.TablePath} has now; resume with the same data");
            if (run.Options.UsesReference && ReferenceModel.Fingerprint(run.Reference!) is var now && now != saved.ReferenceFingerprint)
                throw new InvalidDataException($"{saved.Init}: holds other weights (SHA-256 {now[..16]}) than the frozen model this PAR run " +
                    $"started from ({saved.ReferenceFingerprint?[..16] ?? "not recorded"}); PAR pushes away from the run's initial checkpoint, " +
                    "so it must be unchanged to resume: restore it, or start a new run");
            using (var moments = new DisposableDictionary(TrainingCheckpoint.ReadOptimizer(resume)))
                optimizer.LoadTensors(moments.Tensors, TrainingCheckpoint.OptimizerPrefix, resume);
            RunCompletion.Clear(run.RunDirectory);
            return saved with { Options = run.Options };
        }
        if (folder.StepFiles().Count > 0)
            throw new IOException($"{run.RunDirectory} already holds checkpoints of a run: resume it with --resume, or choose another output folder");
        Directory.CreateDirectory(run.RunDirectory);
        RunCompletion.Clear(run.RunDirectory);
        if (run.OptimizerFrom is { } from)
            using (var moments = new DisposableDictionary(TrainingCheckpoint.ReadOptimizerFor(from, run.Model)))
            {
                if (moments.Tensors.Count > 0)
                    optimizer.LoadTensors(moments.Tensors, TrainingCheckpoint.OptimizerPrefix, from);
                else if (run.OptimizerStateOptional)
                    run.Note?.Invoke($"{from} holds no optimizer state, so AdamW starts fresh (as the reference does without one)");
                else
                    throw new InvalidDataException($"{from}: holds no optimizer state to restore (training checkpoints of CleanClip or the reference do); drop --restore-optimizer");
            }
        var state = new TrainingState
        {
            Options = run.Options, TrainData = run.TrainData.TablePath, TrainDataFingerprint = fingerprint,
            ValidationData = run.ValidationData?.TablePath, Init = run.Init, Vocab = run.Vocab, EdaMode = EdaMode(run),
            ReferenceFingerprint = run.Options.UsesReference ? ReferenceModel.Fingerprint(run.Reference!) : null,
        };
        AtomicFile.WriteAllText(Path.Combine(run.RunDirectory, ConfigFileName),
            $"{{\n\"model\": {run.Model.Config.ToJson()},\n\"run\": {state.ToJson()},\n\"captions\": {JsonSerializer.Serialize(truncation, TrainingState.Json)}\n}}\n");
        return state;
    }

    /// <summary>What the run's caption augmentation does (null without in-modal training).</summary>
    private static string? EdaMode(TrainingRun run) =>
        run.Options.UsesInModal ? (run.TextAugmentation?.Mode ?? Eda.WithoutWordNetMode) : null;

    /// <summary>A short hash of the rows (image path and caption) so a resume on changed data is refused.</summary>
    public static string Fingerprint(ImageCaptionDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in data.Rows) hash.AppendData(Encoding.UTF8.GetBytes($"{row.RelativePath}\t{row.Caption}\n"));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private sealed class DisposableDictionary(Dictionary<string, Tensor> tensors) : IDisposable
    {
        public Dictionary<string, Tensor> Tensors { get; } = tensors;
        public void Dispose() { foreach (var t in Tensors.Values) t.Dispose(); }
    }
}
