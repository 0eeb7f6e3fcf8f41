using System.Text.RegularExpressions;
using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Tests.Cli;
using CleanClip.Tests.Checkpoints;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using Xunit;

namespace CleanClip.Tests.Training;

/// <summary>A resumed run never continues from a checkpoint whose data changed after it was written.</summary>
[Trait("Speed", "Slow")]
public class CorruptCheckpointResumeTests
{
    // 96 pairs in batches of 16: 6 steps an epoch; checkpoints at steps 2 and 4 when stopped after 4.
    private static readonly TrainingOptions Options = new()
    {
        Method = TrainingMethod.CleanClip, Epochs = 1, BatchSize = 16, LearningRate = 1e-3, WarmupSteps = 3,
        Seed = 5, DecodeThreads = 2, LogEverySteps = 1, TensorBoard = false, SaveEverySteps = 2,
    };

    /// <summary>A run stopped after <paramref name="steps"/> steps, with its checkpoint folder.</summary>
    private static (string Dir, CheckpointFolder Folder) StoppedRun(TrainerFixture world, int steps)
    {
        var dir = Path.Combine(world.Root, "run");
        using (var model = TrainerFixture.FreshModel())
            Trainer.Run(world.Run(model, Options with { StopAfterSteps = steps }, dir));
        return (dir, new CheckpointFolder(Path.Combine(dir, "checkpoints"), 2));
    }

    [Fact]
    public void ABitFlippedNewestCheckpointIsSkippedWithANoteAndTheRunResumesFromThePreviousOne()
    {
        using var world = new TrainerFixture();
        var (dir, folder) = StoppedRun(world, 4);
        var newest = folder.PathFor(4);
        // A byte in the middle of the data section (model weights and optimizer moments): the header still reads.
        HostileCheckpointFiles.FlipDataBit(newest, (new FileInfo(newest).Length - HostileCheckpointFiles.DataStart(newest)) / 2);
        Assert.Equal(4, TrainingCheckpoint.ReadState(newest)!.Step);

        var notes = new List<string>();
        var (file, state) = folder.ResumePoint(TrainingCheckpoint.ReadState, "training state", notes);
        Assert.Equal(folder.PathFor(2), file);
        Assert.Equal(2, state.Step);
        Assert.Equal(2, notes.Count);
        Assert.StartsWith($"skipped checkpoint: {newest}: the tensor data does not match the SHA-256", notes[0]);
        Assert.Contains("corrupt", notes[0]);
        Assert.Equal($"resuming from the newest good checkpoint, {folder.PathFor(2)}", notes[1]);
        Assert.DoesNotContain(notes, n => n.Contains("last good"));

        using var resumed = ModelLoader.Load(file);
        var result = Trainer.Run(world.Run(resumed, Options, dir) with { ResumeFrom = file });
        Assert.Equal(TrainingOutcome.Completed, result.Outcome);
        Assert.Equal(6, result.Steps);
        Assert.True(Safetensors.VerifyContent(folder.PathFor(4)), "the run's own step-4 checkpoint replaces the corrupt one");
    }

    [Fact]
    public void ACheckpointWithoutAContentHashStillResumesWithANote()
    {
        using var world = new TrainerFixture();
        var (_, folder) = StoppedRun(world, 2);
        HostileCheckpointFiles.StripContentHash(folder.PathFor(2));

        var notes = new List<string>();
        var (file, _) = folder.ResumePoint(TrainingCheckpoint.ReadState, "training state", notes);
        Assert.Equal(folder.PathFor(2), file);
        Assert.Equal([$"{file} carries no '{Safetensors.ContentHashKey}' content hash (written by an older CleanClip or another tool): resumed unverified"], notes);
    }

    [Fact]
    public void WhenEveryCheckpointIsCorruptResumingFailsNamingEach()
    {
        using var world = new TrainerFixture();
        var (_, folder) = StoppedRun(world, 4);
        foreach (var step in new[] { 2, 4 }) HostileCheckpointFiles.FlipDataBit(folder.PathFor(step), 100);

        var error = Assert.Throws<FileNotFoundException>(() => folder.ResumePoint(TrainingCheckpoint.ReadState, "training state", []));
        Assert.Contains("no good checkpoint", error.Message);
        Assert.Contains("step-00000004", error.Message);
        Assert.Contains("step-00000002", error.Message);
    }

    [Fact]
    public void TrainResumeSkipsTheCorruptNewestCheckpointAndSaysSo()
    {
        using var world = new TrainerFixture();
        var dir = Path.Combine(world.Root, "run");
        var (exit, output) = CliRunner.Run(TrainingCommand.Train(), "--train-data", world.Train.TablePath, "--init", "tiny-vit",
            "--vocab", world.Vocab, "--out", dir, "--epochs", "1", "--batch-size", "16", "--decode-threads", "1",
            "--save-every", "2", "--stop-after", "4");
        Assert.True(exit == 0, output);
        var folder = new CheckpointFolder(Path.Combine(dir, "checkpoints"), 2);
        HostileCheckpointFiles.FlipDataBit(folder.PathFor(4), 100);

        (exit, output) = CliRunner.Run(TrainingCommand.Train(), "--resume", dir, "--decode-threads", "1");
        Assert.True(exit == 0, output);
        var text = Regex.Replace(output, @"\s+", " "); // the console wraps long notes
        Assert.Contains($"skipped checkpoint: {folder.PathFor(4)}: the tensor data does not match the SHA-256", text);
        Assert.Contains($"resuming from the newest good checkpoint, {folder.PathFor(2)}", text);
        Assert.Contains("completed", text);
        Assert.DoesNotContain("last good", text);
    }
}
