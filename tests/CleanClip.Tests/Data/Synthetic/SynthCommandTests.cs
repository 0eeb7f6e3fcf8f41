using CleanClip.Cli.Commands;
using CleanClip.Data.Synthetic;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

/// <summary>The command maps its options onto <see cref="SyntheticWorldOptions"/>; the world itself is tested elsewhere.</summary>
public class SynthCommandTests
{
    [Fact]
    public void WritesAWorldWithTheGivenCountsAndRefusesToOverwriteUnlessAsked()
    {
        using var dir = new TempDir();
        var folder = dir.File("world");
        string[] args = ["--out", folder, "--n", "15", "--finetune", "11", "--test", "10", "--size", "24", "--seed", "3"];
        Assert.Equal(0, SynthCommand.Create().Parse(args).Invoke());
        Assert.Equal(15, Directory.GetFiles(Path.Combine(folder, "train", "images")).Length);
        Assert.Equal(11, Directory.GetFiles(Path.Combine(folder, "finetune", "images")).Length);
        Assert.Equal(10, Directory.GetFiles(Path.Combine(folder, "test", "images")).Length);
        var manifest = File.ReadAllText(Path.Combine(folder, SyntheticWorld.ManifestName));
        Assert.Contains("\"seed\": 3", manifest);
        Assert.Contains("\"image_size\": 24", manifest);

        Assert.Equal(1, SynthCommand.Create().Parse(args).Invoke());
        Assert.Equal(0, SynthCommand.Create().Parse([.. args, "--overwrite"]).Invoke());
    }

    [Fact]
    public void BadOptionsExitWithOneAndWriteNothing()
    {
        using var dir = new TempDir();
        Assert.Equal(1, SynthCommand.Create().Parse(["--out", dir.File("world"), "--size", "3"]).Invoke());
        Assert.False(Directory.Exists(dir.File("world")));
        Assert.NotEqual(0, SynthCommand.Create().Parse(["--n", "10"]).Invoke());
    }
}
