using CleanClip.Data;
using CleanClip.Data.Pipeline;
using SkiaSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Data.Pipeline;

public class DecodedCacheTests
{
    private const int Resolution = 24, PerShard = 8;
    private static readonly ClipPreprocessor Preprocessor = new(new PreprocessOptions { Resolution = Resolution });

    /// <summary>20 sources, two of them corrupt, in three shards of up to 8 cached images.</summary>
    private static List<string> Sources(TempDir dir)
    {
        var paths = TestImages.WriteSet(dir, 20);
        TestImages.Truncate(paths[5]);
        File.WriteAllBytes(paths[17], [1, 2, 3]);
        return paths;
    }

    private static void AssertMatchesDecoding(DecodedCache cache, IReadOnlyList<string> paths)
    {
        for (var i = 0; i < paths.Count; i++)
        {
            if (cache.MissingReason(i) is not null) continue;
            using var scope = NewDisposeScope();
            Assert.True(ImagePipelineTests.Same(cache.GetTensor(i), ImagePipelineTests.Expected(paths[i])), $"cached image {i} differs from decode + resize");
        }
    }

    [Fact]
    public void A_folder_whose_index_json_is_not_a_caches_is_never_built_into()
    {
        using var dir = new TempDir();
        var paths = TestImages.WriteSet(dir, 2);
        var site = Directory.CreateDirectory(dir.File("site")).FullName;
        File.WriteAllText(Path.Combine(site, "index.json"), """{"pages": ["home"]}""");
        File.WriteAllText(Path.Combine(site, "shard-00000.u8"), "mine");
        var error = Assert.Throws<IOException>(() => DecodedCache.Build(paths, Resolution, site));
        Assert.Contains("not a decoded cache", error.Message);
        Assert.Equal("""{"pages": ["home"]}""", File.ReadAllText(Path.Combine(site, "index.json")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(site, "shard-00000.u8")));
    }

    [Fact]
    public void A_built_cache_reopens_with_the_exact_pixels_of_decode_and_resize()
    {
        using var dir = new TempDir();
        var paths = Sources(dir);
        var folder = dir.File("cache");
        using (var built = DecodedCache.Build(paths, Resolution, folder, imagesPerShard: PerShard, decodeThreads: 2))
            Assert.Equal(2, built.MissingCount);
        Assert.Equal(3, Directory.GetFiles(folder, "shard-*.u8").Length);   // 18 cached images, 8 per shard
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        using var cache = DecodedCache.Open(folder);
        Assert.Equal((20, Resolution, 2), (cache.Count, cache.Resolution, cache.MissingCount));
        Assert.Contains("truncated", cache.MissingReason(5));
        Assert.NotNull(cache.MissingReason(17));
        Assert.True(cache.Load(17, 0).IsSkipped);
        Assert.Throws<InvalidOperationException>(() => cache.GetImage(5));
        AssertMatchesDecoding(cache, paths);
        Assert.Empty(cache.FindStaleness(paths, Resolution));
    }

    [Fact]
    public void A_pipeline_over_the_cache_gives_the_same_batches_as_over_the_files()
    {
        using var dir = new TempDir();
        var paths = Sources(dir);
        using var cache = DecodedCache.Build(paths, Resolution, dir.File("cache"), imagesPerShard: PerShard);
        var options = new PipelineOptions { BatchSize = 6, DecodeThreads = 2, Seed = 11 };
        List<(int[] Indices, byte[] Pixels)> Read(BatchPipeline<RgbImage> pipeline)
        {
            var batches = new List<(int[], byte[])>();
            foreach (var batch in pipeline.Start(4))
                using (batch) batches.Add((batch.Indices.ToArray(), batch[ImagePipeline.Images].data<byte>().ToArray()));
            return batches;
        }
        var fromFiles = Read(ImagePipeline.FromFiles(paths, Preprocessor, options));
        var fromCache = ImagePipeline.FromCache(cache, Preprocessor, options);
        var cached = Read(fromCache);
        Assert.Equal(fromFiles.Select(b => b.Indices), cached.Select(b => b.Indices));
        Assert.Equal(fromFiles.Select(b => b.Pixels), cached.Select(b => b.Pixels));
        Assert.Equal(18, cached.Sum(b => b.Indices.Length));
        Assert.Equal(2, fromCache.SkippedCount);
        Assert.Throws<ArgumentException>(() => ImagePipeline.FromCache(cache, new ClipPreprocessor(new PreprocessOptions { Resolution = 32 })));
    }

