using System.IO.MemoryMappedFiles;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// Images decoded, resized and center-cropped once, stored as raw uint8 R×R×3 shards and memory-mapped, so epochs
/// after the first read pixels instead of decoding JPEGs (decoding dominates the input cost on two cores).
/// Reads are thread-safe; do not dispose the cache while a pipeline still reads from it.
/// </summary>
public sealed unsafe class DecodedCache : IDisposable
{
    public const string IndexFileName = "index.json";
    public const int DefaultImagesPerShard = 4096;

    private readonly DecodedCacheIndex _index;
    private readonly MappedShard[] _shards;
    private int _disposed;

    public string Folder { get; }
    public int Resolution => _index.Resolution;

    /// <summary>Source images, including missing ones; item i of a pipeline over the cache is source i.</summary>
    public int Count => _index.Sources.Count;

    public int MissingCount { get; }

    /// <summary>Why <see cref="OpenOrBuild"/> rebuilt the cache; null when it reused it or <see cref="Build"/> made it.</summary>
    public string? RebuildReason { get; private set; }

    private int ImageBytes => 3 * Resolution * Resolution;

    private DecodedCache(string folder, DecodedCacheIndex index, MappedShard[] shards)
    {
        Folder = folder;
        _index = index;
        _shards = shards;
        MissingCount = index.Sources.Count(s => s.Missing is not null);
    }

    public string SourcePath(int index) => _index.Sources[index].Path;

    /// <summary>The decoder's reason when source <paramref name="index"/> could not be cached; null when it is cached.</summary>
    public string? MissingReason(int index) => _index.Sources[index].Missing;

