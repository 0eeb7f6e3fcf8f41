using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Tests.Cli;
using CleanClip.Text;
using CleanClip.Training.Supervised;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Training.Supervised;

public class SupervisedTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string labeled;
    private readonly string vocab;

    public SupervisedTests()
    {
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 50, FinetuneCount = 10, TestCount = 320, ImageSize = 32, Seed = 3 }, dir.File("w"));
        labeled = Path.Combine(world.Folder, "test");
        vocab = dir.File("vocab.txt.gz");
        var classes = ClassesFile.Read(Path.Combine(labeled, "classes.json"));
        BpeTrainer.TrainToFile(Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts), vocab, 100);
    }

    public void Dispose() => dir.Dispose();

    private static ClipModel Fresh(string name = "tiny-vit")
    {
        torch.manual_seed(4);
        return new ClipModel(ModelRegistry.Get(name));
    }

    [Fact]
    public void TrainingAccuracyRisesAboveChanceAndOnlyTheImageTowerChanges()
    {
        var data = LabeledImageDataset.Load(labeled);
        using var model = Fresh("demo-rn");
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var result = SupervisedTrainer.Run(new SupervisedRun
        {
            Model = model, TrainData = data, RunDirectory = dir.File("run"),
            Options = new SupervisedOptions { Epochs = 12, BatchSize = 32, LearningRate = 2e-3, WarmupSteps = 10, TensorBoard = false },
        });
        // 10 balanced classes: chance is 10%. Measured from a random init: 11% over the first three epochs, 22% over the last three.
        var accuracy = result.EpochAccuracy;
        Assert.True(accuracy.TakeLast(3).Average() > 0.18 && accuracy.TakeLast(3).Average() > accuracy.Take(3).Average() + 0.05,
            $"training accuracy per epoch: {string.Join(", ", accuracy)}");
        using var saved = ModelLoader.Load(result.ModelFile);
        var after = saved.state_dict();
        Assert.False(after["visual.conv1.weight"].equal(before["visual.conv1.weight"]).all().item<bool>());
        foreach (var key in before.Keys.Where(k => !k.StartsWith("visual.", StringComparison.Ordinal)))
            Assert.True(after[key].equal(before[key]).all().item<bool>(), $"{key} changed");
        using var classifier = SupervisedClassifier.Load(result.ModelFile, result.HeadFile);
        Assert.Equal(data.Classes.Classes, classifier.Classes);
    }

    [Fact]
    public void AZeroShotHeadStartsAsTheClassEmbeddingsOverTheMeanFeatureNorm()
    {
        using var model = Fresh();
        var classes = ClassesFile.Read(Path.Combine(labeled, "classes.json"));
        using var classifier = new SupervisedClassifier(model, classes.Classes);
        using var embeddings = normal(0, 1, [classes.Classes.Count, model.Config.EmbedDim]);
        classifier.InitializeFromClassEmbeddings(embeddings, 4.0);
        Assert.True(classifier.Head.weight!.allclose(embeddings / 4.0));
        Assert.Equal(0, classifier.Head.bias!.abs().sum().item<float>());
    }

    [Fact]
    public void HeadMetricsExcludeTargetImagesFromAsr()
    {
        using var model = Fresh();
        var classes = ClassesFile.Read(Path.Combine(labeled, "classes.json"));
        using var classifier = new SupervisedClassifier(model, classes.Classes);
        int banana = classes.IndexOf("banana");
        using (no_grad())
        {
            classifier.Head.weight!.zero_();
            classifier.Head.bias!.zero_();
            classifier.Head.bias![banana] = 10; // every image is called banana
        }
        var eval = SupervisedEvaluation.Evaluate(classifier, new EvalOptions
        {
            Checkpoints = ["head"], EvalData = labeled, Vocab = vocab, Target = "banana", Trigger = new CleanClip.Poisoning.TriggerOptions { PatchSize = 4 },
        }, "head");
        Assert.Equal(320, eval.Images);
        Assert.Equal(288, eval.AsrImages); // 32 banana images left out
        Assert.Equal(0.1, eval.CleanAccuracy!["1"], 6);
        Assert.Equal(1.0, eval.AttackSuccessRate!["1"], 6);
        Assert.Equal(0.0, eval.RobustAccuracy!.Value, 6);
    }

    [Fact]
    public void CommandRunsEndToEndWithAZeroShotHead()
    {
        var checkpoint = dir.File("init.safetensors");
        using (var model = Fresh()) ModelLoader.Save(model, checkpoint);
        var output = dir.File("sufi");
        var (exit, text) = CliRunner.Run(SupervisedCommand.Create(), "--checkpoint", checkpoint, "--train-data", labeled,
            "--head-init", "ZeroShot", "--vocab", vocab, "--out", output, "--epochs", "1", "--batch-size", "64", "--warmup", "2", "--decode-threads", "1");
        Assert.True(exit == 0, text);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, SupervisedClassifier.HeadFileName)));
        Assert.Contains("training accuracy", text);
    }
}
