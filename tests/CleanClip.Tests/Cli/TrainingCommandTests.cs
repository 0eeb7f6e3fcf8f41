using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Tests.Training;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;
using Xunit;

namespace CleanClip.Tests.Cli;

public class TrainingCommandTests
{
    [Fact]
    public void TrainThenCleanRunEndToEnd()
    {
        using var world = new TrainerFixture(pairs: 64, finetune: 32);
        var trained = Path.Combine(world.Root, "trained");
        var (exit, output) = CliRunner.Run(TrainingCommand.Train(), "--train-data", world.Train.TablePath, "--init", "tiny-vit",
            "--vocab", world.Vocab, "--out", trained, "--epochs", "1", "--batch-size", "16", "--lr", "1e-3", "--warmup", "2",
            "--decode-threads", "1");
        Assert.True(exit == 0, output);
        Assert.Contains("completed", output);
        var model = Path.Combine(trained, Trainer.ModelFileName);
        Assert.True(File.Exists(model));

        var cleaned = Path.Combine(world.Root, "cleaned");
        (exit, output) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", model, "--train-data", world.Finetune.TablePath,
            "--vocab", world.Vocab, "--out", cleaned, "--epochs", "2", "--batch-size", "8", "--decode-threads", "1",
            "--validation-data", world.Finetune.TablePath, "--log-every", "1", "--image-augmentation", "autoaugment", "--wordnet", Path.Combine(world.Root, "nowhere"));
        Assert.True(exit == 0, output);
        var lines = MetricsLine.ReadAll(Path.Combine(cleaned, MetricsLine.FileName));
        Assert.Equal(8, lines.Count(l => l.Kind == "step"));
        Assert.All(lines.Where(l => l.Kind == "step"), l => Assert.NotNull(l.InModalLoss));
        Assert.Equal(2, lines.Count(l => l.Kind == "epoch" && l.ValidationLoss is not null));
        var state = TrainingCheckpoint.ReadState(Path.Combine(cleaned, "checkpoints", "step-00000008.safetensors"))!;
        Assert.Equal(TrainingMethod.CleanClip, state.Options.Method);
        Assert.Equal(1e-5, state.Options.LearningRate); // the paper's cleaning default
        Assert.True(File.Exists(Path.Combine(cleaned, "checkpoints", CheckpointFolder.BestName)));
        using var loaded = ModelLoader.Load(Path.Combine(cleaned, Trainer.ModelFileName));
        Assert.Equal("tiny-vit", loaded.Config.Name);
    }

    [Fact]
    public void RestoreOptimizerNeedsACheckpointWithMoments()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var plain = Path.Combine(world.Root, "plain.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, plain);
        var (exit, output) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", plain, "--train-data", world.Finetune.TablePath,
            "--vocab", world.Vocab, "--out", Path.Combine(world.Root, "c"), "--batch-size", "8", "--restore-optimizer");
        Assert.Equal(1, exit);
        Assert.Contains("no optimizer state", output);
    }
}
