using System.Diagnostics;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Training;

/// <summary>A tiny CLIP trained from scratch for about a minute recognises the synthetic world's shapes zero-shot.</summary>
public class ZeroShotLearningTests(ITestOutputHelper output)
{
    [Fact]
    public void ATinyModelTrainedOnAFewThousandPairsIsFarAboveChance()
    {
        using var dir = new TempDir();
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions
        {
            Count = Pairs, FinetuneCount = 10, TestCount = 300, ImageSize = 32, Seed = 1, KindCentredProbability = 0.8,
        }, dir.File("w"));
        var train = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv"));
        var vocab = dir.File("vocab.txt.gz");
        var config = ModelRegistry.Get(ModelName);
        var classes = ClassesFile.Read(Path.Combine(world.Folder, "test", "classes.json"));
        BpeTrainer.TrainToFile(train.Rows.Select(r => r.Caption).Concat(Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts)),
            vocab, numMerges: Math.Min(500, config.VocabSize - 514));
        var tokenizer = ClipTokenizer.FromVocabFile(vocab);

        torch.manual_seed(1);
        using var model = new ClipModel(config);
        var watch = Stopwatch.StartNew();
        Trainer.Run(new TrainingRun
        {
            Model = model, Tokenizer = tokenizer, TrainData = train, RunDirectory = dir.File("run"), Init = ModelName, Vocab = vocab,
            Options = new TrainingOptions { Epochs = Epochs, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 78, Beta2 = 0.98, Seed = 1, TensorBoard = false },
        });
        var eval = EvalJob.EvaluateModel(model, tokenizer, new EvalOptions
        {
            Checkpoints = ["trained"], EvalData = Path.Combine(world.Folder, "test"), Vocab = vocab, Metrics = [EvalMetric.Ca],
        }, "trained");
        double accuracy = eval.CleanAccuracy!["1"];
        output.WriteLine($"{ModelName}, {Epochs} epochs of {train.Count} pairs in {watch.Elapsed.TotalSeconds:F0} s: zero-shot top-1 {accuracy:P1} (chance 10%)");
        Assert.True(accuracy >= 0.30, $"zero-shot top-1 {accuracy:P1} is not far above chance (10%)");
    }

    private const string ModelName = "demo-rn";
    private const int Epochs = 10;
    private const int Pairs = 10_000;
}
