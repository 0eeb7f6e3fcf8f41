using CleanClip.Data.Pipeline;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Data.Pipeline;

public class FailureTests
{
    private static readonly PipelineOptions Options = new() { BatchSize = 4, DecodeThreads = 2, Seed = 9 };

    [Fact]
    public void A_failing_load_surfaces_with_its_index_after_the_batches_before_it()
    {
        const int bad = 13;
        var plan = EpochOrder.Batches(40, 4, seed: 9, epoch: 0);
        var badBatch = Array.FindIndex(plan, b => b.Contains(bad));
        var pipeline = FakeItems.Pipeline(40, Options, index =>
        {
            if (index == bad) throw new IOException("disk on fire");
        });
        var delivered = new List<int>();
        var error = Assert.Throws<PipelineException>(() =>
        {
            foreach (var batch in pipeline.Start(0))
                using (batch) delivered.Add(batch.Number);
        });
        Assert.Equal(bad, error.ItemIndex);
        Assert.Equal(badBatch, error.BatchNumber);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Contains("item 13", error.Message);
        Assert.Contains("disk on fire", error.Message);
        Assert.Equal(Enumerable.Range(0, badBatch), delivered);
    }

    [Fact]
    public void A_failing_collate_surfaces_without_an_item_index()
    {
        var pipeline = new BatchPipeline<int>(12, (index, _) => index,
            (items, _) => items.Contains(5) ? throw new InvalidOperationException("bad batch") : new Dictionary<string, Tensor> { ["x"] = tensor(items.ToArray()) },
            Options with { Shuffle = false });
        var error = Assert.Throws<PipelineException>(() =>
        {
            foreach (var batch in pipeline.Start(0)) batch.Dispose();
        });
        Assert.Null(error.ItemIndex);
        Assert.Equal(1, error.BatchNumber);
    }

    [Fact]
    public async Task Cancellation_stops_the_epoch_promptly_with_an_OperationCanceledException()
    {
        using var cancel = new CancellationTokenSource();
        // 100 batches of 4 × 30 ms on 2 threads would take 6 s; stopping after batch 2 must not wait for them.
        var pipeline = FakeItems.Pipeline(400, Options, _ => Thread.Sleep(30));
        var run = Task.Run(() =>
        {
            var seen = 0;
            foreach (var batch in pipeline.Start(0, cancel.Token))
            {
                batch.Dispose();
                if (++seen == 2) cancel.Cancel();
            }
            return seen;
        });
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20))) == run, "the epoch did not stop within 20 s of cancellation");
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Fact]
    public async Task Cancelling_while_the_consumer_waits_unblocks_it()
    {
        // Items load slowly enough that the consumer is blocked inside MoveNext when the token fires.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var pipeline = FakeItems.Pipeline(40, Options with { DecodeThreads = 1 }, _ => Thread.Sleep(2000));
        var run = Task.Run(() =>
        {
            foreach (var batch in pipeline.Start(0, cancel.Token)) batch.Dispose();
        });
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20))) == run, "the consumer stayed blocked after cancellation");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
