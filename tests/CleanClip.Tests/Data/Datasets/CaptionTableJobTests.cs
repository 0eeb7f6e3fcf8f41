using System.Text.Json;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Tests.Cli;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary><c>cleanclip caption-table</c>: PNGs + image,caption,label from a labeled set, written as a new folder only.</summary>
public class CaptionTableJobTests : IDisposable
{
    private readonly TempDir dir = new();

    public CaptionTableJobTests() => dir.Mnist(Path.Combine("FashionMNIST", "raw"), "train", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    public void Dispose() => dir.Dispose();

    private CaptionTableJobOptions Options(string output, int? count = 5, ulong seed = 7) =>
        new() { Data = dir.File("FashionMNIST"), Split = DatasetSplit.Train, Count = count, Seed = seed, Out = dir.File(Path.Combine(output, "table.csv")) };

    [Fact]
    public void WritesTheChosenImagesAsPngsWithCaptionsFromTheirClassNames()
    {
        var result = CaptionTableJob.Run(Options("out"));

        Assert.Equal(5, result.Rows);
        var table = ImageCaptionDataset.Load(result.Table);
        Assert.Equal(5, table.Count);
        var source = LabeledImageDataset.Load(dir.File("FashionMNIST"), split: DatasetSplit.Train);
        var lines = File.ReadAllLines(result.Table);
        Assert.Equal("image,caption,label", lines[0]);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            int index = int.Parse(Path.GetFileNameWithoutExtension(fields[0])["train-".Length..]);
            int label = int.Parse(fields[2]);
            Assert.Equal(source.Images[index].Label, label);
            var className = TorchvisionFolder.FashionMnistClasses[label];
            Assert.Contains(CaptionTableJob.DefaultTemplates, t => t.Replace("{}", className) == fields[1]);
            // The PNG holds the source pixels exactly (28x28 gray as RGB; PNG is lossless).
            var png = ImageDecoder.Decode(Path.Combine(result.Folder, fields[0]));
            Assert.Equal(source.Images[index].Pixels!.Pixels.ToArray(), png.Pixels.ToArray());
        }
        var classes = ClassesFile.Read(Path.Combine(result.Folder, CaptionTableJob.ClassesFileName));
        Assert.Equal(TorchvisionFolder.FashionMnistClasses, classes.Classes);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.Folder, CaptionTableJob.ManifestName)));
        Assert.Equal(CaptionTableJob.Format, manifest.RootElement.GetProperty("format").GetString());
        Assert.Empty(Directory.GetDirectories(dir.Path, ".*"));
    }

    [Fact]
    public void TheSameSeedGivesTheSameTableAndAnotherSeedAnotherDraw()
    {
        var a = CaptionTableJob.Run(Options("a", seed: 7));
        var b = CaptionTableJob.Run(Options("b", seed: 7));
        var c = CaptionTableJob.Run(Options("c", seed: 8));
        Assert.Equal(File.ReadAllBytes(a.Table), File.ReadAllBytes(b.Table));
        Assert.NotEqual(File.ReadAllText(a.Table), File.ReadAllText(c.Table));
    }

    [Fact]
    public void ATableNamedLabelsCsvMakesItsFolderALabeledSet()
    {
        var result = CaptionTableJob.Run(Options("labeled", count: null) with { Out = dir.File(Path.Combine("labeled", "labels.csv")) });

        var set = LabeledImageDataset.Load(result.Folder);

        Assert.Equal(20, set.Count);
        Assert.Equal("ankle boot", set.Classes.Classes[set.Images[9].Label]);
        Assert.Null(set.Images[0].Pixels);
    }

    [Fact]
    public void TemplatesComeFromTheFileAndABadLineIsNamed()
    {
        var templates = dir.Text("t.txt", "# mine\n\nclothing: {}\n");
        var result = CaptionTableJob.Run(Options("t") with { Templates = templates });
        Assert.All(ImageCaptionDataset.Load(result.Table).Rows, r => Assert.StartsWith("clothing: ", r.Caption));

        var bad = dir.Text("bad.txt", "a photo of a {}.\na photo\n");
        var e = Assert.Throws<InvalidDataException>(() => CaptionTableJob.Run(Options("u") with { Templates = bad }));
        Assert.Equal($"{bad}: line 2: template \"a photo\" has no {{}} for the class name", e.Message);
        Assert.False(Directory.Exists(dir.File("u")));
    }

    [Fact]
    public void AFolderThatHoldsAnythingIsNeverReplaced()
    {
        var mine = dir.Text(Path.Combine("busy", "notes.txt"), "keep me");

        var e = Assert.Throws<InvalidOperationException>(() => CaptionTableJob.Run(Options("busy")));

        Assert.Contains("is not empty; caption-table writes a new folder and replaces nothing", e.Message);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir.File("busy")).Select(Path.GetFileName));
        Assert.Equal("keep me", File.ReadAllText(mine));
        // A second run into its own finished output is refused too: it never deletes what it wrote before.
        CaptionTableJob.Run(Options("done"));
        Assert.Throws<InvalidOperationException>(() => CaptionTableJob.Run(Options("done")));
    }

    [Fact]
    public void TablesFromDisjointRangesShareNoImage()
    {
        var pretrain = CaptionTableJob.Run(Options("pre", count: 8) with { Range = (0, 12) });
        var clean = CaptionTableJob.Run(Options("clean", count: null) with { Range = (12, null) });

        var first = ImageCaptionDataset.Load(pretrain.Table).Rows.Select(r => Path.GetFileName(r.ImagePath)).ToList();
        var second = ImageCaptionDataset.Load(clean.Table).Rows.Select(r => Path.GetFileName(r.ImagePath)).ToList();
        Assert.Equal(8, first.Count);
        Assert.All(first, name => Assert.InRange(int.Parse(name["train-".Length..^".png".Length]), 0, 11));
        Assert.Equal(Enumerable.Range(12, 8).Select(i => $"train-{i:D5}.png"), second);
    }

    [Theory]
    [InlineData("5:25", "--range 5:25: ")]
    [InlineData("7:7", "--range 7:7: ")]
    [InlineData("a:3", "--range 'a:3': expected START:END")]
    [InlineData("-1:3", "--range '-1:3': expected START:END")]
    public void ABadRangeIsRefusedNamingTheOption(string range, string message)
    {
        var (exit, output) = CliRunner.Run(CaptionTableCommand.Create(),
            "--data", dir.File("FashionMNIST"), "--split", "train", "--range", range, "--out", dir.File(Path.Combine("r", "table.csv")));
        Assert.Equal(1, exit);
        Assert.Contains(message, output);
        Assert.False(Directory.Exists(dir.File("r")));
    }

    [Fact]
    public void ACountLargerThanTheRangeIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => CaptionTableJob.Run(Options("x", count: 5) with { Range = (0, 4) }));
        Assert.Contains("--count 5: ", e.Message);
        Assert.Contains("has 4 usable images in the range 0:4 of its train split", e.Message);
    }

    [Fact]
    public void AnEmptyOutputFolderIsUsed()
    {
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Equal(5, CaptionTableJob.Run(Options("empty")).Rows);
    }

    [Fact]
    public void ACountBeyondTheSplitIsRefusedBeforeAnythingIsWritten()
    {
        var e = Assert.Throws<ArgumentException>(() => CaptionTableJob.Run(Options("big", count: 21)));
        Assert.Contains("--count 21", e.Message);
        Assert.Contains("has 20 usable images in its train split", e.Message);
        Assert.False(Directory.Exists(dir.File("big")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".*"));
    }

    [Fact]
    public void TheCommandPrintsWhatItWroteAndRefusesABusyFolderWithExitOne()
    {
        string[] args = ["--data", dir.File("FashionMNIST"), "--split", "train", "--count", "4", "--seed", "3", "--out", dir.File(Path.Combine("cli", "table.csv"))];
        var (exit, output) = CliRunner.Run(CaptionTableCommand.Create(), args);
        Assert.True(exit == 0, output);
        Assert.Contains("4 of 20 images from", output);
        (exit, output) = CliRunner.Run(CaptionTableCommand.Create(), args);
        Assert.Equal(1, exit);
        Assert.Contains("error:", output);
        Assert.Contains("is not empty", output);
    }
}
