using System.Collections;
using System.Diagnostics;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// One running epoch of a <see cref="BatchPipeline{TItem}"/>: enumerate it once on the consumer thread. A worker's
/// exception is rethrown by the enumeration as a <see cref="PipelineException"/> after the batches before it;
/// cancelling the token throws <see cref="OperationCanceledException"/> instead of ending the epoch early.
/// </summary>
public sealed class EpochBatches : IEnumerable<Batch>, IDisposable
{
    private readonly IEpochRun _run;
    private long _waitTicks;
    private bool _enumerated;

    public int Epoch => _run.Epoch;

    /// <summary>Batches in the epoch's plan (some may be skipped whole if all their items were).</summary>
    public int PlannedBatches => _run.PlannedBatches;

    /// <summary>Items skipped so far in this epoch, with reasons (complete once the enumeration has ended).</summary>
    public IReadOnlyCollection<SkippedItem> Skipped => _run.Skipped;

    public int SkippedCount => _run.Skipped.Count;

    /// <summary>Time the consumer spent blocked waiting for a batch: near zero when loading keeps up with training.</summary>
    public TimeSpan WaitTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks));

    internal EpochBatches(IEpochRun run) => _run = run;

    public IEnumerator<Batch> GetEnumerator()
    {
        if (_enumerated) throw new InvalidOperationException("an epoch's batches can be enumerated only once; start the epoch again");
        _enumerated = true;
        return Enumerate();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<Batch> Enumerate()
    {
        try
        {
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                var batch = _run.Take();
                Interlocked.Add(ref _waitTicks, Stopwatch.GetTimestamp() - start);
                if (batch is null) yield break;
                yield return batch;
            }
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Stops the epoch's threads (waiting for items being loaded to finish) and disposes undelivered batches.</summary>
    public void Dispose() => _run.Dispose();
}

internal interface IEpochRun : IDisposable
{
    int Epoch { get; }
    int PlannedBatches { get; }
    IReadOnlyCollection<SkippedItem> Skipped { get; }

    /// <summary>The next batch in order, blocking; null at the end of the epoch.</summary>
    Batch? Take();
}
