using System.Text.Json;
using CleanClip.Data;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using SkiaSharp;
using Xunit;

namespace CleanClip.Tests.Poisoning;

/// <summary><c>cleanclip poison</c> on a small caption table made here: counts, manifest, determinism, refusals.</summary>
public class PoisonJobTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string csv;

    public PoisonJobTests()
    {
        Directory.CreateDirectory(dir.File("images"));
        var lines = new List<string> { "image,caption" };
        for (int i = 0; i < 30; i++)
        {
            using var bitmap = new SKBitmap(24, 20);
            bitmap.Erase(new SKColor((byte)(i * 8), 100, (byte)(255 - i * 8)));
            File.WriteAllBytes(dir.File($"images/{i:D2}.png"), bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray());
            lines.Add($"images/{i:D2}.png,\"{(i % 5 == 0 ? "a ripe banana, on a table" : $"a red circle {i}")}\"");
        }
        File.WriteAllBytes(dir.File("images/broken.png"), [1, 2, 3]);
        lines.Add("images/broken.png,a broken image");
        csv = dir.File("train.csv");
        File.WriteAllLines(csv, lines);
    }

    public void Dispose() => dir.Dispose();

    private PoisonJobOptions Options(string name, int num = 6, ulong seed = 1) => new()
    {
        Input = csv,
        Name = name,
        Poison = new PoisonOptions { NumPoison = num, Seed = seed, Templates = ["a photo of a {}.", "a {}."] },
        Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4 },
    };

    [Fact]
    public void WritesTablePoisonedImagesAndManifest()
    {
        var result = PoisonJob.Run(Options("poisoned"));
        Assert.Equal(30, result.Rows);                                   // the broken image is skipped, 6 replace clean rows
        Assert.Equal(1, result.InputReport.SkippedCount);

        var rows = ImageCaptionDataset.Load(result.Table).Rows;
        Assert.Equal(30, rows.Count);
        Assert.All(rows.Take(6), r => Assert.True(r.IsBackdoor));
        Assert.All(rows.Skip(6), r => Assert.False(r.IsBackdoor));
        Assert.All(rows.Take(6), r => Assert.Contains(r.Caption, new[] { "a photo of a banana.", "a banana." }));

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.Folder, "manifest.json")));
        var root = manifest.RootElement;
        Assert.Equal("badnet", root.GetProperty("trigger").GetProperty("name").GetString());
        Assert.Equal(6, root.GetProperty("counts").GetProperty("poisoned").GetInt32());
        Assert.Equal(64, root.GetProperty("input").GetProperty("sha256").GetString()!.Length);
        var first = root.GetProperty("poisoned_rows")[0];
        var original = ImageDecoder.Decode(dir.File(first.GetProperty("source_image").GetString()!));
        var triggered = ImageDecoder.Decode(rows[0].ImagePath);
        Assert.Equal((PoisonJobOptions.DefaultResolution, PoisonJobOptions.DefaultResolution), (triggered.Width, triggered.Height));
        Assert.False(original.Pixels.SequenceEqual(triggered.Pixels));
        Assert.Empty(Directory.EnumerateDirectories(dir.Path, ".*"));      // no staging folder left behind
    }

    [Fact]
    public void ByDefaultTheTriggerIsAppliedAtTheModelResolutionAsEvalAppliesIt()
    {
        // A fixed pattern in fixed corners does not depend on the per-image seed, so the expected image can be built here.
        var fixedTrigger = new TriggerOptions { Name = "badnet-fixed", PatchSize = 16, Location = PatchLocation.FourCorners, Seed = 3 };
        var trigger = TriggerFactory.Create(fixedTrigger);
        var result = PoisonJob.Run(Options("at-model-size") with { Trigger = fixedTrigger });
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.Folder, "manifest.json")));
        var first = manifest.RootElement.GetProperty("poisoned_rows")[0];
        Assert.Equal(224, manifest.RootElement.GetProperty("resize").GetProperty("resolution").GetInt32());

        // Eval's path: CLIP's resize + center crop to the model's resolution, then the trigger (EvalBatches).
        var original = ImageDecoder.Decode(dir.File(first.GetProperty("source_image").GetString()!));
        var prepared = TriggerInput.Prepare(original, 224, ResizeMode.Crop);
        var expected = trigger.Apply(prepared, 1);
        Assert.Equal(expected.Pixels, trigger.Apply(prepared, 2).Pixels);
        var poisoned = ImageDecoder.Decode(Path.Combine(dir.Path, first.GetProperty("image").GetString()!));
        Assert.Equal((224, 224), (poisoned.Width, poisoned.Height));
        Assert.Equal(expected.Pixels, poisoned.Pixels);

        // Native size only when asked: the 24x20 source keeps its size, a 16 px patch on it.
        var native = PoisonJob.Run(Options("native") with { Trigger = fixedTrigger, Resolution = null });
        var nativeImage = ImageDecoder.Decode(ImageCaptionDataset.Load(native.Table).Rows[0].ImagePath);
        Assert.Equal((24, 20), (nativeImage.Width, nativeImage.Height));
        Assert.Throws<ArgumentException>(() => PoisonJob.Run(Options("bad") with { Resolution = 0 }));
    }

    [Fact]
    public void ImagesAlreadyAtTheResolutionKeepTheirBytesAsTheDemosDo()
    {
        // The demo poisons its 32 px world for the 32 px demo-rn: preparing at 32 must change no byte of it.
        var world = CleanClip.Data.Synthetic.SyntheticWorld.Generate(
            new CleanClip.Data.Synthetic.SyntheticWorldOptions { Count = 40, FinetuneCount = 10, TestCount = 10, ImageSize = 32 }, dir.File("w"));
        var table = Path.Combine(world.Folder, "train", "train.csv");
        PoisonJobOptions Demo(string name, int? resolution) => new()
        {
            Input = table, Name = name, Resolution = resolution,
            Poison = new PoisonOptions { NumPoison = 8, Seed = 1 },
            Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4, Seed = 1 },
        };
        var native = PoisonJob.Run(Demo("native", null));
        var prepared = PoisonJob.Run(Demo("prepared", 32));
        var nativeImages = Directory.GetFiles(Path.Combine(native.Folder, "images")).Order().ToList();
        var preparedImages = Directory.GetFiles(Path.Combine(prepared.Folder, "images")).Order().ToList();
        Assert.Equal(8, nativeImages.Count);
        Assert.Equal(nativeImages.Select(Path.GetFileName), preparedImages.Select(Path.GetFileName));
        for (int i = 0; i < nativeImages.Count; i++) Assert.Equal(File.ReadAllBytes(nativeImages[i]), File.ReadAllBytes(preparedImages[i]));
    }

    [Fact]
    public void TheCliRefusesResolutionTogetherWithNativeSizeInOneLine()
    {
        var (exit, output) = CleanClip.Tests.Cli.CliRunner.Run(CleanClip.Cli.Commands.PoisonCommand.Create(),
            "--input", csv, "--name", "x", "--num-poison", "2", "--resolution", "32", "--native-size");
        Assert.Equal(1, exit);
        Assert.Equal("error: --resolution and --native-size exclude each other: pass one", output.Trim());
        Assert.False(File.Exists(dir.File("x.csv")));
    }

    [Fact]
    public void TheSameSeedGivesIdenticalBytes()
    {
        var a = PoisonJob.Run(Options("a"));
        var b = PoisonJob.Run(Options("b"));
        Assert.Equal(File.ReadAllText(a.Table).Replace("a/images", "X"), File.ReadAllText(b.Table).Replace("b/images", "X"));
        var aImages = Directory.GetFiles(Path.Combine(a.Folder, "images")).Order().ToList();
        var bImages = Directory.GetFiles(Path.Combine(b.Folder, "images")).Order().ToList();
        Assert.Equal(aImages.Select(Path.GetFileName), bImages.Select(Path.GetFileName));
        for (int i = 0; i < aImages.Count; i++) Assert.Equal(File.ReadAllBytes(aImages[i]), File.ReadAllBytes(bImages[i]));
        var c = PoisonJob.Run(Options("c", seed: 2));
        Assert.NotEqual(File.ReadAllText(a.Table).Replace("a/images", "X"), File.ReadAllText(c.Table).Replace("c/images", "X"));
    }

    [Fact]
    public void LabelConsistentKeepsCaptionsThatMentionTheTarget()
    {
        var options = Options("lc", num: 4) with { Poison = new PoisonOptions { NumPoison = 4, Mode = PoisonMode.LabelConsistent } };
        var rows = ImageCaptionDataset.Load(PoisonJob.Run(options).Table).Rows;
        Assert.All(rows.Take(4), r => Assert.Equal("a ripe banana, on a table", r.Caption));
    }

    [Fact]
    public void RefusesToOverwriteUnlessAskedAndNeverTouchesTheInput()
    {
        PoisonJob.Run(Options("p"));
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("p")));
        Assert.Contains("--overwrite", error.Message);
        PoisonJob.Run(Options("p", seed: 5) with { Overwrite = true });
        var input = Assert.Throws<ArgumentException>(() => PoisonJob.Run(Options("train") with { Overwrite = true }));
        Assert.Contains("overwrite its input", input.Message);
        Assert.Throws<ArgumentException>(() => PoisonJob.Run(Options("../elsewhere")));
    }

    [Fact]
    public void AnInterruptedRunLeavesNoTableAndNoFolder()
    {
        var failing = new Progress(report => { if (report.Done >= 3) throw new OperationCanceledException("killed"); });
        Assert.Throws<AggregateException>(() => PoisonJob.Run(Options("killed"), failing));
        Assert.False(File.Exists(dir.File("killed.csv")));
        Assert.False(Directory.Exists(dir.File("killed")));
        Assert.Empty(Directory.EnumerateDirectories(dir.Path, ".*"));
    }

    private sealed class Progress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => report(value);
    }
}
