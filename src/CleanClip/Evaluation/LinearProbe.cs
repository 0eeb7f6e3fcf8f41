using CleanClip.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>What the probe scored on the test features.</summary>
/// <param name="AttackSuccessRate">Share of triggered images whose true class is not the target that the probe calls
/// the target; null when no triggered features were given.</param>
/// <param name="AsrImages">The ASR denominator: triggered images whose true class is not the target.</param>
public sealed record LinearProbeResult(double Accuracy, int TestImages, double? AttackSuccessRate, int AsrImages, double FinalLoss);

/// <summary>
/// The linear probe: logistic regression Linear(D→C) on frozen features, trained with cross-entropy as the reference
/// does (<see cref="LinearProbeOptions"/>). Everything runs on the CPU: the features are small and the weights few.
/// </summary>
public sealed class LinearProbe : IDisposable
{
    private readonly Linear linear;

    /// <summary>Mean cross-entropy of the last training batch.</summary>
    public double FinalLoss { get; private set; } = double.NaN;
    public int Classes { get; }

    private LinearProbe(int dimension, int classes, ulong seed)
    {
        Classes = classes;
        linear = nn.Linear(dimension, classes);
        // torch's default Linear init (U(−1/√D, 1/√D) for weight and bias) drawn from the project's seeded stream, so the
        // probe does not depend on torch's global generator.
        var rng = new SplitMix64(seed);
        double bound = 1 / Math.Sqrt(dimension);
        var weight = new float[classes * dimension];
        var bias = new float[classes];
        for (int i = 0; i < weight.Length; i++) weight[i] = (float)rng.NextDouble(-bound, bound);
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)rng.NextDouble(-bound, bound);
        using var noGrad = torch.no_grad();
        using var w = torch.tensor(weight).view(classes, dimension);
        using var b = torch.tensor(bias);
        linear.weight!.copy_(w);
        linear.bias!.copy_(b);
    }

    /// <summary>A probe with given weights [C, D] and biases [C] (to score a probe trained elsewhere, or by hand).</summary>
    public static LinearProbe FromWeights(float[,] weight, float[] bias)
    {
        int classes = weight.GetLength(0), dimension = weight.GetLength(1);
        if (bias.Length != classes) throw new ArgumentException($"{classes} weight rows but {bias.Length} biases", nameof(bias));
        var probe = new LinearProbe(dimension, classes, 0);
        using var noGrad = torch.no_grad();
        using var w = torch.tensor(weight);
        using var b = torch.tensor(bias);
        probe.linear.weight!.copy_(w);
        probe.linear.bias!.copy_(b);
        return probe;
    }

    /// <summary>Trains a probe on <paramref name="train"/>; <paramref name="classes"/> is the number of classes C.</summary>
    public static LinearProbe Train(LinearProbeFeatures train, int classes, LinearProbeOptions? options = null)
    {
        options ??= new LinearProbeOptions();
        if (train.Count == 0) throw new ArgumentException("the linear probe needs at least one training feature", nameof(train));
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"a classifier needs at least 2 classes, got {classes}");
        if (options.Epochs < 1 || options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"epochs and batch size must be positive, got {options.Epochs} and {options.BatchSize}");
        CheckLabels(train.Labels, classes, "training");
        // Callers often evaluate under no_grad; the probe's own training needs gradients.
        using var grad = torch.enable_grad();

        var probe = new LinearProbe(train.Dimension, classes, SplitMix64.Derive(options.Seed, 0));
        var groups = new[]
        {
            new AdamW.ParamGroup([probe.linear.weight!], lr: options.LearningRate, weight_decay: options.WeightDecay),
            new AdamW.ParamGroup([probe.linear.bias!], lr: options.LearningRate, weight_decay: 0),
        };
        using var optimizer = optim.AdamW(groups, options.LearningRate, weight_decay: options.WeightDecay);
        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.LearningRate, 0, stepsPerEpoch * options.Epochs, stepsPerEpoch);

        var order = Enumerable.Range(0, train.Count).Select(i => (long)i).ToArray();
        int step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var rng = new SplitMix64(SplitMix64.Derive(options.Seed, 1, (ulong)epoch));
            rng.Shuffle(order);
            for (int start = 0; start < order.Length; start += options.BatchSize, step++)
            {
                using var scope = NewDisposeScope();
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.At(step);
                var index = torch.tensor(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray());
                var loss = nn.functional.cross_entropy(probe.linear.forward(train.Features.index_select(0, index)), train.Labels.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                probe.FinalLoss = loss.item<float>();
            }
        }
        return probe;
    }

    /// <summary>Class scores [N, C] of features [N, D].</summary>
    public Tensor Logits(Tensor features)
    {
        using var noGrad = torch.no_grad();
        return linear.forward(features);
    }

    /// <summary>The top-1 class of each feature row.</summary>
    public long[] Predict(Tensor features)
    {
        using var scope = NewDisposeScope();
        return Logits(features).argmax(1).data<long>().ToArray();
    }

    /// <summary>Top-1 accuracy on <paramref name="test"/>.</summary>
    public double Accuracy(LinearProbeFeatures test)
    {
        if (test.Count == 0) throw new ArgumentException("accuracy of an empty test set is undefined", nameof(test));
        var predicted = Predict(test.Features);
        var labels = test.Labels.data<long>().ToArray();
        return (double)predicted.Zip(labels).Count(p => p.First == p.Second) / labels.Length;
    }

    /// <summary>
    /// ASR of triggered features whose <see cref="LinearProbeFeatures.Labels"/> are the images' true classes: the share
    /// of those not of class <paramref name="target"/> that are predicted as <paramref name="target"/>
    /// (docs/reference-behaviour.md §12.2: target-class images leave the denominator too, unlike the reference).
    /// </summary>
    /// <returns>The rate and its denominator.</returns>
    public (double Rate, int Images) AttackSuccessRate(LinearProbeFeatures triggered, int target)
    {
        if (target < 0 || target >= Classes) throw new ArgumentOutOfRangeException(nameof(target), $"target class {target} is not in [0, {Classes})");
        var predicted = Predict(triggered.Features);
        var labels = triggered.Labels.data<long>().ToArray();
        int images = 0, hits = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == target) continue;
            images++;
            if (predicted[i] == target) hits++;
        }
        if (images == 0) throw new ArgumentException($"every triggered image is of the target class {target}: ASR is undefined", nameof(triggered));
        return ((double)hits / images, images);
    }

    /// <summary>Trains on <paramref name="train"/>, then scores clean accuracy and (given triggered features and a target) ASR.</summary>
    public static LinearProbeResult Run(LinearProbeFeatures train, LinearProbeFeatures test, int classes,
        LinearProbeOptions? options = null, LinearProbeFeatures? triggered = null, int? target = null)
    {
        if ((triggered is null) != (target is null)) throw new ArgumentException("the probe's ASR needs both triggered features and a target class");
        using var probe = Train(train, classes, options);
        CheckLabels(test.Labels, classes, "test");
        double accuracy = probe.Accuracy(test);
        var asr = triggered is null ? ((double?)null, 0) : probe.AttackSuccessRate(triggered, target!.Value);
        return new LinearProbeResult(accuracy, test.Count, asr.Item1, asr.Item2, probe.FinalLoss);
    }

    private static void CheckLabels(Tensor labels, int classes, string what)
    {
        if (labels.numel() == 0) return;
        using var scope = NewDisposeScope();
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0 || max >= classes) throw new ArgumentException($"{what} labels must be in [0, {classes}), found {min}..{max}");
    }

    public void Dispose() => linear.Dispose();
}
