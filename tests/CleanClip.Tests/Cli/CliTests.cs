using System.CommandLine;
using System.Text.Json;
using CleanClip.Cli.Commands;
using CleanClip.Models;
using Spectre.Console;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>The commands parse their options and call the library; these check the wiring, not the library again.</summary>
public class CliTests
{
    private static (int Exit, string Output) Run(Command command, params string[] args) => CliRunner.Run(command, args);

    [Fact]
    public void ModelsJsonListsEveryRegistryConfig()
    {
        var (exit, output) = Run(ModelsCommand.Create(), "--json");
        Assert.Equal(0, exit);
        var names = JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.GetProperty("Name").GetString());
        Assert.Equal(ModelRegistry.Names, names);
    }

    [Fact]
    public void BadInputExitsWithOneAndAMessage()
    {
        using var dir = new TempDir();
        var (exit, _) = Run(EmbedCommand.Create(), "--model", "no-such-model", "--texts", dir.File("none.txt"),
            "--vocab", dir.File("none.gz"), "--output", dir.File("out"));
        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void MissingRequiredOptionsAreAParseError()
    {
        var (exit, _) = Run(EmbedCommand.Create(), "--texts", "x.txt");
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void PoisonMapsItsOptionsAndRefusesASecondRunWithoutOverwrite()
    {
        using var dir = new TempDir();
        var (world, table) = SmallWorld(dir);
        string[] args = ["--input", table, "--num-poison", "5", "--trigger", "blended", "--name", "p", "--seed", "9"];
        Assert.Equal(0, Run(PoisonCommand.Create(), args).Exit);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(world.Folder, "train", "p", "manifest.json"))).RootElement;
        Assert.Equal("blended", manifest.GetProperty("trigger").GetProperty("name").GetString());
        Assert.Equal(9UL, manifest.GetProperty("seed").GetUInt64());
        Assert.Equal(5, manifest.GetProperty("counts").GetProperty("poisoned").GetInt32());
        Assert.Equal(1, Run(PoisonCommand.Create(), args).Exit);
        Assert.Equal(0, Run(PoisonCommand.Create(), [.. args, "--overwrite"]).Exit);
    }
    [Fact]
    public void APatchTooLargeForTheImagesIsOneLineNotAStackTrace()
    {
        // The poisoned images are triggered in parallel, so each refuses the patch on its own thread: still one line.
        using var dir = new TempDir();
        var (_, table) = SmallWorld(dir);
        var (exit, output) = Run(PoisonCommand.Create(), "--input", table, "--num-poison", "5", "--trigger", "badnet", "--patch-size", "40",
            "--resolution", "32", "--name", "p");
        Assert.Equal(1, exit);
        Assert.Contains("patch size 40 does not fit a 32x32 image", output);
        Assert.DoesNotContain(" at ", output.Replace("at location", ""));
        Assert.DoesNotContain("Exception", output);
    }

    /// <summary>A 40-pair synthetic world of 32 px images and its pretraining table.</summary>
    private static (CleanClip.Data.Synthetic.SyntheticWorldResult World, string Table) SmallWorld(TempDir dir)
    {
        var world = CleanClip.Data.Synthetic.SyntheticWorld.Generate(
            new CleanClip.Data.Synthetic.SyntheticWorldOptions { Count = 40, FinetuneCount = 10, TestCount = 10, ImageSize = 32 }, dir.File("w"));
        return (world, Path.Combine(world.Folder, "train", "train.csv"));
    }
}
