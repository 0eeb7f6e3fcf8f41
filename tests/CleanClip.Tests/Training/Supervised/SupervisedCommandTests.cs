using CleanClip.Cli.Commands;
using CleanClip.Checkpoints;
using CleanClip.Tests.Cli;
using CleanClip.Training.Logging;
using CleanClip.Training.Supervised;
using Xunit;

namespace CleanClip.Tests.Training.Supervised;

public class SupervisedCommandTests
{
    [Fact]
    public void FinetuneSupervisedRunsEndToEndWithAZeroShotHeadAndResumes()
    {
        using var world = new SupervisedWorld(images: 32);
        var dir = Path.Combine(world.Root, "sufi");
        var (exit, output) = CliRunner.Run(SupervisedCommand.Create(), "--checkpoint", world.Checkpoint, "--train-data", world.Folder,
            "--head-init", "zero-shot", "--vocab", world.Vocab, "--out", dir, "--epochs", "2", "--batch-size", "8", "--warmup", "2",
            "--lr", "1e-3", "--decode-threads", "1", "--stop-after", "3");
        Assert.True(exit == 0, output);
        Assert.Contains("stopped at --stop-after", output);
        Assert.Contains("zero-shot head", output);

        (exit, output) = CliRunner.Run(SupervisedCommand.Create(), "--resume", dir, "--decode-threads", "1");
        Assert.True(exit == 0, output);
        Assert.Contains("completed", output);
        Assert.Contains("train accuracy, epoch 2", output);
        var state = SupervisedCheckpoint.ReadState(Path.Combine(dir, "checkpoints", "step-00000008.safetensors"))!;
        Assert.Equal(HeadInit.ZeroShot, state.Options.HeadInit);
        Assert.Equal(1e-3, state.Options.LearningRate);
        Assert.Equal(2, MetricsLine.ReadAll(Path.Combine(dir, MetricsLine.FileName)).Count(l => l.Kind == "epoch"));
        Assert.True(File.Exists(Path.Combine(dir, SupervisedTrainer.ConfigFileName)));
        using var classifier = SupervisedClassifier.Load(Path.Combine(dir, SupervisedTrainer.ModelFileName), Path.Combine(dir, SupervisedTrainer.HeadFileName));
        Assert.Equal(4, classifier.ClassNames.Count);
    }

    [Fact]
    public void ZeroShotHeadWithoutAVocabularyIsAClearError()
    {
        using var world = new SupervisedWorld(images: 16);
        var (exit, output) = CliRunner.Run(SupervisedCommand.Create(), "--checkpoint", world.Checkpoint, "--train-data", world.Folder,
            "--head-init", "zero-shot", "--out", Path.Combine(world.Root, "x"), "--batch-size", "8");
        Assert.Equal(1, exit);
        Assert.Contains("--vocab", output);
    }

    [Fact]
    public void TheDefaultsAreTheReferences()
    {
        var d = new SupervisedOptions();
        Assert.Equal((10, 80, 1e-4, 500, 0.01), (d.Epochs, d.BatchSize, d.LearningRate, d.WarmupSteps, d.WeightDecay));
        Assert.Equal((0.9, 0.999, 1e-8), (d.Beta1, d.Beta2, d.Epsilon));
        Assert.Equal(HeadInit.Random, d.HeadInit);
    }
}
