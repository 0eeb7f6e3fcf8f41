using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Evaluation;

public class LinearProbeTests
{
    /// <summary>C Gaussian blobs in D dimensions, centres 10 apart on the axes, unit noise: linearly separable with margin.</summary>
    private static LinearProbeFeatures Blobs(int classes, int dimension, int perClass, ulong seed, double offset = 0)
    {
        var rng = new SplitMix64(seed);
        var features = new float[classes * perClass, dimension];
        var labels = new long[classes * perClass];
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                int row = c * perClass + i;
                labels[row] = c;
                for (int d = 0; d < dimension; d++)
                    features[row, d] = (float)(rng.NextGaussian() + (d == c ? 10 : 0) + offset);
            }
        return LinearProbeFeatures.FromArrays(features, labels);
    }

    [Fact]
    public void SeparableBlobsAreLearnedPerfectly()
    {
        // The reference recipe moves each weight by at most lr = 0.005 per step, so it needs a few hundred steps:
        // 1600 features are 20 batches of 80, 200 steps over the 10 epochs.
        using var train = Blobs(4, 8, 400, seed: 1);
        using var test = Blobs(4, 8, 25, seed: 2);
        var result = LinearProbe.Run(train, test, 4);
        Assert.Equal(1.0, result.Accuracy);
        Assert.Equal(100, result.TestImages);
        Assert.Null(result.AttackSuccessRate);
        Assert.True(result.FinalLoss < 0.2, $"final loss {result.FinalLoss}");
    }

    [Fact]
    public void PredictionIsTheArgmaxOfWxPlusB()
    {
        // Logits (x, −x + 0.5): class 1 wins exactly when x < 0.25.
        using var probe = LinearProbe.FromWeights(new float[,] { { 1 }, { -1 } }, [0, 0.5f]);
        using var x = torch.tensor(new float[,] { { 0 }, { 1 }, { -0.2f }, { 0.3f }, { 0.2f } });
        Assert.Equal([1L, 0, 1, 0, 1], probe.Predict(x));
    }

    [Fact]
    public void AsrLeavesTargetClassImagesOutOfTheDenominator()
    {
        using var probe = LinearProbe.FromWeights(new float[,] { { 1 }, { -1 } }, [0, 0.5f]);
        // Predictions 1, 0, 1, 0, 1; true labels 0, 1, 0, 0, 1. Target 1: the two class-1 images leave; of the three
        // others (rows 0, 2, 3) two are called 1 → 2/3, where dividing by all five would give 2/5.
        using var triggered = LinearProbeFeatures.FromArrays(new float[,] { { 0 }, { 1 }, { -0.2f }, { 0.3f }, { 0.2f } }, [0, 1, 0, 0, 1]);
        var (rate, images) = probe.AttackSuccessRate(triggered, target: 1);
        Assert.Equal(3, images);
        Assert.Equal(2.0 / 3, rate, tolerance: 1e-12);
        // Target 0: rows 1 and 4 count; row 1 is called 0 → 1/2.
        Assert.Equal((0.5, 2), probe.AttackSuccessRate(triggered, target: 0));
    }

    [Fact]
    public void OneDimensionalProbeFindsTheGap()
    {
        // Class 0 at x ≤ −1, class 1 at x ≥ 1: after training, points well inside each side are classified by side.
        var xs = new float[40, 1];
        var labels = new long[40];
        for (int i = 0; i < 40; i++) { xs[i, 0] = i < 20 ? -1 - i * 0.1f : 1 + (i - 20) * 0.1f; labels[i] = i < 20 ? 0 : 1; }
        using var train = LinearProbeFeatures.FromArrays(xs, labels);
        using var probe = LinearProbe.Train(train, 2, new LinearProbeOptions { Epochs = 30, LearningRate = 0.1 });
        using var probes = torch.tensor(new float[,] { { -3 }, { -1 }, { 1 }, { 3 } });
        Assert.Equal([0L, 0, 1, 1], probe.Predict(probes));
    }

    [Fact]
    public void TheSameSeedGivesTheSameProbeAndAnotherSeedAnother()
    {
        using var train = Blobs(3, 5, 20, seed: 3, offset: 0);
        using var test = Blobs(3, 5, 10, seed: 4);
        using var a = LinearProbe.Train(train, 3, new LinearProbeOptions { Seed = 7, Epochs = 2 });
        using var b = LinearProbe.Train(train, 3, new LinearProbeOptions { Seed = 7, Epochs = 2 });
        using var c = LinearProbe.Train(train, 3, new LinearProbeOptions { Seed = 8, Epochs = 2 });
        using var la = a.Logits(test.Features);
        using var lb = b.Logits(test.Features);
        using var lc = c.Logits(test.Features);
        Assert.True(la.equal(lb).all().item<bool>());
        Assert.False(la.allclose(lc));
    }

    [Fact]
    public void BadLabelsAndTargetsAreClearErrors()
    {
        using var train = LinearProbeFeatures.FromArrays(new float[,] { { 0 }, { 1 } }, [0, 2]);
        Assert.Contains("[0, 2)", Assert.Throws<ArgumentException>(() => LinearProbe.Train(train, 2)).Message);
        using var probe = LinearProbe.FromWeights(new float[,] { { 1 }, { -1 } }, [0, 0]);
        using var onlyTarget = LinearProbeFeatures.FromArrays(new float[,] { { 0 } }, [1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => probe.AttackSuccessRate(onlyTarget, 5));
        Assert.Contains("undefined", Assert.Throws<ArgumentException>(() => probe.AttackSuccessRate(onlyTarget, 1)).Message);
    }

    [Fact]
    public void FeaturesAreUnnormalisedAndTheCacheRoundTripsAndInvalidates()
    {
        using var dir = new TempDir();
        using var model = CleanClip.Checkpoints.ModelLoader.Load("tiny-rn", seed: 1);
        model.eval();
        var rng = new SplitMix64(5);
        var pixels = torch.tensor(Enumerable.Range(0, 3 * 3 * 32 * 32).Select(_ => (float)rng.NextGaussian()).ToArray()).view(3, 3, 32, 32);
        using var features = LinearProbeFeatures.Extract(model, [(pixels[..2], [0L, 1]), (pixels[2..], [1L])]);
        Assert.Equal(3, features.Count);
        Assert.Equal(model.Config.EmbedDim, features.Dimension);
        using var noGrad = torch.no_grad();
        using var expected = model.EncodeImage(pixels);
        Assert.True(features.Features.allclose(expected, rtol: 1e-4, atol: 1e-5));
        using var norms = features.Features.norm(1);
        Assert.False(norms.allclose(torch.ones(3)), "features must not be L2-normalised");

        var path = dir.File("features.safetensors");
        features.Save(path, "ckpt-a");
        using var loaded = LinearProbeFeatures.TryLoad(path, "ckpt-a")!;
        Assert.True(loaded.Features.equal(features.Features).all().item<bool>());
        Assert.Equal([0L, 1, 1], loaded.Labels.data<long>().ToArray());
        Assert.Null(LinearProbeFeatures.TryLoad(path, "ckpt-b"));
        int extracted = 0;
        using var again = LinearProbeFeatures.LoadOrExtract(path, "ckpt-a", () => { extracted++; return features; });
        Assert.Equal(0, extracted);
    }

    [Fact]
    public void ExtractFilesSkipsUnreadableImagesWithTheirLabels()
    {
        using var dir = new TempDir();
        byte Shade(int i) => (byte)(40 * i);
        string Png(int i) => dir.Write($"{i}.png", CleanClip.Data.PngWriter.Encode(new CleanClip.Data.RgbImage(32, 32, Enumerable.Repeat(Shade(i), 32 * 32 * 3).ToArray())));
        var broken = dir.Write("broken.png", [1, 2, 3]);
        using var model = CleanClip.Checkpoints.ModelLoader.Load("tiny-rn", seed: 1);
        var skipped = new List<SkippedInput>();
        using var features = LinearProbeFeatures.ExtractFiles(model, [(Png(1), 3), (broken, 1), (Png(2), 0)], batchSize: 2, skipped);
        Assert.Equal([3L, 0], features.Labels.data<long>().ToArray());
        Assert.Equal(broken, Assert.Single(skipped).Name);
        using var alone = LinearProbeFeatures.ExtractFiles(model, [(Png(2), 0)]);
        Assert.True(alone.Features[0].allclose(features.Features[1], rtol: 1e-4, atol: 1e-5));
    }
}
