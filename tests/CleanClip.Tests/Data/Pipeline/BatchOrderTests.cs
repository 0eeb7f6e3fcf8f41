using CleanClip.Data.Pipeline;
using Xunit;

namespace CleanClip.Tests.Data.Pipeline;

public class BatchOrderTests
{
    private static readonly PipelineOptions Options = new() { BatchSize = 4, Seed = 123, PrefetchBatches = 2 };

    // Deterministic jitter: with several threads, items finish out of order, so ordering by completion would show.
    private static void Jitter(int index) => Thread.Sleep(index * 7 % 5);

    [Fact]
    public void Batches_arrive_in_the_seeded_order_with_exactly_their_items_whatever_the_thread_count()
    {
        const int count = 30, epoch = 2;
        var plan = EpochOrder.Batches(count, 4, seed: 123, epoch: epoch);
        Assert.Equal(8, plan.Length);
        var runs = new List<List<(int Number, int[] Indices, long[] IndexValues, long[] Seeds)>>();
        foreach (var threads in new[] { 1, 2, 4 })
        {
            var pipeline = FakeItems.Pipeline(count, Options with { DecodeThreads = threads }, Jitter);
            var batches = FakeItems.ReadAll(pipeline.Start(epoch));
            Assert.Equal(plan.Length, batches.Count);
            for (var b = 0; b < plan.Length; b++)
            {
                Assert.Equal(b, batches[b].Number);
                Assert.Equal(plan[b], batches[b].Indices);
                Assert.Equal(plan[b].Select(i => (long)i), batches[b].IndexValues);
                Assert.Equal(plan[b].Select(i => unchecked((long)EpochOrder.ItemSeed(123, epoch, i))), batches[b].Seeds);
            }
            runs.Add(batches);
        }
        // Identical across 1, 2 and 4 threads, item seeds included.
        for (var b = 0; b < plan.Length; b++)
        {
            Assert.Equal(runs[0][b].Seeds, runs[1][b].Seeds);
            Assert.Equal(runs[0][b].Seeds, runs[2][b].Seeds);
        }
    }

    [Fact]
    public void Starting_at_a_batch_delivers_the_rest_of_the_plan_and_loads_nothing_before_it()
    {
        var loaded = new System.Collections.Concurrent.ConcurrentBag<int>();
        var plan = EpochOrder.Batches(30, 4, seed: 123, epoch: 1);
        var pipeline = FakeItems.Pipeline(30, Options with { DecodeThreads = 2 }, loaded.Add);
        var rest = FakeItems.ReadAll(pipeline.Start(1, firstBatch: 5));
        Assert.Equal([5, 6, 7], rest.Select(b => b.Number));
        Assert.Equal(plan[5..].SelectMany(b => b), rest.SelectMany(b => b.Indices));
        Assert.Equal(plan[5..].SelectMany(b => b).Order(), loaded.Order());
        Assert.Empty(FakeItems.ReadAll(pipeline.Start(1, firstBatch: plan.Length)));
    }

    [Fact]
    public void Drop_last_leaves_out_the_short_batch()
    {
        var pipeline = FakeItems.Pipeline(10, Options with { DropLast = true, DecodeThreads = 2 });
        var batches = FakeItems.ReadAll(pipeline.Start(0));
        Assert.Equal([4, 4], batches.Select(b => b.Indices.Length));
        Assert.Equal(8, batches.SelectMany(b => b.Indices).Distinct().Count());
        var kept = FakeItems.ReadAll(FakeItems.Pipeline(10, Options with { DecodeThreads = 2 }).Start(0));
        Assert.Equal([4, 4, 2], kept.Select(b => b.Indices.Length));
    }

    [Fact]
    public void Another_epoch_is_another_permutation_and_the_same_epoch_repeats()
    {
        var pipeline = FakeItems.Pipeline(40, Options with { DecodeThreads = 2 });
        int[] Order(int epoch) => FakeItems.ReadAll(pipeline.Start(epoch)).SelectMany(b => b.Indices).ToArray();
        var first = Order(0);
        Assert.Equal(Enumerable.Range(0, 40), first.Order());
        Assert.NotEqual(first, Order(1));
        Assert.Equal(first, Order(0));
        Assert.Equal(Enumerable.Range(0, 40), FakeItems.ReadAll(FakeItems.Pipeline(40, Options with { Shuffle = false }).Start(5)).SelectMany(b => b.Indices));
    }

    [Fact]
    public void Prefetch_never_runs_more_than_the_configured_batches_ahead()
    {
        // The consumer holds batch 0 and takes nothing more: only PrefetchBatches batches may be loaded meanwhile.
        var loaded = 0;
        var pipeline = FakeItems.Pipeline(100, Options with { DecodeThreads = 2, PrefetchBatches = 3 }, _ => Interlocked.Increment(ref loaded));
        using var epoch = pipeline.Start(0);
        using var batches = epoch.GetEnumerator();
        Assert.True(batches.MoveNext());
        batches.Current.Dispose();
        Thread.Sleep(300);
        Assert.Equal(4 * 4, Volatile.Read(ref loaded));  // batch 0 taken + 3 prefetched, 4 items each
    }
}
