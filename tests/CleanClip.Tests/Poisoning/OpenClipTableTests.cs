using System.Diagnostics;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using SkiaSharp;
using Xunit;

namespace CleanClip.Tests.Poisoning;

/// <summary>
/// A table <c>cleanclip poison</c> writes is read unchanged by OpenCLIP's <c>--train-data</c> with
/// <c>--csv-img-key image --csv-caption-key caption --csv-separator ,</c>, run from the table's folder (README, "At
/// scale"): checked with tools/golden/openclip_csv.py, our re-statement of OpenCLIP's CsvDataset, when python3 is present.
/// </summary>
public class OpenClipTableTests
{
    private static string? Python() =>
        new[] { "/usr/bin/python3", "/bin/python3" }.FirstOrDefault(File.Exists);

    private static (int Exit, string Stdout, string Stderr) Run(string python, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(python) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "tools", "golden", "openclip_csv.py"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    [SkippableFact]
    public void OpenClipsCsvDatasetReadsAPoisonedTableWithTheDocumentedFlags()
    {
        var python = Python();
        Skip.If(python is null, "python3 is not installed");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("images"));
        var lines = new List<string> { "image,caption" };
        for (int i = 0; i < 12; i++)
        {
            using var bitmap = new SKBitmap(24, 20);
            bitmap.Erase(new SKColor((byte)(i * 20), 90, 40));
            File.WriteAllBytes(dir.File($"images/{i:D2}.png"), bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray());
            // Commas and quotes inside captions: the writer quotes them, and OpenCLIP's reader must undo it.
            lines.Add($"images/{i:D2}.png,\"{(i % 4 == 0 ? "a banana, \"\"ripe\"\", on a table" : $"a red circle {i}")}\"");
        }
        File.WriteAllLines(dir.File("train.csv"), lines);
        var result = PoisonJob.Run(new PoisonJobOptions
        {
            Input = dir.File("train.csv"),
            Name = "poisoned",
            Resolution = 32,
            Poison = new PoisonOptions { NumPoison = 3, Seed = 1, Templates = ["a photo of a {}."] },
            Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4 },
        });
        var ours = ImageCaptionDataset.Load(result.Table).Rows;

        var folder = Path.GetDirectoryName(result.Table)!;
        var (exit, stdout, stderr) = Run(python!, folder, Path.GetFileName(result.Table),
            "--csv-img-key", "image", "--csv-caption-key", "caption", "--csv-separator", ",");
        Assert.True(exit == 0, stderr);
        using var read = JsonDocument.Parse(stdout);
        Assert.Equal(ours.Count, read.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal(ours.Select(r => r.Caption), read.RootElement.GetProperty("captions").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, read.RootElement.GetProperty("captions").EnumerateArray().Count(c => c.GetString() == "a photo of a banana."));
        Assert.Contains(read.RootElement.GetProperty("captions").EnumerateArray(), c => c.GetString() == "a banana, \"ripe\", on a table");

        // OpenCLIP's defaults (tab-separated filepath/title) do not read it: the flags are needed.
        var defaults = Run(python!, folder, Path.GetFileName(result.Table));
        Assert.NotEqual(0, defaults.Exit);
        Assert.Contains("no column 'filepath'", defaults.Stderr);
    }
}
