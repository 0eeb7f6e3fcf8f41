using CleanClip.Checkpoints;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

/// <summary>Files we write carry the SHA-256 of their tensor data; a file whose data changed since is refused at load.</summary>
public class ContentHashTests
{
    [Fact]
    public void AFlippedBitInTheTensorDataIsRefusedAtLoad()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("model.safetensors"));
        Assert.True(Safetensors.VerifyContent(path));
        // The lowest bit of a byte in the middle of the data: a finite, plausible weight, so only the hash can tell.
        HostileCheckpointFiles.FlipDataBit(path, (new FileInfo(path).Length - HostileCheckpointFiles.DataStart(path)) / 2);

        var error = Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains("does not match the SHA-256", error.Message);
        Assert.Contains("corrupt", error.Message);
        Assert.Throws<CheckpointFormatException>(() => Safetensors.VerifyContent(path));
    }

    [Fact]
    public void AFileWithoutAContentHashStillLoadsUnverified()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("old.safetensors"));
        var saved = Safetensors.Read(path);
        HostileCheckpointFiles.StripContentHash(path);
        Assert.False(Safetensors.ReadMetadata(path).ContainsKey(Safetensors.ContentHashKey));

        Assert.False(Safetensors.VerifyContent(path));
        using var loaded = ModelLoader.Load(path);
        foreach (var (key, value) in loaded.state_dict())
            Assert.True(value.equal(saved[key]).all().item<bool>(), $"{key} differs");
    }
}
