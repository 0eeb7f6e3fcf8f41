using System.Diagnostics;
using CleanClip.Data.Pipeline;
using Xunit;

namespace CleanClip.Tests.Data.Pipeline;

public class PrefetchOverlapTests
{
    private const int BatchSize = 4, Batches = 8, Prefetch = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Prefetch means the loader keeps working while the consumer holds a batch. Counted, not timed: while the consumer
    /// holds the first batch, the next <see cref="Prefetch"/> batches get loaded (without prefetch the count would stay at
    /// one batch), and no more than one further batch is started (prefetch is bounded). A loaded machine only makes the
    /// wait for the count longer, so the test does not depend on the CPU's speed.
    /// </summary>
    [Fact]
    public void While_the_consumer_holds_a_batch_the_next_ones_are_loaded_and_no_more()
    {
        int loaded = 0;
        var pipeline = FakeItems.Pipeline(BatchSize * Batches,
            new PipelineOptions { BatchSize = BatchSize, DecodeThreads = 1, PrefetchBatches = Prefetch },
            _ => Interlocked.Increment(ref loaded));
        int received = 0;
        using (var epoch = pipeline.Start(0))
        using (var batches = epoch.GetEnumerator())
        {
            Assert.True(batches.MoveNext());
            using (batches.Current)
            {
                received++;
                int expected = (1 + Prefetch) * BatchSize;
                var watch = Stopwatch.StartNew();
                while (Volatile.Read(ref loaded) < expected && watch.Elapsed < Patience) Thread.Sleep(5);
                Assert.True(Volatile.Read(ref loaded) >= expected,
                    $"while the consumer held batch 1, only {loaded} items were loaded; prefetch {Prefetch} should load {expected}");
                // Give a loader that ignored the bound time to run ahead; the bound is the held batch, the queue, and the
                // one batch a decode thread may be filling while it waits for room.
                Thread.Sleep(200);
                int bound = (2 + Prefetch) * BatchSize;
                Assert.True(Volatile.Read(ref loaded) <= bound, $"{loaded} items loaded while batch 1 was held; at most {bound} expected");
            }
            while (batches.MoveNext()) using (batches.Current) received++;
            // EpochBatches.WaitTime is measured inside the enumeration: it can never be negative.
            Assert.True(epoch.WaitTime >= TimeSpan.Zero);
        }
        Assert.Equal(Batches, received);
        Assert.Equal(BatchSize * Batches, loaded);
    }
}
