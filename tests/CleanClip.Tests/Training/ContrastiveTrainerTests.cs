using System.Diagnostics;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Training;

/// <summary>
/// The contrastive loop trains a tiny CLIP from scratch on synthetic pairs. Zero-shot accuracy far above chance is the
/// training issue's target and not reached yet (measured 13–16% after 6–20 epochs of 2,000 pairs, chance 10%).
/// </summary>
public class ContrastiveTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void TheContrastiveLossFallsOnSyntheticPairs()
    {
        using var dir = new TempDir();
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 2000, FinetuneCount = 10, TestCount = 200, ImageSize = 32, Seed = 4 }, dir.File("w"));
        var train = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv"));
        var vocab = dir.File("vocab.txt.gz");
        // tiny-rn's 4-channel stem hits sporadic NaN gradients in LibTorch 2.10's CPU convolution backward
        // (tools/conv-nan-repro); ViT's patch convolution has 64 output channels and is unaffected.
        var config = ModelRegistry.Get("tiny-vit");
        BpeTrainer.TrainToFile(train.Rows.Select(r => r.Caption), vocab, numMerges: config.VocabSize - 514);
        var tokenizer = ClipTokenizer.FromVocabFile(vocab);

        torch.manual_seed(7);
        using var model = new ClipModel(config);
        var watch = Stopwatch.StartNew();
        var metrics = ContrastiveTrainer.Train(model, tokenizer, train, new ContrastiveTrainingOptions
        {
            Epochs = 6, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 10, Seed = 3,
        });
        output.WriteLine($"{metrics.Count} steps in {watch.Elapsed.TotalSeconds:F1} s; loss {metrics[0].Loss:F3} → {metrics[^1].Loss:F3}");

        Assert.All(metrics, m => Assert.True(double.IsFinite(m.Loss)));
        Assert.True(metrics[^1].LearningRate < metrics[10].LearningRate, "the cosine schedule did not decay the rate");
        double first = metrics.Take(5).Average(m => m.Loss), last = metrics.TakeLast(5).Average(m => m.Loss);
        // ln 64 is the loss of a model that cannot tell the 64 pairs of a batch apart.
        Assert.True(last < first - 0.5 && last < Math.Log(64) - 0.3, $"loss did not fall well below chance (ln 64 = 4.16): {first:F3} → {last:F3}");
    }
}
