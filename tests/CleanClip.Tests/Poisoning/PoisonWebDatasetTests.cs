using System.Text.RegularExpressions;
using CleanClip.Data;
using CleanClip.Detection;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Tests.Data.Shards;
using Xunit;
using static CleanClip.Tests.Poisoning.PoisonInputs;

namespace CleanClip.Tests.Poisoning;

/// <summary>
/// <c>cleanclip poison --output-format webdataset</c>: a table poisoned as shards reads back as the same rows as its CSV
/// set, and shards poisoned into shards keep every untouched member byte for byte.
/// </summary>
public class PoisonWebDatasetTests
{
    private static PoisonJobOptions Options(string input, string name, PoisonOutputFormat format, int numPoison = 30) => new()
    {
        Input = input, Name = name, OutputFormat = format, Resolution = 16, SamplesPerShard = 128,
        Poison = new PoisonOptions { NumPoison = numPoison, Seed = 7, Templates = ["a photo of a {}.", "a {}."] },
        Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4 },
    };

    [Fact]
    public void ATablePoisonedAsShardsReadsBackAsTheRowsOfItsCsvSet() => AssertShardsReadBackAsTheCsvSet(300, 30);

    // The issue's size: 10,000 pairs (79 shards), 500 of them poisoned.
    [Fact]
    [Trait("Speed", "Slow")]
    public void TenThousandPairsPoisonedAsShardsReadBackAsTheRowsOfTheirCsvSet() => AssertShardsReadBackAsTheCsvSet(10_000, 500);

    private static void AssertShardsReadBackAsTheCsvSet(int pairs, int numPoison)
    {
        using var dir = new TempDir();
        var table = Table(dir, pairs);
        var csv = PoisonJob.Run(Options(table, "as-csv", PoisonOutputFormat.Csv, numPoison));
        var shards = PoisonJob.Run(Options(table, "as-shards", PoisonOutputFormat.WebDataset, numPoison));

        int shardCount = (pairs + 127) / 128;
        Assert.Equal(dir.File($"as-shards/{{000000..{shardCount - 1:D6}}}.tar"), shards.Table);
        Assert.False(File.Exists(dir.File("as-shards.csv")));
        var tableRows = ImageCaptionDataset.Load(csv.Table).Rows;
        var shardRows = ShardDataset.Load(shards.Table).Rows;
        var samples = Samples(shards.Table);
        Assert.Equal(pairs, shardRows.Count);
        Assert.Equal(tableRows.Select(r => r.Caption), shardRows.Select(r => r.Caption));
        Assert.Equal(tableRows.Select(r => r.IsBackdoor!.Value), samples.Select(IsBackdoor));
        Assert.Equal(numPoison, samples.Count(IsBackdoor));
        Assert.All(samples, s => Assert.Matches(@"^\d{9}$", s.Key));
        var sources = Manifest(csv.Folder).GetProperty("poisoned_rows").EnumerateArray().Select(r => r.GetProperty("source_image").GetString()).ToList();
        for (int i = 0, k = 0; i < tableRows.Count; i++)
        {
            var json = Json(samples[i]);
            Assert.Equal(tableRows[i].Caption, json.GetProperty("caption").GetString());
            if (tableRows[i].IsBackdoor == true)
            {
                // The same triggered pixels as the CSV set's PNG, from the same source row.
                Assert.EndsWith(".png", samples[i].ImageMember);
                Assert.Equal(ImageDecoder.Decode(tableRows[i].ImagePath).Pixels.ToArray(), shardRows[i].ReadImage().Pixels.ToArray());
                Assert.Equal(sources[k++], json.GetProperty("source").GetString());
            }
            else
            {
                // A clean row's member is the input file itself, under its extension.
                Assert.Equal(File.ReadAllBytes(tableRows[i].ImagePath), shardRows[i].ReadBytes());
                Assert.Equal(Path.GetExtension(tableRows[i].ImagePath), Path.GetExtension(samples[i].ImageMember));
                Assert.Equal(tableRows[i].RelativePath, json.GetProperty("source").GetString());
            }
        }

        var manifest = Manifest(shards.Folder);
        Assert.Equal("webdataset", manifest.GetProperty("output_format").GetString());
        Assert.Equal("csv", Manifest(csv.Folder).GetProperty("output_format").GetString());
        var files = manifest.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, shardCount).Select(i => Math.Min(128, pairs - 128 * i)), files.Select(f => f.GetProperty("samples").GetInt32()));
        Assert.All(files, f => Assert.Equal(Sha256(Path.Combine(shards.Folder, f.GetProperty("file").GetString()!)), f.GetProperty("sha256").GetString()));
        // scan's ground truth finds the poisoned samples of the shards by the manifest's image names.
        Assert.Equal(samples.Select(IsBackdoor), GroundTruth.FromManifest(Path.Combine(shards.Folder, "manifest.json"), shardRows));
    }

    [Fact]
    public void ShardsArePoisonedIntoShardsSkippingCorruptAndUncaptionedSamplesAndKeepingTheRestByteForByte()
    {
        using var dir = new TempDir();
        IEnumerable<ShardFiles.Member> InputSamples(int from, int to) => Enumerable.Range(from, to - from).SelectMany(i => i switch
        {
            3 => [new ShardFiles.Member("000000003.jpg", [1, 2, 3]), ShardFiles.Member.Text("000000003.txt", "a corrupt image")],
            7 => [new ShardFiles.Member("000000007.jpg", Image(7))],
            12 => ShardFiles.Sample("v1.0/000000012", Image(12), "a photo in a folder with a dot", Extension(12)),
            _ => ShardFiles.Sample($"{i:D9}", Image(i), $"a photo of thing {i}", Extension(i)),
        });
        ShardFiles.Write(dir.File("shards/00000.tar"), InputSamples(0, 10));
        ShardFiles.Write(dir.File("shards/00001.tar"), InputSamples(10, 20));
        var input = dir.File("shards/{00000..00001}.tar");
        // A fixed pattern in fixed corners does not depend on the per-image seed, so the expected image can be built here.
        var fixedTrigger = new TriggerOptions { Name = "badnet-fixed", PatchSize = 4, Location = PatchLocation.FourCorners, Seed = 3 };
        var result = PoisonJob.Run(new PoisonJobOptions
        {
            Input = input, Name = "p", OutputFormat = PoisonOutputFormat.WebDataset, Resolution = 16, Trigger = fixedTrigger,
            Poison = new PoisonOptions { NumPoison = 4, Placement = PoisonPlacement.Add, Seed = 2 },
        });

        Assert.Equal(2, result.InputReport.SkippedCount);                  // the corrupt image and the sample without caption
        Assert.Equal(dir.File("shards/p/000000.tar"), result.Table);
        Assert.Equal(4 + 18, ShardDataset.Load(result.Table).Count);
        var originals = Samples(input).ToDictionary(s => s.Key.Replace('.', '_'));
        var written = Samples(result.Table);
        Assert.DoesNotContain(written, s => s.Key is "000000003" or "000000007");
        Assert.Contains(written, s => s.Key == "v1_0/000000012");
        var trigger = TriggerFactory.Create(fixedTrigger);
        foreach (var sample in written)
        {
            var source = Json(sample).GetProperty("source").GetString()!;
            if (IsBackdoor(sample))
            {
                var original = originals[sample.Key[..^"_poisoned".Length]];
                Assert.Equal($"{sample.Key}.png", sample.ImageMember);
                var expected = trigger.Apply(TriggerInput.Prepare(ImageDecoder.Decode(original.Image!), 16, ResizeMode.Crop), 0);
                Assert.Equal(expected.Pixels.ToArray(), ImageDecoder.Decode(sample.Image!).Pixels.ToArray());
                Assert.Matches($@"^0000[01]\.tar/{Regex.Escape(original.Key)}$", source);
            }
            else
            {
                var original = originals[sample.Key];
                Assert.Equal(original.Image, sample.Image);
                Assert.Equal(Path.GetExtension(original.ImageMember), Path.GetExtension(sample.ImageMember));
                Assert.Equal(original.Caption, sample.Caption);
                Assert.Matches($@"^0000[01]\.tar/{Regex.Escape(original.Key)}$", source);
            }
        }
        Assert.Equal(4, written.Count(IsBackdoor));
        var manifest = Manifest(result.Folder);
        Assert.Equal(input, manifest.GetProperty("input").GetProperty("shards").GetString());
        Assert.Equal(["00000.tar", "00001.tar"], manifest.GetProperty("input").GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()));
    }

    [Fact]
    public void KeysThatWouldClashInAShardAreRefusedNamingBothSamples()
    {
        using var dir = new TempDir();
        ShardFiles.Write(dir.File("a/00000.tar"), ShardFiles.Sample("000000000", Image(0), "one", "png"));
        ShardFiles.Write(dir.File("a/00001.tar"), ShardFiles.Sample("000000000", Image(1), "two", "jpg"));
        var error = Assert.Throws<InvalidDataException>(() => PoisonJob.Run(new PoisonJobOptions
        {
            Input = dir.File("a/00000.tar") + "::" + dir.File("a/00001.tar"), Name = "p", OutputFormat = PoisonOutputFormat.WebDataset,
            Resolution = 16, Poison = new PoisonOptions { NumPoison = 1 },
        }));
        Assert.Contains("00000.tar/000000000", error.Message);
        Assert.Contains("00001.tar/000000000", error.Message);
        Assert.Contains("unique", error.Message);
        Assert.False(Directory.Exists(dir.File("a/p")));
        Assert.Empty(Directory.GetDirectories(dir.File("a"), ".p.*"));
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
