using CleanClip.Checkpoints;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Training;

/// <summary>Checkpoints lose nothing: a stopped run resumed from its checkpoint ends bit-identical to one that never stopped.</summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class TrainerResumeTests
{
    // 96 pairs in batches of 16: 6 steps an epoch, 12 in all.
    private static readonly TrainingOptions Options = new()
    {
        Method = TrainingMethod.CleanClip, Epochs = 2, BatchSize = 16, LearningRate = 1e-3, WarmupSteps = 3,
        Seed = 5, DecodeThreads = 2, LogEverySteps = 1, TensorBoard = false,
    };

    private static Dictionary<string, Tensor> Weights(string file) => Safetensors.Read(file);

    private static void AssertBitIdentical(string expectedFile, string actualFile)
    {
        var expected = Weights(expectedFile);
        var actual = Weights(actualFile);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected)
            Assert.True(value.equal(actual[key]).all().item<bool>(), $"{key} differs");
    }

    private static TrainingResult Resume(TrainerFixture world, string runDir, TrainingOptions options)
    {
        var latest = new CheckpointFolder(Path.Combine(runDir, "checkpoints"), 2).Latest(out _)!.Value;
        using var model = ModelLoader.Load(latest.File);
        return Trainer.Run(world.Run(model, options, runDir) with { ResumeFrom = latest.File });
    }

    [Theory]
    [InlineData(4)] // mid-epoch
    [InlineData(6)] // at an epoch's end
    public void StoppedAndResumedRunEndsBitIdenticalToAnUninterruptedOne(int stopAfter)
    {
        using var world = new TrainerFixture();
        var straightDir = Path.Combine(world.Root, "straight");
        using (var model = TrainerFixture.FreshModel())
            Assert.Equal(TrainingOutcome.Completed, Trainer.Run(world.Run(model, Options, straightDir)).Outcome);

        var stoppedDir = Path.Combine(world.Root, "stopped");
        using (var model = TrainerFixture.FreshModel())
        {
            var first = Trainer.Run(world.Run(model, Options with { StopAfterSteps = stopAfter }, stoppedDir));
            Assert.Equal(TrainingOutcome.StepLimit, first.Outcome);
            Assert.Equal(stopAfter, first.Steps);
        }
        Assert.False(RunCompletion.IsComplete(stoppedDir), "a run stopped at --stop-after is marked complete");
        var second = Resume(world, stoppedDir, Options);
        Assert.Equal(TrainingOutcome.Completed, second.Outcome);
        Assert.Equal(12, second.Steps);
        Assert.Equal(12, RunCompletion.Read(stoppedDir)!.Steps);
        Assert.Equal(Trainer.ModelFileName, RunCompletion.Read(straightDir)!.Model);

        AssertBitIdentical(Path.Combine(straightDir, Trainer.ModelFileName), Path.Combine(stoppedDir, Trainer.ModelFileName));
        // The metrics file is the uninterrupted run's too, step for step (timings aside).
        string Losses(string dir) => string.Join(",", MetricsLine.ReadAll(Path.Combine(dir, MetricsLine.FileName)).Select(l => $"{l.Kind}{l.Step}:{l.Loss:R}"));
        Assert.Equal(Losses(straightDir), Losses(stoppedDir));
    }

    [Fact]
    public void CancellationSavesACheckpointThatResumesToTheSameWeights()
    {
        using var world = new TrainerFixture();
        var straightDir = Path.Combine(world.Root, "straight");
        using (var model = TrainerFixture.FreshModel())
            Trainer.Run(world.Run(model, Options, straightDir));

        var dir = Path.Combine(world.Root, "cancelled");
        using var cancel = new CancellationTokenSource();
        using (var model = TrainerFixture.FreshModel())
        {
            var progress = new Inline<TrainingProgress>(p => { if (p.Step == 3) cancel.Cancel(); });
            var result = Trainer.Run(world.Run(model, Options, dir), progress, cancel.Token);
            Assert.Equal(TrainingOutcome.Interrupted, result.Outcome);
            Assert.Equal(3, result.Steps);
            Assert.Equal(3, TrainingCheckpoint.ReadState(result.LastCheckpoint!)!.Step);
        }
        Resume(world, dir, Options);
        AssertBitIdentical(Path.Combine(straightDir, Trainer.ModelFileName), Path.Combine(dir, Trainer.ModelFileName));
    }

    [Fact]
    public void ANonFiniteLossStopsTheRunNamingTheStepAndKeepsTheLastGoodCheckpoint()
    {
        using var world = new TrainerFixture();
        var dir = Path.Combine(world.Root, "nan");
        using var model = TrainerFixture.FreshModel();
        // Poison a weight after step 3 on the training thread: step 4's loss is NaN.
        var progress = new Inline<TrainingProgress>(p =>
        {
            if (p.Step == 3) using (no_grad()) model.LogitScale.fill_(double.NaN);
        });
        var error = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Run(world.Run(model, Options with { SaveEverySteps = 2 }, dir), progress));
        Assert.Equal(3, error.Step);
        Assert.Contains("step 3", error.Message);
        Assert.EndsWith("step-00000002.safetensors", error.LastCheckpoint);
        using var good = ModelLoader.Load(error.LastCheckpoint!);
        Assert.True(good.parameters().All(p => p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void ATornNewestCheckpointIsSkippedAndTheOneBeforeItResumes()
    {
        using var world = new TrainerFixture();
        var dir = Path.Combine(world.Root, "torn");
        using (var model = TrainerFixture.FreshModel())
            Trainer.Run(world.Run(model, Options with { StopAfterSteps = 4, SaveEverySteps = 2 }, dir));
        var folder = new CheckpointFolder(Path.Combine(dir, "checkpoints"), 2);
        var newest = folder.PathFor(4);
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(folder.PathFor(5), bytes[..(bytes.Length / 2)]); // a crash mid-write without the temp-file rename

        var latest = folder.Latest(out var rejected);
        Assert.Equal(newest, latest!.Value.File);
        Assert.Single(rejected);
        Assert.Contains("step-00000005", rejected[0]);
    }

    [Fact]
    public void AFailedCheckpointWriteLeavesThePreviousFileIntact()
    {
        using var world = new TrainerFixture();
        var dir = Path.Combine(world.Root, "run");
        using var model = TrainerFixture.FreshModel();
        var result = Trainer.Run(world.Run(model, Options with { StopAfterSteps = 2 }, dir));
        var file = result.LastCheckpoint!;
        var before = File.ReadAllBytes(file);
        Assert.Throws<IOException>(() => CleanClip.AtomicFile.Write(file, stream =>
        {
            stream.Write(before, 0, before.Length / 3);
            throw new IOException("disk full");
        }));
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp"));
        Assert.NotNull(TrainingCheckpoint.ReadState(file));
        // A read-only output (as a non-root user sees it): the same, whatever the exception type.
        Assert.Throws<UnauthorizedAccessException>(() => CleanClip.AtomicFile.Write(file, stream =>
        {
            stream.Write(before, 0, 10);
            throw new UnauthorizedAccessException("read-only file system");
        }));
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, ".*.tmp"));
    }

    [Fact]
    public void AFreshRunRefusesAFolderHoldingAnotherRunsCheckpoints()
    {
        using var world = new TrainerFixture();
        var dir = Path.Combine(world.Root, "run");
        using (var model = TrainerFixture.FreshModel())
            Trainer.Run(world.Run(model, Options with { StopAfterSteps = 1 }, dir));
        using var again = TrainerFixture.FreshModel();
        var error = Assert.Throws<IOException>(() => Trainer.Run(world.Run(again, Options, dir)));
        Assert.Contains("--resume", error.Message);
    }

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Inline<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
