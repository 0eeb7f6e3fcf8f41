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

public class SupervisedEvaluationTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string labeled;
    private readonly string vocab;

    public SupervisedEvaluationTests()
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
    public void HeadMetricsExcludeTargetImagesFromAsr()
    {
        using var model = Fresh();
        var classes = ClassesFile.Read(Path.Combine(labeled, "classes.json"));
        int banana = classes.IndexOf("banana");
        var bias = zeros(classes.Classes.Count);
        bias[banana] = 10; // every image is called banana
        using var classifier = new SupervisedClassifier(model, classes.Classes, zeros(classes.Classes.Count, model.Config.EmbedDim), bias);
        var eval = SupervisedEvaluation.Evaluate(classifier, new EvalOptions
        {
            Checkpoints = ["head"], EvalData = labeled, Vocab = vocab, Target = "banana", Trigger = new CleanClip.Poisoning.TriggerOptions { PatchSize = 4 },
        }, "head");
        Assert.Equal(320, eval.Images);
        Assert.Equal(288, eval.AsrImages); // 32 banana images left out
        Assert.Equal(0.1, eval.CleanAccuracy!["1"], tolerance: 1e-6);
        Assert.Equal(1.0, eval.AttackSuccessRate!["1"], tolerance: 1e-6);
        Assert.Equal(0.0, eval.RobustAccuracy!.Value, tolerance: 1e-6);
    }
}
