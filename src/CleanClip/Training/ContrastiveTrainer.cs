using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Losses;
using CleanClip.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training;

/// <summary>Options of multimodal contrastive training; defaults are the reference's pretraining recipe where it has one.</summary>
public sealed record ContrastiveTrainingOptions
{
    public int Epochs { get; init; } = 64;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 5e-4;
    public int WarmupSteps { get; init; } = 10_000;
    public double WeightDecay { get; init; } = 0.1;
    public ScheduleMode Schedule { get; init; } = ScheduleMode.FromZero;
    public DecayRule DecayRule { get; init; } = DecayRule.Role;
    public ulong Seed { get; init; } = 1;
    public int DecodeThreads { get; init; }
}

/// <summary>One logged optimizer step.</summary>
public readonly record struct StepMetrics(int Epoch, int Step, double Loss, double LearningRate, double LogitScale);

/// <summary>
/// Multimodal contrastive training (the CLIP loss only) of a model on image–caption pairs: the prefetching pipeline,
/// AdamW by parameter role, warmup + cosine, logit-scale clamp, one dispose scope per step. The full trainer of the
/// training issue (in-modal views, checkpoints, resume) grows from this loop.
/// </summary>
public static class ContrastiveTrainer
{
    public static IReadOnlyList<StepMetrics> Train(ClipModel model, ClipTokenizer tokenizer, ImageCaptionDataset data,
        ContrastiveTrainingOptions options, IProgress<StepMetrics>? progress = null, CancellationToken cancellation = default)
    {
        var device = model.TokenEmbedding.weight!.device;
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution });
        var pipeline = ImagePipeline.FromFiles(data.Rows.Select(r => r.ImagePath).ToList(), preprocessor,
            new PipelineOptions { BatchSize = options.BatchSize, DropLast = true, Seed = options.Seed, DecodeThreads = options.DecodeThreads },
            normalize: true);
        int stepsPerEpoch = data.Count / options.BatchSize;
        if (stepsPerEpoch == 0) throw new ArgumentException($"{data.Count} pairs make no full batch of {options.BatchSize}");
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, stepsPerEpoch * options.Epochs,
            stepsPerEpoch, options.Schedule);
        using var optimizer = WeightDecayGroups.AdamW(model, options.DecayRule, options.LearningRate, options.WeightDecay);
        var captions = data.Rows.Select(r => r.Caption).ToList();
        var metrics = new List<StepMetrics>();
        model.train();
        int step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            using var batches = pipeline.Start(epoch, cancellation);
            foreach (var batch in batches)
                using (batch)
                using (NewDisposeScope())
                {
                    double rate = schedule.At(step);
                    optimizer.SetLearningRate(rate);
                    var tokens = tokenizer.TokenizeToTensor(batch.Indices.Select(i => captions[i]).ToList()).to(device);
                    var (images, texts) = model.forward(batch[ImagePipeline.Pixels].to(device), tokens);
                    var loss = ClipLoss.Compute(images, texts, model.LogitScale);
                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.Step();
                    LogitScaleClamp.Apply(model);
                    var record = new StepMetrics(epoch, step, loss.item<float>(), rate, model.LogitScale.item<float>());
                    if (!double.IsFinite(record.Loss))
                        throw new InvalidOperationException($"the loss became {record.Loss} at step {step} (epoch {epoch}); lower the learning rate");
                    metrics.Add(record);
                    progress?.Report(record);
                    step++;
                }
        }
        model.eval();
        return metrics;
    }
}
