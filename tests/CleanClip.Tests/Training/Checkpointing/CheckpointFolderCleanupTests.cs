using CleanClip.Training.Checkpointing;
using Xunit;

namespace CleanClip.Tests.Training.Checkpointing;

/// <summary>A run's start removes the temporary files of checkpoint writes a kill interrupted, and no other file.</summary>
public class CheckpointFolderCleanupTests
{
    [Fact]
    public void OnlyTemporaryFilesOfCheckpointWritesAreRemoved()
    {
        using var dir = new TempDir();
        string[] interrupted = [$".step-00000040.safetensors.{Guid.NewGuid():N}.tmp", $".best.safetensors.{Guid.NewGuid():N}.tmp"];
        string[] others = [".notes.tmp", ".cache.tmp", "step-00000020.safetensors", ".step-00000040.safetensors.tmp"];
        foreach (var name in interrupted.Concat(others)) File.WriteAllText(dir.File(name), name);

        Assert.Equal(2, new CheckpointFolder(dir.Path, keep: 1).RemoveInterruptedWrites());

        Assert.All(interrupted, name => Assert.False(File.Exists(dir.File(name)), name));
        Assert.All(others, name => Assert.Equal(name, File.ReadAllText(dir.File(name))));
    }
}
