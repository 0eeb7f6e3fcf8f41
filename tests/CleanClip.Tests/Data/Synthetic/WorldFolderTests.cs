using CleanClip.Data.Synthetic;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

/// <summary>An output folder is either absent, empty or a complete world; nothing unrelated is ever replaced.</summary>
public class WorldFolderTests
{
    private static readonly SyntheticWorldOptions Tiny = new() { Count = 12, FinetuneCount = 10, TestCount = 10, ImageSize = 16 };

    private static string[] Leftovers(TempDir dir) =>
        Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Where(n => n!.StartsWith('.')).ToArray()!;

    [Fact]
    public void RefusesANonEmptyFolder()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(dir.File("world")).FullName;
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var error = Assert.Throws<InvalidOperationException>(() => SyntheticWorld.Generate(Tiny, folder));
        Assert.Contains("not empty", error.Message);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Empty(Leftovers(dir));
    }

    [Fact]
    public void OverwriteReplacesAWorldButNotAnUnrelatedFolder()
    {
        using var dir = new TempDir();
        var unrelated = Directory.CreateDirectory(dir.File("photos")).FullName;
        File.WriteAllText(Path.Combine(unrelated, "holiday.jpg"), "not an image, but precious");
        Assert.Throws<InvalidOperationException>(() => SyntheticWorld.Generate(Tiny with { Overwrite = true }, unrelated));
        Assert.True(File.Exists(Path.Combine(unrelated, "holiday.jpg")));

        var folder = dir.File("world");
        SyntheticWorld.Generate(Tiny, folder);
        var before = File.ReadAllText(Path.Combine(folder, "train", "train.csv"));
        SyntheticWorld.Generate(Tiny with { Seed = 7, Overwrite = true }, folder);
        Assert.NotEqual(before, File.ReadAllText(Path.Combine(folder, "train", "train.csv")));
        Assert.Contains("\"seed\": 7", File.ReadAllText(Path.Combine(folder, SyntheticWorld.ManifestName)));
        Assert.Empty(Leftovers(dir));
    }

    [Fact]
    public void OverwriteRefusesAFolderThatMerelyHoldsAFileNamedLikeTheManifest()
    {
        using var dir = new TempDir();
        var project = Directory.CreateDirectory(dir.File("project")).FullName;
        File.WriteAllText(Path.Combine(project, SyntheticWorld.ManifestName), """{"name": "my web app", "version": 3}""");
        File.WriteAllText(Path.Combine(project, "main.js"), "years of work");
        var error = Assert.Throws<InvalidOperationException>(() => SyntheticWorld.Generate(Tiny with { Overwrite = true }, project));
        Assert.Contains("cleanclip-synth", error.Message);
        Assert.Equal("years of work", File.ReadAllText(Path.Combine(project, "main.js")));
        Assert.Empty(Leftovers(dir));
    }

    [Fact]
    public void AcceptsAnExistingEmptyFolder()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(dir.File("world")).FullName;
        SyntheticWorld.Generate(Tiny, folder);
        Assert.True(File.Exists(Path.Combine(folder, SyntheticWorld.ManifestName)));
    }

    [Fact]
    public void CancellationMidwayLeavesNoWorldBehind()
    {
        using var dir = new TempDir();
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Stage == "train" && p.Done >= 5) cancel.Cancel();
        });
        var folder = dir.File("world");
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticWorld.Generate(Tiny with { Count = 400 }, folder, progress, cancel.Token));
        Assert.True(cancel.IsCancellationRequested);
        Assert.False(File.Exists(Path.Combine(folder, SyntheticWorld.ManifestName)));
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Leftovers(dir));
    }

    [Fact]
    public void ReportsProgressPerSplitUpToItsCount()
    {
        using var dir = new TempDir();
        var last = new Dictionary<string, JobProgress>();
        // Images are drawn in parallel, so reports can arrive out of order: keep the furthest one per split.
        SyntheticWorld.Generate(Tiny, dir.File("world"), new SyncProgress(p =>
        {
            lock (last)
                if (!last.TryGetValue(p.Stage, out var seen) || p.Done >= seen.Done) last[p.Stage] = p;
        }));
        Assert.Equal(["train", "finetune", "test"], last.Keys);
        Assert.All(last.Values, p => Assert.Equal(p.Total, p.Done));
        Assert.Equal(12, last["train"].Total);
    }

    [Fact]
    public void InvalidOptionsAreRejectedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        Assert.Throws<ArgumentException>(() => SyntheticWorld.Generate(Tiny with { Kinds = ["circle", "dragon"] }, dir.File("a")));
        Assert.Throws<ArgumentException>(() => SyntheticWorld.Generate(Tiny with { ImageSize = 4 }, dir.File("b")));
        Assert.Throws<ArgumentException>(() => SyntheticWorld.Generate(Tiny with { Count = -1 }, dir.File("c")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so the test sees every report in time.</summary>
    private sealed class SyncProgress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => report(value);
    }
}
