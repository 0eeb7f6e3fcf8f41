using System.Text.Json;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Tests.Training;
using CleanClip.Training;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>
/// What <c>train</c> tells about its data: the unreadable images it skipped, by table line (in the notes and in the run
/// folder's skipped.jsonl), and how many captions the model's context cut.
/// </summary>
public class TrainingDataNotesTests
{
    private const int BrokenLine = 4, LongLine = 7;

    /// <summary>The world's training rows as a table beside its images: line 4 names an unreadable file, line 7 has a caption of over 77 tokens.</summary>
    private static string TableWithABrokenImageAndALongCaption(TrainerFixture world)
    {
        var folder = Path.GetDirectoryName(world.Train.TablePath)!;
        File.WriteAllText(Path.Combine(folder, "broken.png"), "not a png");
        var rows = world.Train.Rows.Select(r => (Image: r.RelativePath, r.Caption)).ToList();
        rows[BrokenLine - 2] = ("broken.png", rows[BrokenLine - 2].Caption);
        rows[LongLine - 2] = (rows[LongLine - 2].Image, string.Join(" ", Enumerable.Repeat(rows[LongLine - 2].Caption, 20)));
        var table = Path.Combine(folder, "notes.csv");
        File.WriteAllLines(table, rows.Select(r => $"{r.Image},\"{r.Caption.Replace("\"", "\"\"")}\"").Prepend("image,caption"));
        return table;
    }

    [Fact]
    public void TrainNamesTheImageItSkippedOnceAndCountsTheTruncatedCaption()
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var table = TableWithABrokenImageAndALongCaption(world);
        var run = Path.Combine(world.Root, "run");
        var (exit, text) = CliRunner.Run(TrainingCommand.Train(), "--train-data", table, "--init", "tiny-vit", "--vocab", world.Vocab,
            "--out", run, "--epochs", "2", "--batch-size", "8", "--decode-threads", "1", "--no-tensorboard");
        text = text.ReplaceLineEndings("");   // notes wider than the console wrap
        Assert.True(exit == 0, text);
        var skippedFile = Path.Combine(run, SkippedImageList.FileName);
        Assert.Contains($"note: 1 unreadable image was skipped: line {BrokenLine} broken.png; it is listed with its reason in {skippedFile}", text);
        Assert.Contains($"note: {table}: 1 of {world.Train.Count} captions are longer than the model's 77-token context and were truncated " +
            $"(--truncation KeepEndOfText); first: line {LongLine}", text);

        // Skipped in both epochs, listed once.
        var listed = Assert.Single(File.ReadAllLines(skippedFile));
        using (var entry = JsonDocument.Parse(listed))
        {
            Assert.Equal("broken.png", entry.RootElement.GetProperty("name").GetString());
            Assert.Equal(BrokenLine, entry.RootElement.GetProperty("line").GetInt32());
            Assert.StartsWith("cannot decode image: ", entry.RootElement.GetProperty("reason").GetString());
        }
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, Trainer.ConfigFileName)));
        var captions = config.RootElement.GetProperty("captions");
        Assert.Equal(world.Train.Count, captions.GetProperty("captions").GetInt32());
        Assert.Equal(1, captions.GetProperty("truncated").GetInt32());
        Assert.Equal(77, captions.GetProperty("context_length").GetInt32());
        Assert.Equal("keep-end-of-text", captions.GetProperty("truncation").GetString());
        Assert.Equal(LongLine, captions.GetProperty("first_line").GetInt32());
    }

    [Fact]
    public void TruncationErrorRefusesAnOverLongCaptionBeforeTrainingNamingItsLine()
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var table = TableWithABrokenImageAndALongCaption(world);
        var run = Path.Combine(world.Root, "run");
        var (exit, text) = CliRunner.Run(TrainingCommand.Train(), "--train-data", table, "--init", "tiny-vit", "--vocab", world.Vocab,
            "--out", run, "--batch-size", "8", "--truncation", "Error");
        text = text.ReplaceLineEndings("");
        Assert.Equal(1, exit);
        Assert.Matches($@"error: {System.Text.RegularExpressions.Regex.Escape(table)} line {LongLine}: the caption needs \d+ tokens, more than the model's 77-token context \(1 of {world.Train.Count} captions are too long\); shorten them or pass --truncation KeepEndOfText", text);
        Assert.DoesNotContain("   at ", text);
        Assert.False(Directory.Exists(run), $"{run} was created");
    }

    // A resumed run goes on naming what earlier sessions skipped; a new run in the folder starts its list afresh.
    [Fact]
    public void TheListIsReadBackOnResumeAndEachImageListedOnce()
    {
        using var dir = new TempDir();
        var rows = new[]
        {
            new CaptionRow(2, dir.File("a.png"), "a.png", "a", null), new CaptionRow(3, dir.File("b.png"), "b.png", "b", null),
            new CaptionRow(5, dir.File("c.png"), "c.png", "c", null),
        };
        var first = SkippedImageList.Open(dir.Path, rows, resumed: false);
        first.Add([new SkippedItem(2, "cannot decode c"), new SkippedItem(0, "cannot decode a")]);
        first.Save();
        Assert.Equal(["a.png", "c.png"], first.Images.Select(i => i.Name));

        var resumed = SkippedImageList.Open(dir.Path, rows, resumed: true);
        resumed.Add([new SkippedItem(2, "cannot read c"), new SkippedItem(1, "cannot decode b")]);
        resumed.Save();
        Assert.Equal([(2, "a.png", "cannot decode a"), (3, "b.png", "cannot decode b"), (5, "c.png", "cannot decode c")],
            SkippedImageList.Open(dir.Path, rows, resumed: true).Images.Select(i => (i.Line!.Value, i.Name, i.Reason)));
        Assert.Equal(3, File.ReadAllLines(resumed.Path).Length);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

        var fresh = SkippedImageList.Open(dir.Path, rows, resumed: false);
        Assert.Empty(fresh.Images);
        Assert.False(File.Exists(fresh.Path));

        File.WriteAllText(fresh.Path, "{\"name\": \"a.png\", \"reason\": \"x\", \"line\": 2}\nnot json\n");
        var error = Assert.Throws<InvalidDataException>(() => SkippedImageList.Open(dir.Path, rows, resumed: true));
        Assert.StartsWith($"{fresh.Path}:2: not a skipped image", error.Message);
    }

    [Fact]
    public void TheNoteNamesTheFirstThreeAndCountsTheRest()
    {
        var images = Enumerable.Range(0, 5).Select(i => new SkippedInput($"images/{i}.png", "cannot decode", i + 2)).ToList();
        Assert.Equal("5 unreadable images were skipped: line 2 images/0.png, line 3 images/1.png, line 4 images/2.png and 2 more; " +
            "each is listed with its reason in run/skipped.jsonl", SkippedImageList.Note(images, "run/skipped.jsonl"));
        Assert.Null(SkippedImageList.Note([], "run/skipped.jsonl"));
    }
}
