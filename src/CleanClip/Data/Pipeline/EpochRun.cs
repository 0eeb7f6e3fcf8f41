using System.Collections.Concurrent;
using System.Threading.Channels;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// The threads of one epoch. A feeder thread queues the items of at most PrefetchBatches batches beyond what the
/// consumer has taken; decode threads load items in that order into their batch's slots; one collator thread waits
/// for batch 0, 1, 2… in turn, collates it and hands it to the consumer. Ordering by batch number, not by
/// completion, is what makes the output independent of thread timing.
/// </summary>
internal sealed class EpochRun<TItem> : IEpochRun
{
    private sealed class PendingBatch(int number, int[] indices)
    {
        public readonly int Number = number;
        public readonly int[] Indices = indices;
        public readonly LoadResult<TItem>[] Results = new LoadResult<TItem>[indices.Length];
        public int Remaining = indices.Length;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct WorkItem(PendingBatch Batch, int Slot);

    // Either a batch or the error that replaces it, so failures reach the consumer in batch order.
    private readonly record struct Outcome(Batch? Batch, Exception? Error);

    private readonly BatchPipeline<TItem> _pipeline;
    private readonly int[][] _plan;
    private readonly int _firstBatch;
    private readonly CancellationToken _consumerToken;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _prefetchSlots;
    // Every reader is a dedicated thread blocked on WaitToReadAsync. Synchronous continuations let the writer wake it
    // directly; the default would route each wake-up through the thread pool, which a busy 2-core machine (or
    // blocked pool threads) can delay by a second while the consumer waits.
    private readonly Channel<WorkItem> _work = Channel.CreateUnbounded<WorkItem>(new() { SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly Channel<PendingBatch> _toCollate = Channel.CreateUnbounded<PendingBatch>(new() { SingleWriter = true, SingleReader = true, AllowSynchronousContinuations = true });
    private readonly Channel<Outcome> _ready = Channel.CreateUnbounded<Outcome>(new() { SingleWriter = true, SingleReader = true, AllowSynchronousContinuations = true });
    // Batches queued but not yet collated: their items are freed here if the epoch stops early.
    private readonly ConcurrentDictionary<int, PendingBatch> _uncollated = new();
    private readonly ConcurrentQueue<SkippedItem> _skipped = new();
    private readonly Thread _feeder;
    private readonly Thread[] _decoders;
    private readonly Thread _collator;
    private int _disposed;

    public int Epoch { get; }
    public int PlannedBatches => _plan.Length;
    public IReadOnlyCollection<SkippedItem> Skipped => _skipped;

    public EpochRun(BatchPipeline<TItem> pipeline, int epoch, int[][] plan, CancellationToken cancellationToken, int firstBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstBatch, plan.Length);
        _pipeline = pipeline;
        _plan = plan;
        _firstBatch = firstBatch;
        Epoch = epoch;
        _consumerToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _prefetchSlots = new SemaphoreSlim(pipeline.Options.PrefetchBatches);
        _feeder = new Thread(Feed) { IsBackground = true, Name = "pipeline-feed" };
        _feeder.Start();
        _decoders = new Thread[pipeline.Options.EffectiveDecodeThreads];
        for (var i = 0; i < _decoders.Length; i++)
        {
            _decoders[i] = new Thread(DecodeLoop) { IsBackground = true, Name = $"pipeline-decode-{i}" };
            _decoders[i].Start();
        }
        _collator = new Thread(CollateLoop) { IsBackground = true, Name = "pipeline-collate" };
        _collator.Start();
    }

    private void Feed()
    {
        try
        {
            for (var number = _firstBatch; number < _plan.Length; number++)
            {
                _prefetchSlots.Wait(_stop.Token);
                var batch = new PendingBatch(number, _plan[number]);
                _uncollated[number] = batch;
                _toCollate.Writer.TryWrite(batch);
                for (var slot = 0; slot < batch.Indices.Length; slot++) _work.Writer.TryWrite(new WorkItem(batch, slot));
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _work.Writer.TryComplete();
            _toCollate.Writer.TryComplete();
        }
    }

    private void DecodeLoop()
    {
        var seed = _pipeline.Options.Seed;
        try
        {
            while (WaitToRead(_work.Reader, _stop.Token))
            {
                while (!_stop.IsCancellationRequested && _work.Reader.TryRead(out var work))
                {
                    var batch = work.Batch;
                    var index = batch.Indices[work.Slot];
                    try
                    {
                        // Dispose scopes are per thread: this one frees whatever tensors the load function leaves behind.
                        using var scope = NewDisposeScope();
                        var result = _pipeline.Load(index, EpochOrder.ItemSeed(seed, Epoch, index));
                        if (!result.IsSkipped && result.Item is Tensor tensor) tensor.DetachFromDisposeScope();
                        batch.Results[work.Slot] = result;
                    }
                    catch (Exception e)
                    {
                        batch.Done.TrySetException(new PipelineException(index, Epoch, batch.Number, e));
                        continue;
                    }
                    if (Interlocked.Decrement(ref batch.Remaining) == 0) batch.Done.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CollateLoop()
    {
        try
        {
            while (WaitToRead(_toCollate.Reader, _stop.Token))
            {
                while (_toCollate.Reader.TryRead(out var pending))
                {
                    try
                    {
                        pending.Done.Task.Wait(_stop.Token);
                    }
                    catch (AggregateException e) when (e.InnerException is PipelineException failure)
                    {
                        Fail(failure);
                        return;
                    }
                    Batch? batch;
                    try
                    {
                        batch = Collate(pending);
                    }
                    catch (Exception e)
                    {
                        Fail(new PipelineException(null, Epoch, pending.Number, e));
                        return;
                    }
                    _uncollated.TryRemove(pending.Number, out _);
                    DisposeItems(pending);
                    if (batch is null)
                    {
                        // Nothing to deliver, so the consumer will never free this batch's prefetch slot.
                        _prefetchSlots.Release();
                        continue;
                    }
                    if (!_ready.Writer.TryWrite(new Outcome(batch, null))) batch.Dispose();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            _ready.Writer.TryComplete();
        }
    }

    private Batch? Collate(PendingBatch pending)
    {
        var items = new List<TItem>(pending.Indices.Length);
        var indices = new List<int>(pending.Indices.Length);
        var skipped = new List<SkippedItem>();
        for (var slot = 0; slot < pending.Indices.Length; slot++)
        {
            var result = pending.Results[slot];
            if (result.IsSkipped)
            {
                skipped.Add(new SkippedItem(pending.Indices[slot], result.SkipReason!));
            }
            else
            {
                items.Add(result.Item);
                indices.Add(pending.Indices[slot]);
            }
        }
        foreach (var item in skipped) _skipped.Enqueue(item);
        _pipeline.CountSkipped(skipped.Count);
        if (items.Count == 0) return null;
        Dictionary<string, Tensor> tensors;
        using (NewDisposeScope())
        {
            // Intermediates die with this thread's scope; the results leave it so the consumer owns them.
            tensors = new Dictionary<string, Tensor>(_pipeline.Collate(items, indices));
            foreach (var tensor in tensors.Values) tensor.DetachFromDisposeScope();
        }
        return new Batch(Epoch, pending.Number, indices, skipped, tensors);
    }

    private void Fail(Exception error)
    {
        _ready.Writer.TryWrite(new Outcome(null, error));
        _ready.Writer.TryComplete();
        _stop.Cancel();
    }

    public Batch? Take()
    {
        _consumerToken.ThrowIfCancellationRequested();
        if (!WaitToRead(_ready.Reader, _consumerToken) || !_ready.Reader.TryRead(out var outcome))
        {
            // The collator also stops when the consumer's token is cancelled: that must not look like the end of the epoch.
            _consumerToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return null;
        }
        if (outcome.Error is not null) throw outcome.Error;
        _prefetchSlots.Release();
        return outcome.Batch;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _feeder.Join();
        foreach (var decoder in _decoders) decoder.Join();
        _collator.Join();
        // Every thread has stopped: nothing else touches the queues now.
        while (_ready.Reader.TryRead(out var outcome)) outcome.Batch?.Dispose();
        foreach (var pending in _uncollated.Values) DisposeItems(pending);
        _uncollated.Clear();
        _stop.Dispose();
        _prefetchSlots.Dispose();
    }

    private static void DisposeItems(PendingBatch pending)
    {
        foreach (var result in pending.Results)
            if (!result.IsSkipped && result.Item is IDisposable disposable) disposable.Dispose();
    }

    // Blocks a dedicated thread on a channel; false once the channel is complete and empty.
    private static bool WaitToRead<T>(ChannelReader<T> reader, CancellationToken token)
    {
        var wait = reader.WaitToReadAsync(token);
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }
}
