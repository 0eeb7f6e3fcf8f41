using CleanClip.Training.Logging;
using Xunit;

namespace CleanClip.Tests.Training.Logging;

public class MetricsWriterTests
{
    private static MetricsLine Step(long step, double loss) =>
        new() { Kind = "step", Epoch = (int)(step / 4), Step = step, ElapsedSeconds = step * 0.5, Loss = loss, LearningRate = 1e-4 };

    private static MetricsLine Epoch(long step, double loss) =>
        new() { Kind = "epoch", Epoch = (int)(step / 4) - 1, Step = step, ElapsedSeconds = step * 0.5, Loss = loss, ValidationLoss = loss + 1 };

    [Fact]
    public void LinesAreAppendedSnakeCaseWithoutNullsAndReadBack()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.jsonl");
        using (var writer = MetricsWriter.Create(path))
        {
            writer.Write(new MetricsLine { Kind = "step", Step = 1, ElapsedSeconds = 0.5, Loss = 2.5 });
            writer.Write(new MetricsLine { Kind = "eval", Epoch = 2, Step = 8, CleanAccuracy = 0.75, AttackSuccessRate = 0.125 });
        }
        Assert.Equal(
            "{\"kind\":\"step\",\"epoch\":0,\"step\":1,\"elapsed_seconds\":0.5,\"loss\":2.5}\n" +
            "{\"kind\":\"eval\",\"epoch\":2,\"step\":8,\"elapsed_seconds\":0,\"clean_accuracy\":0.75,\"attack_success_rate\":0.125}\n",
            File.ReadAllText(path));
        var lines = MetricsLine.ReadAll(path);
        Assert.Equal([1L, 8L], lines.Select(l => l.Step));
        Assert.Equal(2.5, lines[0].Loss);
        Assert.Null(lines[0].ClipLoss);
        Assert.Equal(0.125, lines[1].AttackSuccessRate);
    }

    [Fact]
    public void EachLineIsOnDiskBeforeTheWriterIsClosed()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.jsonl");
        using var writer = MetricsWriter.Create(path);
        writer.Write(Step(1, 3.0));
        writer.Write(Step(2, 2.9));
        // What a crash right now would leave: another process reads the file while this one still holds it open.
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        Assert.Equal(2, reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void ResumeDropsLinesAfterTheCheckpointSoTheFileEqualsAnUninterruptedRun()
    {
        using var dir = new TempDir();
        var uninterrupted = dir.File("a.jsonl");
        var resumed = dir.File("b.jsonl");
        var all = new[] { Step(1, 3.0), Step(2, 2.9), Step(3, 2.8), Step(4, 2.7), Epoch(4, 2.8), Step(5, 2.6), Step(6, 2.5) };
        using (var writer = MetricsWriter.Create(uninterrupted))
            foreach (var line in all) writer.Write(line);

        // The killed run logged up to step 6 with a different tail (the steps after the checkpoint are redone).
        using (var writer = MetricsWriter.Create(resumed))
            foreach (var line in all.Take(5).Append(Step(5, 9.0)).Append(Step(6, 9.0)))
                writer.Write(line);
        using (var writer = MetricsWriter.OpenForResume(resumed, resumedStep: 4))
        {
            Assert.Equal([1L, 2L, 3L, 4L, 4L], MetricsLine.ReadAll(resumed).Select(l => l.Step));
            writer.Write(Step(5, 2.6));
            writer.Write(Step(6, 2.5));
        }
        Assert.Equal(File.ReadAllBytes(uninterrupted), File.ReadAllBytes(resumed));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));                   // the atomic rewrite left no temp file
    }

    [Fact]
    public void ResumeDropsATornLastLineAndKeepsCompleteOnes()
    {
        using var dir = new TempDir();
        var path = dir.Write("metrics.jsonl", System.Text.Encoding.UTF8.GetBytes(
            "{\"kind\":\"step\",\"epoch\":0,\"step\":1,\"elapsed_seconds\":0.5,\"loss\":3}\n" +
            "{\"kind\":\"step\",\"epoch\":0,\"step\":2,\"elapsed_seconds\":1,\"loss\":2.9}\n" +
            "{\"kind\":\"step\",\"epoch\":0,\"st"));
        using (var writer = MetricsWriter.OpenForResume(path, resumedStep: 100))
            writer.Write(new MetricsLine { Kind = "step", Step = 3, ElapsedSeconds = 1.5, Loss = 2.75 });
        Assert.Equal(
            "{\"kind\":\"step\",\"epoch\":0,\"step\":1,\"elapsed_seconds\":0.5,\"loss\":3}\n" +
            "{\"kind\":\"step\",\"epoch\":0,\"step\":2,\"elapsed_seconds\":1,\"loss\":2.9}\n" +
            "{\"kind\":\"step\",\"epoch\":0,\"step\":3,\"elapsed_seconds\":1.5,\"loss\":2.75}\n",
            File.ReadAllText(path));
    }

    [Fact]
    public void ResumeLeavesAnIntactFileAloneAndStartsAMissingOne()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.jsonl");
        using (var writer = MetricsWriter.OpenForResume(path, resumedStep: 0)) { }
        Assert.Equal("", File.ReadAllText(path));
        using (var writer = MetricsWriter.Create(path)) writer.Write(Step(1, 3));
        var before = File.GetLastWriteTimeUtc(path);
        File.SetLastWriteTimeUtc(path, before.AddHours(-1));
        using (var writer = MetricsWriter.OpenForResume(path, resumedStep: 1)) { }
        Assert.Equal(before.AddHours(-1), File.GetLastWriteTimeUtc(path));      // not rewritten
        Assert.Single(MetricsLine.ReadAll(path));
    }

    [Fact]
    public void ACorruptLineBeforeTheLastIsAnErrorNamingFileAndLine()
    {
        using var dir = new TempDir();
        var path = dir.Write("metrics.jsonl", System.Text.Encoding.UTF8.GetBytes(
            "{\"kind\":\"step\",\"step\":1}\nnot json\n{\"kind\":\"step\",\"step\":3}\n"));
        var error = Assert.Throws<InvalidDataException>(() => MetricsWriter.OpenForResume(path, 2));
        Assert.Contains($"{path}:2:", error.Message);
    }
}
