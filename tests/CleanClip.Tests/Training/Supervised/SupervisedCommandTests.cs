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
        Assert.False(CleanClip.Training.RunCompletion.IsComplete(dir));

        (exit, output) = CliRunner.Run(SupervisedCommand.Create(), "--resume", dir, "--decode-threads", "1");
        Assert.True(exit == 0, output);
        Assert.Contains("completed", output);
        Assert.Contains("train accuracy, epoch 2", output);
        Assert.Equal(8, CleanClip.Training.RunCompletion.Read(dir)!.Steps);
        var state = SupervisedCheckpoint.ReadState(Path.Combine(dir, "checkpoints", "step-00000008.safetensors"))!;
        Assert.Equal(HeadInit.ZeroShot, state.Options.HeadInit);
        Assert.Equal(1e-3, state.Options.LearningRate);
        Assert.Equal(2, MetricsLine.ReadAll(Path.Combine(dir, MetricsLine.FileName)).Count(l => l.Kind == "epoch"));
        Assert.True(File.Exists(Path.Combine(dir, SupervisedTrainer.ConfigFileName)));
        using var classifier = SupervisedClassifier.Load(Path.Combine(dir, SupervisedTrainer.ModelFileName), Path.Combine(dir, SupervisedTrainer.HeadFileName));
        Assert.Equal(4, classifier.ClassNames.Count);
    }

    // --precision bf16: recorded in the run (so --resume keeps it), the first loss agrees with fp32 to bf16 accuracy,
    // and the trained weights differ from the fp32 run's (bf16 really ran).
    [Fact]
    public void FinetuneSupervisedInBf16RecordsItAndKeepsFp32Weights()
    {
        using var world = new SupervisedWorld(images: 32);
        string Finetune(string precision)
        {
            var dir = Path.Combine(world.Root, precision);
            var (exit, output) = CliRunner.Run(SupervisedCommand.Create(), "--checkpoint", world.Checkpoint, "--train-data", world.Folder,
                "--out", dir, "--epochs", "1", "--batch-size", "8", "--warmup", "2", "--lr", "1e-3", "--decode-threads", "1",
                "--log-every", "1", "--precision", precision, "--force-bf16");
            Assert.True(exit == 0, output);
            return dir;
        }
        string fp32 = Finetune("fp32"), bf16 = Finetune("bf16");
        var state = SupervisedCheckpoint.ReadState(Path.Combine(bf16, "checkpoints", "step-00000004.safetensors"))!;
        Assert.Equal(CleanClip.Models.Precision.Bf16, state.Options.Precision);
        double FirstLoss(string dir) => MetricsLine.ReadAll(Path.Combine(dir, MetricsLine.FileName)).First(l => l.Kind == "step").Loss!.Value;
        Assert.InRange(FirstLoss(bf16) / FirstLoss(fp32), 0.98, 1.02);
        using var a = ModelLoader.Load(Path.Combine(fp32, SupervisedTrainer.ModelFileName));
        using var b = ModelLoader.Load(Path.Combine(bf16, SupervisedTrainer.ModelFileName));
        Assert.True(a.parameters().Zip(b.parameters()).Any(p => (p.First - p.Second).abs().max().item<float>() > 0), "bf16 gave the fp32 weights bit for bit");
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
