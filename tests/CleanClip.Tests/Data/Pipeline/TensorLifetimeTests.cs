using CleanClip.Data;
using CleanClip.Data.Pipeline;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Data.Pipeline;

/// <summary>
/// Counts live tensors with <see cref="Tensor.TotalCount"/>: process-wide, unlike DisposeScopeManager.Statistics,
/// which is per thread and never sees the decode and collate threads' tensors.
/// </summary>
public class TensorLifetimeTests
{
    private static long LiveTensorsAtStart()
    {
        // Finalizers of earlier tests' garbage must not move the count while this test measures. Later counts are
        // read without collecting: a collection would finalize, and so hide, the very tensors a leak leaves behind.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    private static BatchPipeline<RgbImage> Pipeline(TempDir dir, PipelineOptions options) =>
        ImagePipeline.FromFiles(TestImages.WriteSet(dir, 14), new ClipPreprocessor(new PreprocessOptions { Resolution = 16 }), options, normalize: true);

    [Fact]
    public void Live_tensors_return_to_the_start_after_an_epoch_whose_batches_are_disposed_and_show_one_that_is_not()
    {
        using var dir = new TempDir();
        var pipeline = Pipeline(dir, new PipelineOptions { BatchSize = 4, DecodeThreads = 2 });
        var before = LiveTensorsAtStart();
        Batch? kept = null;
        var delivered = 0;
        foreach (var batch in pipeline.Start(0))
        {
            delivered++;
            Assert.Equal(2, batch.Tensors.Count);
            if (batch.Number == 1) kept = batch;
            else batch.Dispose();
        }
        Assert.Equal(4, delivered);
        // Loading (decode, resize) and collating (stack, normalize) ran on other threads and left nothing behind;
        // the one undisposed batch is exactly the leak the count reports.
        Assert.Equal(before + 2, Tensor.TotalCount);
        kept!.Dispose();
        Assert.Equal(before, Tensor.TotalCount);
    }

    [Fact]
    public void Stopping_an_epoch_early_frees_the_prefetched_batches()
    {
        using var dir = new TempDir();
        var pipeline = Pipeline(dir, new PipelineOptions { BatchSize = 2, DecodeThreads = 2, PrefetchBatches = 3 });
        var before = LiveTensorsAtStart();
        using (var epoch = pipeline.Start(0))
        {
            foreach (var batch in epoch)
            {
                batch.Dispose();
                // Let the prefetch fill up so that stopping has collated batches to free.
                Thread.Sleep(200);
                Assert.True(Tensor.TotalCount >= before + 2, "prefetched batches should be alive now");
                break;
            }
        }
        Assert.Equal(before, Tensor.TotalCount);
    }
}
