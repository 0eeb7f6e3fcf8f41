using System.Diagnostics;
using CleanClip.Data.Pipeline;
using Xunit;

namespace CleanClip.Tests.Data.Pipeline;

public class PrefetchOverlapTests
{
    private const int BatchSize = 4, Batches = 8, LoadMs = 20, TrainMs = 150;

    [Fact]
    public void After_the_first_batch_the_consumer_hardly_waits()
    {
        // Measured: the consumer's blocking time in MoveNext per batch (Stopwatch around it), while each item's load
        // sleeps 20 ms (one batch = 80 ms on one decode thread) and each "training step" sleeps 150 ms.
        // Without prefetch every batch would cost the consumer its full load time; with it only the first does.
        // Sleeps use no CPU, so a busy 2-core machine only stretches them; the bound is a loose 30%.
        var pipeline = FakeItems.Pipeline(BatchSize * Batches, new PipelineOptions { BatchSize = BatchSize, DecodeThreads = 1, PrefetchBatches = 2 },
            _ => Thread.Sleep(LoadMs));
        var waits = new List<double>();
        double reported, allMoveNext = 0;
        using (var epoch = pipeline.Start(0))
        using (var batches = epoch.GetEnumerator())
        {
            while (true)
            {
                var watch = Stopwatch.StartNew();
                var more = batches.MoveNext();
                allMoveNext += watch.Elapsed.TotalMilliseconds;
                if (!more) break;
                waits.Add(watch.Elapsed.TotalMilliseconds);
                using (batches.Current) Thread.Sleep(TrainMs);
            }
            reported = epoch.WaitTime.TotalMilliseconds;
        }
        var all = $"waits per batch (ms): {string.Join(", ", waits.Select(w => w.ToString("F1")))}";
        Assert.Equal(Batches, waits.Count);
        // EpochBatches.WaitTime is measured inside the enumeration (including the final wait for the end of the
        // epoch), so it lies between the batches' waits and all MoveNext calls.
        Assert.True(reported <= allMoveNext && reported >= 0.5 * waits.Sum(), $"WaitTime {reported:F1} ms, MoveNext {allMoveNext:F1} ms; {all}");
        var batchLoadMs = (double)BatchSize * LoadMs;
        // The first batch cannot be prefetched: its wait shows the measurement sees loading at all.
        Assert.True(waits[0] > 0.5 * batchLoadMs, $"expected about {batchLoadMs} ms for the first; {all}");
        var laterWaits = waits.Skip(1).Sum();
        var noPrefetchWaits = (Batches - 1) * batchLoadMs;
        Assert.True(laterWaits < 0.3 * noPrefetchWaits,
            $"waits after the first batch: {laterWaits:F0} ms in total, without prefetch about {noPrefetchWaits} ms; {all}");
    }
}
