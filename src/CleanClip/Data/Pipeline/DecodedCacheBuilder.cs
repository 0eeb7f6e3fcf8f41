using System.Text.RegularExpressions;
using TorchSharp;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// Writes a decoded cache so that a crash at any point leaves either no index or a complete cache: the old index is
/// deleted first, each shard is written to a temporary file and renamed when complete (<see cref="AtomicFile"/>), and
/// the index that names the shards is written last.
/// </summary>
internal static partial class DecodedCacheBuilder
{
    // Decoded images held in memory at once: a small chunk keeps the build's memory flat however large a shard is.
    private const int ChunkImages = 64;

    [GeneratedRegex(@"^(shard-\d{5}\.u8|\.(shard-\d{5}\.u8|index\.json)\..*\.tmp)$")]
    private static partial Regex OwnFile();

    public static void Build(IReadOnlyList<string> imagePaths, int resolution, string folder, int imagesPerShard, int decodeThreads,
        IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imagesPerShard, 1);
        Directory.CreateDirectory(folder);
        var indexPath = Path.Combine(folder, DecodedCache.IndexFileName);
        // The folder is replaced only when it holds no index or an index of a decoded cache: an unrelated index.json
        // says the folder is someone else's, and its shard-named files with it.
        if (File.Exists(indexPath) && !IsCacheIndex(indexPath))
            throw new IOException($"{indexPath} is not a '{DecodedCacheIndex.FormatName}' index, so {folder} is not a decoded cache; refusing to replace it: choose another cache folder");
        // Withdraw the claim of completeness before touching any shard the old index names.
        File.Delete(indexPath);
        foreach (var file in Directory.EnumerateFiles(folder))
            if (OwnFile().IsMatch(Path.GetFileName(file))) File.Delete(file);

        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = resolution });
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = decodeThreads > 0 ? decodeThreads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        var sources = new CachedSource[imagePaths.Count];
        var shards = new List<CachedShard>();
        var next = 0;
        while (next < imagePaths.Count)
        {
            var name = $"shard-{shards.Count:D5}.u8";
            var path = Path.Combine(folder, name);
            var images = 0;
            AtomicFile.Write(path, stream =>
            {
                while (next < imagePaths.Count && images < imagesPerShard)
                {
                    // Never more sources than the shard has room for, so a chunk never straddles two shards.
                    var chunk = Math.Min(ChunkImages, Math.Min(imagesPerShard - images, imagePaths.Count - next));
                    var decoded = DecodeChunk(imagePaths, next, chunk, preprocessor, parallel);
                    for (var i = 0; i < chunk; i++)
                    {
                        var (source, image) = decoded[i];
                        if (image is not null)
                        {
                            stream.Write(image.Pixels);
                            source = source with { Shard = shards.Count, Slot = images++ };
                        }
                        sources[next + i] = source;
                    }
                    next += chunk;
                    progress?.Report(new JobProgress("decode", next, imagePaths.Count));
                }
            });
            if (images > 0) shards.Add(new CachedShard(name, images));
            else File.Delete(path);
        }
        var index = new DecodedCacheIndex(DecodedCacheIndex.FormatName, DecodedCacheIndex.CurrentVersion, resolution, shards, sources);
        AtomicFile.WriteAllText(Path.Combine(folder, DecodedCache.IndexFileName), index.ToJson());
    }

    private static bool IsCacheIndex(string path)
    {
        try
        {
            return DecodedCacheIndex.FromJson(File.ReadAllText(path))?.Format == DecodedCacheIndex.FormatName;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static (CachedSource Source, RgbImage? Image)[] DecodeChunk(IReadOnlyList<string> imagePaths, int start, int count,
        ClipPreprocessor preprocessor, ParallelOptions parallel)
    {
        var results = new (CachedSource, RgbImage?)[count];
        Parallel.For(0, count, parallel, i =>
        {
            var path = Path.GetFullPath(imagePaths[start + i]);
            // Stat before reading: a file changed during the build then shows as stale next time instead of passing as cached.
            var (size, modified) = DecodedCache.Stat(path);
            using var scope = torch.NewDisposeScope();
            results[i] = ImageDecoder.TryDecode(path, out var image, out var reason)
                ? (new CachedSource(path, size, modified, -1, -1, null), preprocessor.ResizeAndCrop(image))
                : (new CachedSource(path, size, modified, -1, -1, reason), null);
        });
        return results;
    }
}
