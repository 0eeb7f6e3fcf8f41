using System.Diagnostics;
using CleanClip;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Augmentation;
using CleanClip.Training.Losses;
using CleanClip.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DemoRecipe;

public sealed record LoopOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-3;
    public double WarmupFraction { get; init; } = 0.05;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta2 { get; init; } = 0.98;
    public ulong Seed { get; init; } = 1;
    public double ClipWeight { get; init; } = 1;
    public double InModalWeight { get; init; }
    public double AugmentStrength { get; init; } = 0.4;
}

public readonly record struct EpochLog(int Epoch, int Steps, double Loss, double WallSeconds, double CpuSeconds);

/// <summary>
/// The harness's own contrastive loop (the library trainer is being rewritten and lacks β2, a warmup fraction,
/// in-memory images and in-modal views): AdamW by role, warmup + cosine from step 0, logit-scale clamp, and the
/// CleanCLIP objective over one forward pass of [originals; augmented] when the in-modal weight is non-zero.
/// </summary>
public static class Trainer
{
    public static int SkippedSteps;

    public static void Run(ClipModel model, ClipTokenizer tokenizer, Split data, string[] captions, LoopOptions o,
        ClipPreprocessor preprocessor, Eda? eda, Action<EpochLog> afterEpoch)
    {
        int n = data.Count, size = data.Size, b = o.BatchSize;
        int stepsPerEpoch = n / b, total = stepsPerEpoch * o.Epochs;
        bool views = o.InModalWeight != 0;
        var schedule = new LearningRateSchedule(o.LearningRate, Math.Max(1, (int)Math.Round(o.WarmupFraction * total)), total, stepsPerEpoch);
        using var optimizer = WeightDecayGroups.AdamW(model, DecayRule.Role, o.LearningRate, o.WeightDecay, beta2: o.Beta2);
        var objective = new CleanClipObjective(o.ClipWeight, o.InModalWeight);
        using var allTokens = tokenizer.TokenizeToTensor(captions);
        int bytesPerImage = 3 * size * size;
        var process = Process.GetCurrentProcess();
        int step = 0;
        model.train();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var wall = Stopwatch.StartNew();
            var cpu0 = process.TotalProcessorTime;
            var order = Enumerable.Range(0, n).ToArray();
            new SplitMix64(SplitMix64.Derive(o.Seed, 11, (ulong)epoch)).Shuffle(order);
            double lossSum = 0;
            for (int s = 0; s < stepsPerEpoch; s++, step++)
            {
                using var scope = NewDisposeScope();
                var idx = order.AsSpan(s * b, b).ToArray();
                int rows = views ? 2 * b : b;
                var bytes = new byte[rows * bytesPerImage];
                for (int i = 0; i < b; i++) data.Images[idx[i]].CopyTo(bytes, i * bytesPerImage);
                var tokens = allTokens.index_select(0, tensor(idx.Select(i => (long)i).ToArray()));
                if (views)
                {
                    Parallel.For(0, b, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
                        ImageAugment.Apply(data.Images[idx[i]], size, SplitMix64.Derive(o.Seed, (ulong)epoch, (ulong)idx[i]), o.AugmentStrength)
                            .CopyTo(bytes, (b + i) * bytesPerImage));
                    var augmented = idx.Select(i => eda!.Augment(captions[i], SplitMix64.Derive(o.Seed ^ 0x5EED, (ulong)epoch, (ulong)i))).ToList();
                    tokens = cat([tokens, tokenizer.TokenizeToTensor(augmented)], 0);
                }
                var pixels = preprocessor.Normalize(tensor(bytes, new long[] { rows, 3, size, size }));
                double rate = schedule.At(step);
                optimizer.SetLearningRate(rate);
                var (images, texts) = model.forward(pixels, tokens);
                var terms = objective.Compute(images, texts, model.LogitScale, views);
                optimizer.ZeroGrad();
                terms.Total.backward();
                // LibTorch 2.10's CPU conv backward sporadically returns non-finite gradients (tools/conv-nan-repro):
                // such a step is skipped and counted instead of poisoning the weights with NaN.
                bool finite = model.parameters().All(p => p.grad is null || torch.isfinite(p.grad).all().item<bool>());
                if (!finite) { SkippedSteps++; continue; }
                optimizer.Step();
                LogitScaleClamp.Apply(model);
                double loss = terms.Total.item<float>();
                if (!double.IsFinite(loss)) throw new InvalidOperationException($"loss {loss} at step {step}");
                lossSum += loss;
            }
            afterEpoch(new EpochLog(epoch + 1, step, lossSum / stepsPerEpoch, wall.Elapsed.TotalSeconds,
                (process.TotalProcessorTime - cpu0).TotalSeconds));
        }
        model.eval();
    }
}
