using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Tests.Data.Pipeline;
using CleanClip.Training.Augmentation;
using CleanClip.Training.Data;
using Xunit;

namespace CleanClip.Tests.Training.Data;

public class ViewPipelineTests
{
    [Fact]
    public void Views_from_the_cache_are_the_views_from_the_files()
    {
        using var dir = new TempDir();
        var paths = TestImages.WriteSet(dir, 10);
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = 24 });
        using var cache = DecodedCache.Build(paths, 24, dir.File("cache"));
        var options = new PipelineOptions { BatchSize = 4, DropLast = true, DecodeThreads = 2, Seed = 3 };
        List<float[]> Read(BatchPipeline<ViewPair> pipeline)
        {
            var batches = new List<float[]>();
            foreach (var batch in pipeline.Start(1))
                using (batch) batches.Add(batch[ViewPipeline.Pixels].data<float>().ToArray());
            return batches;
        }
        var fromFiles = Read(ViewPipeline.FromFiles(paths, preprocessor, new AutoAugment(), options));
        var fromCache = Read(ViewPipeline.FromCache(cache, preprocessor, new AutoAugment(), options));
        Assert.Equal(2, fromFiles.Count);
        Assert.Equal(2 * 4 * 3 * 24 * 24, fromFiles[0].Length);     // originals and augmented views
        Assert.Equal(fromFiles, fromCache);
        Assert.Throws<ArgumentException>(() => ViewPipeline.FromCache(cache, new ClipPreprocessor(new PreprocessOptions { Resolution = 32 }), null, options));
    }
}
