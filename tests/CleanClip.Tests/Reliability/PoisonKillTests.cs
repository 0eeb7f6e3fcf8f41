using System.Diagnostics;
using System.Text.Json;
using CleanClip.Data;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Reliability;

/// <summary>
/// `cleanclip poison` SIGKILLed at seeded random moments: after every kill there is either no poisoned table or a
/// complete set (every image it names decodes, the manifest parses), a rerun finishes it byte-identical to an
/// uninterrupted run, and no staging folder is left behind.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class PoisonKillTests(ITestOutputHelper output)
{
    [Fact]
    public void A_killed_poison_run_never_leaves_a_set_that_looks_complete_and_a_rerun_gives_the_same_bytes()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("CLEANCLIP_KILLS"), out var k) ? k : 4;
        using var dir = new TempDir();
        var csv = WriteInput(dir, 240);
        string[] Poison(string name) =>
            ["poison", "--input", csv, "--name", name, "--num-poison", "200", "--trigger", "badnet", "--patch-size", "8", "--seed", "3"];

        var watch = Stopwatch.StartNew();
        CliProcess.RunToEnd(Poison("reference"));
        var uninterrupted = watch.Elapsed;

        var random = new Random(7);
        int landed = 0, attempts = 0;
        while (landed < kills && attempts++ < 10 * kills)
        {
            var delay = TimeSpan.FromSeconds(0.2 + random.NextDouble() * uninterrupted.TotalSeconds);
            if (CliProcess.KillAfter(Poison("killed"), delay))
            {
                landed++;
                AssertNoneOrComplete(dir, "killed");
            }
            // A finished run is rerun from scratch (the next kill lands in a fresh run), like a user starting over.
            if (File.Exists(dir.File("killed.csv"))) { File.Delete(dir.File("killed.csv")); Directory.Delete(dir.File("killed"), recursive: true); }
        }
        CliProcess.RunToEnd(Poison("killed"));
        output.WriteLine($"{landed} kills landed (uninterrupted run {uninterrupted.TotalSeconds:F1} s)");
        Assert.True(landed >= Math.Min(kills, 2), $"only {landed} kills landed");

        Assert.Equal(File.ReadAllText(dir.File("reference.csv")).Replace("reference/", "X/"), File.ReadAllText(dir.File("killed.csv")).Replace("killed/", "X/"));
        var expected = Directory.GetFiles(dir.File("reference/images")).Order().ToList();
        var actual = Directory.GetFiles(dir.File("killed/images")).Order().ToList();
        Assert.Equal(expected.Select(Path.GetFileName), actual.Select(Path.GetFileName));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(File.ReadAllBytes(expected[i]), File.ReadAllBytes(actual[i]));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".killed.partial-*"));
    }

    private static void AssertNoneOrComplete(TempDir dir, string name)
    {
        var table = dir.File(name + ".csv");
        if (!File.Exists(table)) return;
        var rows = ImageCaptionDataset.Load(table).Rows;
        foreach (var row in rows) Assert.True(ImageDecoder.TryDecode(row.ImagePath, out _, out var reason), $"{row.ImagePath}: {reason}");
        using var manifest = JsonDocument.Parse(File.ReadAllText(dir.File(Path.Combine(name, "manifest.json"))));
        Assert.Equal(200, manifest.RootElement.GetProperty("counts").GetProperty("poisoned").GetInt32());
    }

    private static string WriteInput(TempDir dir, int count)
    {
        Directory.CreateDirectory(dir.File("images"));
        var lines = new List<string> { "image,caption" };
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(96, 96);
            bitmap.Erase(new SKColor((byte)i, (byte)(i * 7), (byte)(255 - i)));
            File.WriteAllBytes(dir.File($"images/{i:D3}.png"), bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray());
            lines.Add($"images/{i:D3}.png,a photo of shape {i}");
        }
        File.WriteAllLines(dir.File("train.csv"), lines);
        return dir.File("train.csv");
    }
}