    /// <summary>The cached HWC pixels of source <paramref name="index"/>, straight from the mapping (valid until Dispose).</summary>
    public ReadOnlySpan<byte> Pixels(int index)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var source = _index.Sources[index];
        if (source.Missing is not null) throw new InvalidOperationException($"source {index} is not cached: {source.Missing}");
        return new ReadOnlySpan<byte>(_shards[source.Shard].Pointer + (long)source.Slot * ImageBytes, ImageBytes);
    }

    public RgbImage GetImage(int index) => new(Resolution, Resolution, Pixels(index));

    /// <summary>A new uint8 <c>[3, R, R]</c> tensor of source <paramref name="index"/>.</summary>
    public Tensor GetTensor(int index) => GetImage(index).ToTensor();

    /// <summary>A pipeline load function: the cached image, or a skip when the source could not be decoded.</summary>
    public LoadResult<RgbImage> Load(int index, ulong itemSeed) =>
        MissingReason(index) is { } reason ? LoadResult<RgbImage>.Skip(reason) : GetImage(index);

    /// <summary>
    /// Why this cache does not match <paramref name="imagePaths"/> at <paramref name="resolution"/> as they are now
    /// (other list, other resolution, a source whose size or modification time changed); empty when it matches.
    /// </summary>
    public IReadOnlyList<string> FindStaleness(IReadOnlyList<string> imagePaths, int resolution, int maxProblems = 20)
    {
        var problems = new List<string>();
        if (resolution != Resolution) problems.Add($"resolution is {Resolution} px, {resolution} px wanted");
        if (imagePaths.Count != Count) problems.Add($"{Count} sources cached, {imagePaths.Count} listed");
        var changed = 0;
        for (var i = 0; i < Math.Min(imagePaths.Count, Count); i++)
        {
            var cached = _index.Sources[i];
            var path = Path.GetFullPath(imagePaths[i]);
            string? problem = path != cached.Path ? $"source {i} is {path}, the cache has {cached.Path}"
                : Stat(path) != (cached.Size, cached.ModifiedTicks) ? $"source changed since the cache was built: {path}"
                : null;
            if (problem is null) continue;
            if (++changed <= maxProblems) problems.Add(problem);
        }
        if (changed > maxProblems) problems.Add($"and {changed - maxProblems} more sources differ");
        return problems;
    }

    /// <summary>Opens a complete cache.</summary>
    /// <exception cref="DecodedCacheException">No index (the build never finished), an unreadable index, or a shard missing or of the wrong length.</exception>
    public static DecodedCache Open(string cacheFolder)
    {
        var folder = Path.GetFullPath(cacheFolder);
        var indexPath = Path.Combine(folder, IndexFileName);
        if (!File.Exists(indexPath))
            throw new DecodedCacheException($"{folder} holds no complete decoded cache: {IndexFileName} is missing (the build never finished or never ran)");
        DecodedCacheIndex index;
        try
        {
            index = DecodedCacheIndex.FromJson(File.ReadAllText(indexPath)) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new DecodedCacheException($"{indexPath} is unreadable: {e.Message}", e);
        }
        if (index.Format != DecodedCacheIndex.FormatName || index.Version != DecodedCacheIndex.CurrentVersion)
            throw new DecodedCacheException($"{indexPath} is '{index.Format}' version {index.Version}, expected '{DecodedCacheIndex.FormatName}' version {DecodedCacheIndex.CurrentVersion}");
        CheckSlots(index, indexPath);
        var shards = new MappedShard[index.Shards.Count];
        try
        {
            for (var s = 0; s < shards.Length; s++)
                shards[s] = MappedShard.Open(Path.Combine(folder, index.Shards[s].File), (long)index.Shards[s].Images * 3 * index.Resolution * index.Resolution);
        }
        catch
        {
            foreach (var shard in shards) shard?.Dispose();
            throw;
        }
        return new DecodedCache(folder, index, shards);
    }

    /// <summary>
    /// Decodes, resizes and center-crops <paramref name="imagePaths"/> into shards in <paramref name="cacheFolder"/>,
    /// replacing any cache there, and opens the result. Undecodable sources are recorded as missing.
    /// </summary>
    /// <param name="decodeThreads">Images decoded in parallel; 0 means one per core (nothing else runs during a build).</param>
    public static DecodedCache Build(IReadOnlyList<string> imagePaths, int resolution, string cacheFolder,
        int imagesPerShard = DefaultImagesPerShard, int decodeThreads = 0,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DecodedCacheBuilder.Build(imagePaths, resolution, Path.GetFullPath(cacheFolder), imagesPerShard, decodeThreads, progress, cancellationToken);
        return Open(cacheFolder);
    }

    /// <summary>
    /// Opens the cache in <paramref name="cacheFolder"/> if it is complete and matches the sources and resolution;
    /// otherwise rebuilds it and says why in <see cref="RebuildReason"/>.
    /// </summary>
    public static DecodedCache OpenOrBuild(IReadOnlyList<string> imagePaths, int resolution, string cacheFolder,
        int imagesPerShard = DefaultImagesPerShard, int decodeThreads = 0,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string reason;
        try
        {
            var cache = Open(cacheFolder);
            var problems = cache.FindStaleness(imagePaths, resolution, maxProblems: 3);
            if (problems.Count == 0) return cache;
            cache.Dispose();
            reason = "stale: " + string.Join("; ", problems);
        }
        catch (DecodedCacheException e)
        {
            reason = e.Message;
        }
        DecodedCacheBuilder.Build(imagePaths, resolution, Path.GetFullPath(cacheFolder), imagesPerShard, decodeThreads, progress, cancellationToken);
        var rebuilt = Open(cacheFolder);
        rebuilt.RebuildReason = reason;
        return rebuilt;
    }

    internal static (long Size, long ModifiedTicks) Stat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc.Ticks) : (-1, 0);
    }

    private static void CheckSlots(DecodedCacheIndex index, string indexPath)
    {
        if (index.Resolution <= 0) throw new DecodedCacheException($"{indexPath}: invalid resolution {index.Resolution}");
        // An empty file cannot be mapped, and the builder never keeps one.
        if (index.Shards.FirstOrDefault(s => s.Images <= 0) is { } empty) throw new DecodedCacheException($"{indexPath}: shard {empty.File} holds {empty.Images} images");
        for (var i = 0; i < index.Sources.Count; i++)
        {
            var source = index.Sources[i];
            var valid = source.Missing is not null
                ? source.Shard == -1
                : source.Shard >= 0 && source.Shard < index.Shards.Count && source.Slot >= 0 && source.Slot < index.Shards[source.Shard].Images;
            if (!valid) throw new DecodedCacheException($"{indexPath}: source {i} points at shard {source.Shard} slot {source.Slot}, which does not exist");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var shard in _shards) shard.Dispose();
    }

    /// <summary>A read-only mapping of one shard file, pinned for the cache's lifetime.</summary>
    private sealed class MappedShard : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;

        public byte* Pointer { get; }

        private MappedShard(MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            _file = file;
            _view = view;
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            Pointer = pointer + view.PointerOffset;
        }

        public static MappedShard Open(string path, long expectedBytes)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new DecodedCacheException($"shard {path} is missing");
            if (info.Length != expectedBytes)
                throw new DecodedCacheException($"shard {path} is {info.Length} bytes, the index expects {expectedBytes} (truncated or overwritten)");
            var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            try
            {
                return new MappedShard(file, file.CreateViewAccessor(0, expectedBytes, MemoryMappedFileAccess.Read));
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
