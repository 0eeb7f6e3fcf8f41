using System.Diagnostics;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Logging;
using CleanClip.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>What one supervised run needs.</summary>
public sealed record SupervisedRun
{
    public required ClipModel Model { get; init; }
    public required LabeledImageDataset TrainData { get; init; }
    public required SupervisedOptions Options { get; init; }
    public required string RunDirectory { get; init; }
    /// <summary>Needed for <see cref="HeadInit.ZeroShot"/>: the class prompts are encoded with it.</summary>
    public ClipTokenizer? Tokenizer { get; init; }
}

public sealed record SupervisedResult(long Steps, string ModelFile, string HeadFile, IReadOnlyList<double> EpochAccuracy,
    double LastLoss, long SkippedImages, TimeSpan Elapsed, bool Interrupted);

/// <summary>Supervised finetuning: image tower + linear head, cross-entropy, AdamW, warmup + cosine, one scope per step.</summary>
public static class SupervisedTrainer
{
    public static SupervisedResult Run(SupervisedRun run, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var options = run.Options;
        options.Validate();
        var clock = Stopwatch.StartNew();
        var data = run.TrainData;
        int stepsPerEpoch = data.Count / options.BatchSize;
        if (stepsPerEpoch == 0)
            throw new ArgumentException($"{data.Root}: {data.Count} images make no full batch of {options.BatchSize}; lower --batch-size");
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, (int)totalSteps, stepsPerEpoch);
        var device = run.Model.TokenEmbedding.weight!.device;
        torch.manual_seed((long)options.Seed);
        using var classifier = new SupervisedClassifier(run.Model, data.Classes.Classes);
        classifier.Head.to(device);
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = run.Model.Config.ImageResolution });
        var pipeline = ImagePipeline.FromFiles(data.Images.Select(i => i.ImagePath).ToList(), preprocessor,
            new PipelineOptions { BatchSize = options.BatchSize, DropLast = true, Seed = options.Seed, DecodeThreads = options.DecodeThreads }, normalize: true);
        if (options.HeadInit == HeadInit.ZeroShot) InitializeFromZeroShot(run, classifier, pipeline);

        // Only the image tower and the head learn; this path decays every non-bias parameter (reference §4.8).
        var trained = run.Model.Visual.named_parameters().Select(p => ($"visual.{p.name}", p.parameter))
            .Concat(classifier.Head.named_parameters().Select(p => ($"head.{p.name}", p.parameter))).ToList();
        using var optimizer = new AdamWOptimizer(
        [
            new AdamWOptimizer.Group(trained.Where(p => !p.Item1.EndsWith("bias", StringComparison.Ordinal)).ToList(), options.WeightDecay),
            new AdamWOptimizer.Group(trained.Where(p => p.Item1.EndsWith("bias", StringComparison.Ordinal)).ToList(), 0),
        ], options.Beta1, options.Beta2, options.Epsilon);

        Directory.CreateDirectory(run.RunDirectory);
        AtomicFile.WriteAllText(Path.Combine(run.RunDirectory, "config.json"),
            $"{{\n\"model\": {run.Model.Config.ToJson()},\n\"supervised\": {System.Text.Json.JsonSerializer.Serialize(options, TrainingState.Json)},\n\"train_data\": {System.Text.Json.JsonSerializer.Serialize(data.Root)}\n}}\n");
        using var log = new TrainingLog(run.RunDirectory, null, options.TensorBoard);
        var accuracies = new List<double>();
        long step = 0;
        double lastLoss = double.NaN;
        bool interrupted = false;
        run.Model.Visual.train();
        classifier.Head.train();
        var start = Stopwatch.GetTimestamp();
        for (int epoch = 0; epoch < options.Epochs && !interrupted; epoch++)
        {
            long correct = 0, seen = 0;
            double lossSum = 0;
            foreach (var batch in pipeline.Start(epoch))
                using (batch)
                using (NewDisposeScope())
                {
                    double rate = schedule.At((int)step);
                    optimizer.SetLearningRate(rate);
                    var labels = tensor(batch.Indices.Select(i => (long)data.Images[i].Label).ToArray(), device: device);
                    var logits = classifier.forward(batch[ImagePipeline.Pixels].to(device));
                    var loss = nn.functional.cross_entropy(logits, labels);
                    lastLoss = loss.item<float>();
                    if (!double.IsFinite(lastLoss)) throw new TrainingDivergedException(step, epoch, "loss", null);
                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.Step();
                    correct += logits.argmax(1).eq(labels).sum().item<long>();
                    seen += batch.Count;
                    lossSum += lastLoss;
                    step++;
                    double pairsPerSecond = seen / Math.Max(1e-9, Stopwatch.GetElapsedTime(start).TotalSeconds);
                    progress?.Report(new TrainingProgress(epoch, options.Epochs, step, totalSteps, lastLoss, rate, pairsPerSecond));
                    if (step % options.LogEverySteps == 0)
                        log.Log(new MetricsLine { Kind = "step", Epoch = epoch, Step = step, ElapsedSeconds = clock.Elapsed.TotalSeconds, Loss = lastLoss, LearningRate = rate, PairsPerSecond = pairsPerSecond });
                    if (cancellation.IsCancellationRequested) { interrupted = true; break; }
                }
            start = Stopwatch.GetTimestamp();
            accuracies.Add(seen == 0 ? double.NaN : (double)correct / seen);
            log.Log(new MetricsLine { Kind = "epoch", Epoch = epoch, Step = step, ElapsedSeconds = clock.Elapsed.TotalSeconds, Loss = seen == 0 ? null : lossSum * options.BatchSize / seen });
        }
        run.Model.eval();
        var modelFile = Path.Combine(run.RunDirectory, Trainer.ModelFileName);
        var headFile = Path.Combine(run.RunDirectory, SupervisedClassifier.HeadFileName);
        ModelLoader.Save(run.Model, modelFile);
        classifier.SaveHead(headFile);
        return new SupervisedResult(step, modelFile, headFile, accuracies, lastLoss, pipeline.SkippedCount, clock.Elapsed, interrupted);
    }

    private static void InitializeFromZeroShot(SupervisedRun run, SupervisedClassifier classifier, BatchPipeline<RgbImage> pipeline)
    {
        var tokenizer = run.Tokenizer ?? throw new ArgumentException("a zero-shot head needs the vocabulary (--vocab) to encode the class prompts");
        var model = run.Model;
        model.eval();
        using var noGrad = no_grad();
        using var zeroShot = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, run.TrainData.Classes);
        // The mean feature norm over one batch sets the head's scale.
        double norm;
        using (var first = pipeline.Start(0).First())
        using (var features = model.EncodeImage(first[ImagePipeline.Pixels].to(model.TokenEmbedding.weight!.device)))
            norm = features.norm(1).mean().item<float>();
        classifier.InitializeFromClassEmbeddings(zeroShot.ClassEmbeddings, norm);
    }
}
