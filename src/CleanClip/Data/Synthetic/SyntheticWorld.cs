using System.Diagnostics;

namespace CleanClip.Data.Synthetic;

/// <summary>One written split: its name, image count and folder, and the table that lists it.</summary>
public sealed record SplitSummary(string Name, int Count, string Folder, string Table);

public sealed record SyntheticWorldResult(string Folder, string Manifest, IReadOnlyList<SplitSummary> Splits, TimeSpan Elapsed);

/// <summary>
/// <c>cleanclip synth</c>: a deterministic captioned world of simple shapes. Writes
/// <c>train/{images,train.csv}</c>, <c>finetune/{images,finetune.csv}</c> (disjoint clean pairs),
/// <c>test/{images,labels.csv,classes.json}</c> (class-balanced, labels are kind indices) and <c>world.json</c>.
/// </summary>
public static class SyntheticWorld
{
    public const string ManifestName = "world.json";

    public static SyntheticWorldResult Generate(SyntheticWorldOptions options, string outDir,
        IProgress<JobProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var splits = Enum.GetValues<SyntheticSplit>().ToDictionary(s => s, s => WorldPlanner.Plan(options, s));
        using var folder = WorldFolder.Begin(outDir, options.Overwrite);
        foreach (var split in Enum.GetValues<SyntheticSplit>())
        {
            var samples = splits[split];
            var splitFolder = Path.Combine(folder.Staging, Name(split));
            Directory.CreateDirectory(Path.Combine(splitFolder, "images"));
            DrawImages(options, samples, splitFolder, Name(split), progress, cancellation);
            if (split == SyntheticSplit.Test)
            {
                SplitTables.WriteLabels(Path.Combine(splitFolder, "labels.csv"), samples);
                SplitTables.WriteClasses(Path.Combine(splitFolder, "classes.json"), options.Kinds);
            }
            else
            {
                SplitTables.WriteCaptions(Path.Combine(splitFolder, TableName(split)), samples);
            }
        }
        cancellation.ThrowIfCancellationRequested();
        WorldManifest.Write(Path.Combine(folder.Staging, ManifestName), options, splits);
        folder.Commit();
        var summaries = splits.Select(s => new SplitSummary(Name(s.Key), s.Value.Count,
            Path.Combine(folder.Target, Name(s.Key)), Path.Combine(folder.Target, Name(s.Key), TableName(s.Key)))).ToList();
        return new SyntheticWorldResult(folder.Target, Path.Combine(folder.Target, ManifestName), summaries, clock.Elapsed);
    }

    public static string Name(SyntheticSplit split) => split.ToString().ToLowerInvariant();

    /// <summary>The table of a split relative to its folder: <c>train.csv</c>, <c>finetune.csv</c> or <c>labels.csv</c>.</summary>
    public static string TableName(SyntheticSplit split) => split == SyntheticSplit.Test ? "labels.csv" : $"{Name(split)}.csv";

    private static void DrawImages(SyntheticWorldOptions options, IReadOnlyList<SyntheticSample> samples, string splitFolder,
        string stage, IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        int total = samples.Count, done = 0;
        // About 200 reports per split: smooth bars without a lock round-trip per image.
        int every = Math.Max(1, total / 200);
        progress?.Report(new JobProgress(stage, 0, total));
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellation,
            MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
        };
        Parallel.For(0, total, parallel,
            () => new SceneRenderer(options.ImageSize, options.Supersampling),
            (i, _, renderer) =>
            {
                var sample = samples[i];
                File.WriteAllBytes(Path.Combine(splitFolder, sample.Image), renderer.RenderPng(sample.Scene));
                int finished = Interlocked.Increment(ref done);
                if (finished % every == 0 || finished == total) progress?.Report(new JobProgress(stage, finished, total));
                return renderer;
            },
            renderer => renderer.Dispose());
    }
}
