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
/// The one contrastive trainer under <c>train</c>, <c>clean</c> and the demo: MMCL, CleanCLIP or SSL-only
/// objective over [originals; augmented views], or PAR's against a frozen copy of the initial model (one view per
/// pair), AdamW by parameter role, warmup + cosine, logit-scale clamp,
/// checkpoints that resume bit-identically, Ctrl-C and NaN handling, metrics.jsonl and TensorBoard.
/// </summary>
public static class Trainer
{
    public const string ModelFileName = "model.safetensors";
    public const string ConfigFileName = "config.json";

    public static TrainingResult Run(TrainingRun run, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var options = run.Options;
        options.Validate();
        if (options.UsesInModal && run.ImageAugmentation is null)
            throw new ArgumentException($"{options.Method} training needs an image augmentation for the in-modal view");
        var clock = Stopwatch.StartNew();
        var model = run.Model;
        model.Precision = options.Precision;   // also what the evaluation hook and validation loss compute in
        var device = model.TokenEmbedding.weight!.device;
        ParObjective? par = null;
        if (options.UsesReference)
        {
            var reference = run.Reference ?? throw new ArgumentException("--method Par needs the frozen copy of the initial model (TrainingRun.Reference)");
            if (ReferenceEquals(reference, model)) throw new ArgumentException("PAR's frozen model must be a separate copy of the initial model, not the model trained");
            var referenceDevice = reference.TokenEmbedding.weight!.device;
            if (referenceDevice.type != device.type || referenceDevice.index != device.index)
                throw new ArgumentException($"PAR's frozen model is on {referenceDevice}, the model trained on {device}");
            ReferenceModel.Freeze(reference, options.Precision);
            par = new ParObjective(options.ClipWeight, options.ParWeight, options.ParTau);
        }
        int stepsPerEpoch = run.TrainData.Count / options.BatchSize;
        if (stepsPerEpoch == 0)
            throw new ArgumentException($"{run.TrainData.TablePath}: {run.TrainData.Count} pairs make no full batch of {options.BatchSize}; lower --batch-size");
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        var truncation = CaptionTruncation.Count(run.Tokenizer, run.TrainData.Rows);
        truncation.ThrowIfRefused(run.Tokenizer, run.TrainData);
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, (int)totalSteps, stepsPerEpoch, options.Schedule);
        var objective = new CleanClipObjective(options.Method == TrainingMethod.Ssl ? 0 : options.ClipWeight,
            options.InModalWeight, options.SymmetricInModal);
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution });
        // CleanCLIP and SSL add an augmented view to each original; PAR trains (and compares) on the augmented view alone.
        var pipeline = ViewPipeline.FromRows(run.TrainData.Rows, preprocessor,
            options.UsesInModal || options.UsesReference ? run.ImageAugmentation : null,
            new PipelineOptions { BatchSize = options.BatchSize, DropLast = true, Seed = options.Seed, DecodeThreads = options.DecodeThreads },
            replaceOriginals: options.UsesReference);
        var captions = new CaptionViews(run.TrainData.Rows.Select(r => r.Caption).ToList(),
            run.TextAugmentation ?? new Eda(null, options.EdaAlpha), options.EdaRefresh, options.Seed);
        var folder = new CheckpointFolder(Path.Combine(run.RunDirectory, "checkpoints"), options.KeepCheckpoints);
        using var optimizer = WeightDecayGroups.AdamW(model, options.DecayRule, options.LearningRate, options.WeightDecay,
            options.Beta1, options.Beta2, options.Epsilon);

        folder.RemoveInterruptedWrites();
        var state = Start(run, optimizer, folder, truncation);
        var skipped = SkippedImageList.Open(run.RunDirectory, run.TrainData.Rows, resumed: run.ResumeFrom is not null);
        long startStep = state.Step;
        TrainingOutcome? StopReason() =>
            cancellation.IsCancellationRequested ? TrainingOutcome.Interrupted
            : state.Step - startStep >= (options.StopAfterSteps ?? long.MaxValue) ? TrainingOutcome.StepLimit
            : null;
        using var log = new TrainingLog(run.RunDirectory, run.ResumeFrom is null ? null : state.Step, options.TensorBoard);
        string? lastCheckpoint = run.ResumeFrom;
        double? lastLoss = null;
        var window = new StepWindow();
        TrainingResult Finish(TrainingOutcome outcome, string? modelFile)
        {
            skipped.Save();
            return new(outcome, state.Step, run.RunDirectory, lastCheckpoint, modelFile, File.Exists(folder.BestPath) ? folder.BestPath : null,
                lastLoss, state.BestValidationLoss, skipped.Images, truncation, clock.Elapsed);
        }
        model.train();
        try
        {
            for (int epoch = state.Epoch; epoch < options.Epochs; epoch++)
            {
                using (var batches = pipeline.Start(epoch, CancellationToken.None, state.Epoch == epoch ? state.BatchInEpoch : 0))
                {
                    foreach (var batch in batches)
                        using (batch)
                        {
                            var terms = BatchOutOfMemoryException.Guard(() => Step(run, objective, par, optimizer, captions, schedule, batch, state, lastCheckpoint),
                                options.BatchSize, state.Step + 1, lastCheckpoint);
                            lastLoss = terms.Total;
                            state = state with
                            {
                                Step = state.Step + 1, Epoch = epoch, BatchInEpoch = batch.Number + 1,
                                EpochLossSum = state.EpochLossSum + terms.Total, EpochSteps = state.EpochSteps + 1,
                            };
                            window.Add(batch.Count, terms.Total, terms.Clip, terms.InModal, terms.Par);
                            progress?.Report(new TrainingProgress(epoch, options.Epochs, state.Step, totalSteps, terms.Total, terms.LearningRate, window.PairsPerSecond));
                            if (state.Step % options.LogEverySteps == 0)
                                log.Log(window.Flush(state, terms.LearningRate, clock.Elapsed.TotalSeconds, model.LogitScale.item<float>()));
                            if (options.SaveEverySteps > 0 && state.Step % options.SaveEverySteps == 0)
                                lastCheckpoint = folder.Save(model, optimizer, state);
                            // At an epoch's last batch, stopping waits for the epoch's end: its summary, validation and checkpoint.
                            if (batch.Number + 1 < stepsPerEpoch && StopReason() is { } outcome)
                            {
                                if (lastCheckpoint != folder.PathFor(state.Step)) lastCheckpoint = folder.Save(model, optimizer, state);
                                // The collator works in batch order: every batch up to this one (and perhaps some prefetched after it) is listed.
                                skipped.Add(batches.Skipped);
                                return Finish(outcome, null);
                            }
                        }
                    // The enumeration has ended, so the epoch's threads have stopped and its list of skipped items is complete.
                    skipped.Add(batches.Skipped);
                }
                skipped.Save();
                state = EndEpoch(run, epoch, state, log, clock, folder, optimizer, ref lastCheckpoint);
                if (epoch + 1 < options.Epochs && StopReason() is { } stop)
                    return Finish(stop, null);
            }
        }
        finally
        {
            model.eval();
        }
        var modelFile = Path.Combine(run.RunDirectory, ModelFileName);
        ModelLoader.Save(model, modelFile);
        var completed = Finish(TrainingOutcome.Completed, modelFile);
        // Last of all, so a run folder that holds the marker holds everything else of a completed run.
        RunCompletion.Write(run.RunDirectory, state.Step, modelFile);
        return completed;
    }

    private readonly record struct StepTerms(double Total, double Clip, double? InModal, double LearningRate,
        (double Perturbation, double ImageDistance, double TextDistance)? Par);

    /// <param name="par">PAR's objective, used instead of <paramref name="objective"/> when not null.</param>
    private static StepTerms Step(TrainingRun run, CleanClipObjective objective, ParObjective? par, AdamWOptimizer optimizer,
        CaptionViews captions, LearningRateSchedule schedule, Batch batch, TrainingState state, string? lastCheckpoint)
    {
        using var scope = NewDisposeScope();
        var model = run.Model;
        var device = model.TokenEmbedding.weight!.device;
        double rate = schedule.At((int)state.Step);
        optimizer.SetLearningRate(rate);
        var texts = batch.Indices.Select(captions.Original).ToList();
        if (run.Options.UsesInModal) texts.AddRange(batch.Indices.Select(i => captions.Augmented(i, batch.Epoch)));
        var tokens = run.Tokenizer.TokenizeToTensor(texts).to(device);
        var pixels = batch[ViewPipeline.Pixels].to(device);
        var (images, textEmbeddings) = model.forward(pixels, tokens);
        Tensor loss, clip;
        double? inModal = null;
        (double, double, double)? parTerms = null;
        if (par is null)
        {
            var terms = objective.Compute(images, textEmbeddings, model.LogitScale, run.Options.UsesInModal);
            (loss, clip, inModal) = (terms.Total, terms.Clip, terms.InModal?.item<float>());
        }
        else
        {
            Tensor referenceImages, referenceTexts;
            using (no_grad()) (referenceImages, referenceTexts) = run.Reference!.forward(pixels, tokens);
            var terms = par.Compute(images, textEmbeddings, referenceImages, referenceTexts, model.LogitScale);
            (loss, clip) = (terms.Total, terms.Clip);
            parTerms = (terms.Perturbation.item<float>(), terms.ImageDistance.item<float>(), terms.TextDistance.item<float>());
        }
        double total = ParameterUpdate.Apply(model, optimizer, loss, run.Options.GradientClipNorm,
            what => new TrainingDivergedException(state.Step, batch.Epoch, what, lastCheckpoint));
        return new StepTerms(total, clip.item<float>(), inModal, rate, parTerms);
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

    private static TrainingState EndEpoch(TrainingRun run, int epoch, TrainingState state, TrainingLog log, Stopwatch clock,
        CheckpointFolder folder, AdamWOptimizer optimizer, ref string? lastCheckpoint)
    {
        double? validation = run.ValidationData is null ? null
            : ValidationLoss.Compute(run.Model, run.Tokenizer, run.ValidationData, run.Options.BatchSize, run.Options.DecodeThreads);
        EpochEvaluation? evaluation = null;
        if (run.Evaluate is not null && run.Options.EvalEveryEpochs > 0 && (epoch + 1) % run.Options.EvalEveryEpochs == 0)
        {
            run.Model.eval();
            try { using (no_grad()) evaluation = run.Evaluate(run.Model); }
            finally { run.Model.train(); }
        }
        bool best = validation is { } v && (state.BestValidationLoss is null || v < state.BestValidationLoss);
        log.Log(new MetricsLine
        {
            Kind = "epoch", Epoch = epoch, Step = state.Step, ElapsedSeconds = clock.Elapsed.TotalSeconds,
            Loss = state.EpochSteps > 0 ? state.EpochLossSum / state.EpochSteps : null, ValidationLoss = validation,
            CleanAccuracy = evaluation?.CleanAccuracy, AttackSuccessRate = evaluation?.AttackSuccessRate, EdaMode = EdaMode(run),
        });
        state = state with
        {
            Epoch = epoch + 1, BatchInEpoch = 0, EpochLossSum = 0, EpochSteps = 0,
            BestValidationLoss = best ? validation : state.BestValidationLoss,
        };
        lastCheckpoint = folder.Save(run.Model, optimizer, state);
        if (best) folder.SaveBest(run.Model, optimizer, state);
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
