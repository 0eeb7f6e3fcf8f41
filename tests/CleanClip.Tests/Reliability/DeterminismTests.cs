using CleanClip.Cli.Commands;
using CleanClip.Tests.Cli;
using CleanClip.Tests.Training;
using CleanClip.Training;
using CleanClip.Training.Logging;
using Xunit;

namespace CleanClip.Tests.Reliability;

/// <summary>The same command twice, same seed and threads: byte-identical checkpoints and model, equal metrics.</summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DeterminismTests
{
    [Fact]
    public void The_same_train_command_twice_writes_byte_identical_checkpoints_and_the_same_metrics()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        string Train(string name, params string[] extra)
        {
            var run = Path.Combine(world.Root, name);
            var (exit, output) = CliRunner.Run(TrainingCommand.Train(), ["--train-data", world.Train.TablePath, "--init", "tiny-vit",
                "--vocab", world.Vocab, "--out", run, "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--warmup", "2",
                "--decode-threads", "2", "--save-every", "2", "--keep", "10", "--seed", "9", "--method", "CleanClip",
                "--image-augmentation", "autoaugment", "--log-every", "1", "--no-tensorboard", .. extra]);
            Assert.True(exit == 0, output);
            return run;
        }
        // --deterministic (LibTorch's deterministic algorithms only) changes nothing on CPU: the same bytes again.
        string a = Train("a"), b = Train("b"), c = Train("c", "--deterministic");
        Assert.False(CleanClip.Models.TorchRuntime.DeterministicAlgorithms);            // restored after the run
        CleanClip.Models.TorchRuntime.DeterministicAlgorithms = true;                    // the switch reaches LibTorch
        Assert.True(CleanClip.Models.TorchRuntime.DeterministicAlgorithms);
        CleanClip.Models.TorchRuntime.DeterministicAlgorithms = false;

        var files = Directory.GetFiles(Path.Combine(a, "checkpoints"), "*.safetensors").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(Path.Combine(b, "checkpoints"), "*.safetensors").Select(Path.GetFileName).Order().ToList());
        Assert.Equal(4, files.Count(f => f!.StartsWith("step-", StringComparison.Ordinal)));
        foreach (var file in files.Append($"../{Trainer.ModelFileName}"))
            foreach (var other in new[] { b, c })
                Assert.True(File.ReadAllBytes(Path.Combine(a, "checkpoints", file!)).SequenceEqual(File.ReadAllBytes(Path.Combine(other, "checkpoints", file!))),
                    $"{file} differs between two runs of the same command ({Path.GetFileName(other)})");

        // Everything but wall-clock time and speed.
        static IEnumerable<MetricsLine> Numbers(string run) =>
            MetricsLine.ReadAll(Path.Combine(run, MetricsLine.FileName)).Select(l => l with { ElapsedSeconds = 0, PairsPerSecond = null });
        Assert.Equal(Numbers(a), Numbers(b));
        Assert.Equal(Numbers(a), Numbers(c));
        Assert.Equal(8, Numbers(a).Count(l => l.Kind == "step"));
    }
}
