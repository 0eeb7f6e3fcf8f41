using CleanClip.Training;
using Xunit;

namespace CleanClip.Tests.Training;

public class RunCompletionTests
{
    [Fact]
    public void TheMarkerReadsBackAndClearRemovesIt()
    {
        using var dir = new TempDir();
        Assert.False(RunCompletion.IsComplete(dir.Path));
        RunCompletion.Write(dir.Path, 12, Path.Combine(dir.Path, Trainer.ModelFileName));
        var marker = RunCompletion.Read(dir.Path)!;
        Assert.Equal((12L, Trainer.ModelFileName), (marker.Steps, marker.Model));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*.tmp"));
        RunCompletion.Clear(dir.Path);
        Assert.False(RunCompletion.IsComplete(dir.Path));
        RunCompletion.Clear(dir.Path);   // nothing to remove is fine
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"format\": \"cleanclip-run-comp")]
    [InlineData("{\"format\": \"something-else\", \"steps\": 3, \"model\": \"m\", \"finished_utc\": \"2026-01-01T00:00:00Z\"}")]
    [InlineData("[1, 2]")]
    public void AFileThatIsNotAMarkerDoesNotCountAsComplete(string text)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(RunCompletion.FileName), text);
        Assert.False(RunCompletion.IsComplete(dir.Path));
    }
}
