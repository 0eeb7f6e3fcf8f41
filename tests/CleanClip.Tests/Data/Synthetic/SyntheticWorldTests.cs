using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CsvHelper;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

public class SyntheticWorldTests(SmallWorld world) : IClassFixture<SmallWorld>
{
    private static readonly SyntheticWorldOptions Options = SmallWorld.Options;

    private static List<string[]> ReadTable(string path, params string[] columns)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        Assert.Equal(columns, csv.HeaderRecord);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(columns.Select(c => csv.GetField(c)!).ToArray());
        return rows;
    }

    [Fact]
    public void SameSeedGivesByteIdenticalFilesWhateverTheThreadCount()
    {
        using var dir = new TempDir();
        SyntheticWorld.Generate(Options with { Threads = 1 }, dir.File("one-thread"));
        SyntheticWorld.Generate(Options with { Threads = 3 }, dir.File("three-threads"));
        var first = SmallWorld.Files(dir.File("one-thread"));
        var second = SmallWorld.Files(dir.File("three-threads"));
        var fixture = SmallWorld.Files(world.Folder);
        Assert.Equal(60 + 20 + 30 + 5, first.Count);
        Assert.Equal(first.Keys, second.Keys);
        Assert.Equal(first.Keys, fixture.Keys);
        foreach (var (name, bytes) in first)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(second[name]), $"{name} differs between 1 and 3 threads");
            Assert.True(bytes.AsSpan().SequenceEqual(fixture[name]), $"{name} differs between runs");
        }
    }

    [Fact]
    public void DifferentSeedGivesDifferentImagesAndCaptions()
    {
        using var dir = new TempDir();
        SyntheticWorld.Generate(Options with { Seed = 2 }, dir.File("other"));
        var other = SmallWorld.Files(dir.File("other"));
        var mine = SmallWorld.Files(world.Folder);
        var images = mine.Keys.Where(k => k.EndsWith(".png")).ToList();
        Assert.All(images, name => Assert.False(mine[name].AsSpan().SequenceEqual(other[name]), $"{name} is the same under seed 2"));
        Assert.NotEqual(mine["train/train.csv"], other["train/train.csv"]);
    }

    [Fact]
    public void SplitsShareNoImage()
    {
        HashSet<string> Hashes(SyntheticSplit split) =>
            Directory.EnumerateFiles(world.PathOf(split, "images")).Select(f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))).ToHashSet();
        var train = Hashes(SyntheticSplit.Train);
        var finetune = Hashes(SyntheticSplit.Finetune);
        var test = Hashes(SyntheticSplit.Test);
        Assert.Equal(60, train.Count);
        Assert.Equal(20, finetune.Count);
        Assert.Equal(30, test.Count);
        Assert.Empty(train.Intersect(finetune));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(finetune.Intersect(test));
    }

    [Fact]
    public void CaptionTablesListEveryImageWithANonEmptyCaptionAndBananasAmongThem()
    {
        foreach (var split in new[] { SyntheticSplit.Train, SyntheticSplit.Finetune })
        {
            var table = world.PathOf(split, SyntheticWorld.TableName(split));
            var rows = ReadTable(table, "image", "caption");
            Assert.Equal(split == SyntheticSplit.Train ? 60 : 20, rows.Count);
            Assert.All(rows, r => Assert.False(string.IsNullOrWhiteSpace(r[1])));
            Assert.Contains(rows, r => r[1].Contains("banana"));
            // The project's own reader resolves the paths relative to the table's folder.
            Assert.All(ImageList.From(table), image => Assert.True(File.Exists(image.Path), image.Path));
            var planned = WorldPlanner.Plan(Options, split);
            Assert.Equal(planned.Select(s => (s.Image, s.Caption!.Text)), rows.Select(r => (r[0], r[1])));
        }
    }

    [Fact]
    public void TestSplitIsClassBalancedWithAClassesFileTheEvaluatorReads()
    {
        var rows = ReadTable(world.PathOf(SyntheticSplit.Test, "labels.csv"), "image", "label");
        var labels = rows.Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(30, labels.Count);
        Assert.Equal(Enumerable.Repeat(3, 10), Enumerable.Range(0, 10).Select(k => labels.Count(l => l == k)));
        var classes = ClassesFile.Read(world.PathOf(SyntheticSplit.Test, "classes.json"));
        Assert.Equal(Options.Kinds, classes.Classes);
        Assert.Contains("a photo of a {}.", classes.Templates);
        Assert.Contains("a photo of a banana.", classes.Prompts(classes.IndexOf("banana")));
        Assert.Contains(classes.IndexOf("banana"), labels);
    }

    [Fact]
    public void ImagesDecodeAsRgbPngsOfTheRequestedSize()
    {
        foreach (var file in Directory.EnumerateFiles(world.Folder, "*.png", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.Equal(2, bytes[25]);   // IHDR colour type 2: RGB, no alpha channel
            var image = ImageDecoder.Decode(bytes, file);
            Assert.Equal((32, 32), (image.Width, image.Height));
        }
    }

    [Fact]
    public void WrittenImagesAreTheirPlannedScenes()
    {
        using var renderer = new SceneRenderer(Options.ImageSize);
        foreach (var sample in WorldPlanner.Plan(Options, SyntheticSplit.Finetune))
        {
            var onDisk = ImageDecoder.Decode(world.PathOf(SyntheticSplit.Finetune, sample.Image));
            Assert.True(onDisk.Pixels.SequenceEqual(renderer.Render(sample.Scene).Pixels), sample.Image);
        }
    }

    [Fact]
    public void ManifestDescribesTheWorld()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(world.Result.Manifest));
        var root = doc.RootElement;
        Assert.Equal("cleanclip-synth", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(1, root.GetProperty("seed").GetInt64());
        Assert.Equal(32, root.GetProperty("image_size").GetInt32());
        Assert.Equal(Options.Kinds, root.GetProperty("kinds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(12, root.GetProperty("colours").GetArrayLength());
        var splits = root.GetProperty("splits");
        Assert.Equal(60, splits.GetProperty("train").GetProperty("count").GetInt32());
        Assert.Equal(20, splits.GetProperty("finetune").GetProperty("count").GetInt32());
        Assert.Equal(30, splits.GetProperty("test").GetProperty("count").GetInt32());
        Assert.Equal(["train", "finetune", "test"], world.Result.Splits.Select(s => s.Name));
        Assert.All(world.Result.Splits, s => Assert.True(File.Exists(s.Table), s.Table));
    }
}
