using CleanClip.Cli.Commands;
using CleanClip.Demo;
using CleanClip.Tests.Cli;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>Where <c>demo --world real</c> finds data/fashion-mnist, and the one line it says when it cannot.</summary>
public class DemoDataTests
{
    [Fact]
    public void TheFolderIsFoundAboveANestedStart()
    {
        using var dir = new TempDir();
        var data = Directory.CreateDirectory(Path.Combine(dir.Path, "data", "fashion-mnist")).FullName;
        var nested = Directory.CreateDirectory(Path.Combine(dir.Path, "src", "a", "b")).FullName;
        Assert.Equal(data, DemoData.Find(null, [nested]));
    }

    [Fact]
    public void TheRepositorysSubsetIsFoundFromTheTestBinary()
    {
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "data", "fashion-mnist"), DemoData.Find(null, [AppContext.BaseDirectory]));
    }

    [Fact]
    public void AnAbsentFolderIsOneClearLine()
    {
        using var dir = new TempDir();
        var start = Directory.CreateDirectory(Path.Combine(dir.Path, "elsewhere")).FullName;
        var error = Assert.Throws<DirectoryNotFoundException>(() => DemoData.Find(null, [start]));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("data/fashion-mnist", error.Message.Replace('\\', '/'));
        Assert.Contains("--data DIR", error.Message);

        var given = Assert.Throws<DirectoryNotFoundException>(() => DemoData.Find(dir.File("no-such-folder"), [start]));
        Assert.DoesNotContain('\n', given.Message);
        Assert.StartsWith("--data ", given.Message);
    }

    [Fact]
    public void TheCliRefusesAMissingDataFolderInOneLineBeforeWritingAnything()
    {
        using var dir = new TempDir();
        var (exit, output) = CliRunner.Run(DemoCommand.Create(), "--world", "real", "--data", dir.File("missing"), "--out", dir.File("demo"));
        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --data ", line);
        Assert.False(Directory.Exists(dir.File("demo")));
    }

    [Fact]
    public void DataWithoutTheRealWorldAndSeedWithSeedsAreRefused()
    {
        using var dir = new TempDir();
        var (exit, output) = CliRunner.Run(DemoCommand.Create(), "--data", dir.Path, "--out", dir.File("demo"));
        Assert.Equal(1, exit);
        Assert.Contains("--world real", output);
        (exit, output) = CliRunner.Run(DemoCommand.Create(), "--seed", "2", "--seeds", "1,2", "--out", dir.File("demo"));
        Assert.Equal(1, exit);
        Assert.Contains("either --seed or --seeds", output);
        (exit, output) = CliRunner.Run(DemoCommand.Create(), "--seeds", "1,x", "--out", dir.File("demo"));
        Assert.Equal(1, exit);
        Assert.Contains("'x' is not a seed", output);
        Assert.False(Directory.Exists(dir.File("demo")));
    }
}
