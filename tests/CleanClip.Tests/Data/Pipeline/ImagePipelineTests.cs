using CleanClip.Data;
using CleanClip.Data.Pipeline;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Data.Pipeline;

public class ImagePipelineTests
{
    private static readonly ClipPreprocessor Preprocessor = new(new PreprocessOptions { Resolution = 24 });

    /// <summary>The reference path the pipeline must reproduce: decode, then ClipPreprocessor's resize + crop.</summary>
    internal static Tensor Expected(string path) => Preprocessor.ResizeAndCropTensor(ImageDecoder.Decode(path));

    /// <summary>Same shape, dtype and every value (Tensor.equal alone is elementwise and broadcasts).</summary>
    internal static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.equal(b).all().item<bool>();

    [Fact]
    public void Batches_hold_the_decoded_resized_images_as_uint8_and_normalized()
    {
        using var dir = new TempDir();
        var paths = TestImages.WriteSet(dir, 10);
        var pipeline = ImagePipeline.FromFiles(paths, Preprocessor, new PipelineOptions { BatchSize = 4, DecodeThreads = 2, Seed = 3 }, normalize: true);
        var seen = new List<int>();
        foreach (var batch in pipeline.Start(1))
        {
            using var scope = NewDisposeScope();
            scope.Attach(batch.Tensors.Values);
            var images = batch[ImagePipeline.Images];
            Assert.Equal(ScalarType.Byte, images.dtype);
            Assert.Equal(new long[] { batch.Count, 3, 24, 24 }, images.shape);
            var expected = stack(batch.Indices.Select(i => Expected(paths[i])).ToArray());
            Assert.True(Same(images, expected), $"batch {batch.Number} differs from decode + ResizeAndCrop");
            Assert.True(Same(batch[ImagePipeline.Pixels], Preprocessor.Normalize(expected)));
            seen.AddRange(batch.Indices);
        }
        Assert.Equal(Enumerable.Range(0, 10), seen.Order());
    }

    [Fact]
    public void Without_normalize_a_batch_has_only_the_uint8_images()
    {
        using var dir = new TempDir();
        var pipeline = ImagePipeline.FromFiles(TestImages.WriteSet(dir, 3), Preprocessor, new PipelineOptions { BatchSize = 3 });
        foreach (var batch in pipeline.Start(0))
            using (batch)
                Assert.Equal([ImagePipeline.Images], batch.Tensors.Keys);
    }

    [Fact]
    public void Corrupt_images_are_skipped_and_counted_and_a_batch_of_only_corrupt_images_is_not_delivered()
    {
        using var dir = new TempDir();
        var paths = TestImages.WriteSet(dir, 10);
        TestImages.Truncate(paths[2]);
        File.WriteAllBytes(paths[3], "not an image"u8.ToArray());
        paths.Add(dir.File("does-not-exist.jpg"));
        // Unshuffled batches of 2: [2,3] is all corrupt, [10] is the missing file alone.
        var pipeline = ImagePipeline.FromFiles(paths, Preprocessor, new PipelineOptions { BatchSize = 2, DecodeThreads = 2, Shuffle = false });
        var delivered = new List<int>();
        var epoch = pipeline.Start(0);
        foreach (var batch in epoch)
            using (batch)
            {
                Assert.Equal(batch.Count, batch[ImagePipeline.Images].shape[0]);
                Assert.Empty(batch.Skipped);
                delivered.Add(batch.Number);
            }
        Assert.Equal([0, 2, 3, 4], delivered);
        Assert.Equal(3, epoch.SkippedCount);
        Assert.Equal([2, 3, 10], epoch.Skipped.Select(s => s.Index).Order());
        Assert.Contains("truncated", epoch.Skipped.Single(s => s.Index == 2).Reason);
        Assert.Equal(3, pipeline.SkippedCount);

        // Shuffled, corrupt images share batches with good ones: the batch is just shorter.
        var shuffled = ImagePipeline.FromFiles(paths, Preprocessor, new PipelineOptions { BatchSize = 4, Seed = 1 });
        var sizes = new List<int>();
        var skippedInBatches = 0;
        foreach (var batch in shuffled.Start(0))
            using (batch)
            {
                sizes.Add(batch.Count);
                skippedInBatches += batch.Skipped.Count;
                Assert.Equal(batch.Count, batch[ImagePipeline.Images].shape[0]);
            }
        Assert.Equal(8, sizes.Sum());
        Assert.Equal(3, skippedInBatches);
    }
}