    [Fact]
    public void A_changed_source_or_another_resolution_makes_the_cache_stale_and_OpenOrBuild_rebuilds_it()
    {
        using var dir = new TempDir();
        var paths = Sources(dir);
        var folder = dir.File("cache");
        DecodedCache.Build(paths, Resolution, folder, imagesPerShard: PerShard).Dispose();
        File.WriteAllBytes(paths[9], TestImages.Encode(61, 47, seed: 999));
        using (var stale = DecodedCache.Open(folder))
        {
            Assert.Contains(stale.FindStaleness(paths, Resolution), p => p.Contains(Path.GetFileName(paths[9])));
            Assert.Contains(stale.FindStaleness(paths, 32), p => p.Contains("resolution"));
            Assert.NotEmpty(stale.FindStaleness(paths.Take(19).ToList(), Resolution));
        }
        using var rebuilt = DecodedCache.OpenOrBuild(paths, Resolution, folder, imagesPerShard: PerShard);
        Assert.Contains("stale", rebuilt.RebuildReason);
        Assert.Empty(rebuilt.FindStaleness(paths, Resolution));
        AssertMatchesDecoding(rebuilt, paths);
        using var reused = DecodedCache.OpenOrBuild(paths, Resolution, folder, imagesPerShard: PerShard);
        Assert.Null(reused.RebuildReason);
    }

    [Fact]
    public void A_truncated_shard_or_a_missing_index_is_detected_and_rebuilt()
    {
        using var dir = new TempDir();
        var paths = Sources(dir);
        var folder = dir.File("cache");
        DecodedCache.Build(paths, Resolution, folder, imagesPerShard: PerShard).Dispose();
        var shard = Path.Combine(folder, "shard-00001.u8");
        using (var file = new FileStream(shard, FileMode.Open)) file.SetLength(file.Length - 100);
        var error = Assert.Throws<DecodedCacheException>(() => DecodedCache.Open(folder));
        Assert.Contains("shard-00001.u8", error.Message);
        using (var rebuilt = DecodedCache.OpenOrBuild(paths, Resolution, folder, imagesPerShard: PerShard))
        {
            Assert.Contains("shard-00001.u8", rebuilt.RebuildReason);
            AssertMatchesDecoding(rebuilt, paths);
        }

        File.Delete(Path.Combine(folder, DecodedCache.IndexFileName));
        Assert.Contains("index.json", Assert.Throws<DecodedCacheException>(() => DecodedCache.Open(folder)).Message);
        using (var rebuilt = DecodedCache.OpenOrBuild(paths, Resolution, folder, imagesPerShard: PerShard))
            Assert.Contains("missing", rebuilt.RebuildReason);
    }

    private sealed class KillAfter(int images) : IProgress<JobProgress>
    {
        public void Report(JobProgress value)
        {
            if (value.Done >= images) throw new OperationCanceledException("build killed");
        }
    }

    [Fact]
    public void A_build_killed_midway_leaves_no_index_claiming_completeness_even_over_an_old_cache()
    {
        using var dir = new TempDir();
        var paths = Sources(dir);
        var folder = dir.File("cache");
        DecodedCache.Build(paths, Resolution, folder, imagesPerShard: PerShard).Dispose();
        // Killed in the second shard: shard 0 is complete on disk, shard 1 only half written.
        Assert.Throws<OperationCanceledException>(() =>
            DecodedCache.Build(paths, 32, folder, imagesPerShard: PerShard, progress: new KillAfter(10)));
        Assert.False(File.Exists(Path.Combine(folder, DecodedCache.IndexFileName)));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
        Assert.Throws<DecodedCacheException>(() => DecodedCache.Open(folder));
        using var rebuilt = DecodedCache.OpenOrBuild(paths, Resolution, folder, imagesPerShard: PerShard);
        Assert.NotNull(rebuilt.RebuildReason);
        AssertMatchesDecoding(rebuilt, paths);
    }

    [Fact]
    public void An_index_whose_shard_is_gone_is_reported()
    {
        using var dir = new TempDir();
        var folder = dir.File("cache");
        DecodedCache.Build(TestImages.WriteSet(dir, 3), Resolution, folder).Dispose();
        File.Delete(Path.Combine(folder, "shard-00000.u8"));
        Assert.Contains("missing", Assert.Throws<DecodedCacheException>(() => DecodedCache.Open(folder)).Message);
        File.WriteAllText(Path.Combine(folder, DecodedCache.IndexFileName), "{ not json");
        Assert.Contains("unreadable", Assert.Throws<DecodedCacheException>(() => DecodedCache.Open(folder)).Message);
    }
}
