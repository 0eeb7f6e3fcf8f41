using static TorchSharp.torch;

namespace CleanClip.Data.Pipeline;

/// <summary>Loads one item on a decode thread: (dataset index, the item's seed from <see cref="EpochOrder.ItemSeed"/>) → item or skip.</summary>
public delegate LoadResult<TItem> ItemLoader<TItem>(int index, ulong itemSeed);

/// <summary>Turns a batch's loaded items (with their dataset indices) into named tensors, on the pipeline's producer thread.</summary>
public delegate IReadOnlyDictionary<string, Tensor> BatchCollator<TItem>(IReadOnlyList<TItem> items, IReadOnlyList<int> indices);

/// <summary>
/// Bounded-prefetch batches over items 0..N-1: a seeded per-epoch order, <see cref="PipelineOptions.DecodeThreads"/>
/// threads running the load function, one producer thread collating finished batches in order, at most
/// <see cref="PipelineOptions.PrefetchBatches"/> batches ahead of the consumer.
/// </summary>
/// <remarks>
/// TorchSharp's DataLoader only parallelises inside a batch and never prepares the next batch while a step runs;
/// this does. Batches come out in epoch order whatever the thread timing, and item seeds depend only on
/// (seed, epoch, index), so the data a run sees does not depend on the thread count.
/// </remarks>
public sealed class BatchPipeline<TItem>
{
    private readonly ItemLoader<TItem> _load;
    private readonly BatchCollator<TItem> _collate;
    private long _skippedCount;

    public int ItemCount { get; }

    public PipelineOptions Options { get; }

    /// <summary>Items skipped in all epochs so far (counted when their batch is collated).</summary>
    public long SkippedCount => Interlocked.Read(ref _skippedCount);

    public BatchPipeline(int itemCount, ItemLoader<TItem> load, BatchCollator<TItem> collate, PipelineOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ItemCount = itemCount;
        _load = load ?? throw new ArgumentNullException(nameof(load));
        _collate = collate ?? throw new ArgumentNullException(nameof(collate));
        Options = options ?? new PipelineOptions();
        Options.Validate();
    }

    /// <summary>The epoch's batches of dataset indices, before any item is skipped.</summary>
    public int[][] Plan(int epoch) =>
        EpochOrder.Batches(ItemCount, Options.BatchSize, Options.Seed, epoch, Options.Shuffle, Options.DropLast);

    /// <summary>
    /// Starts loading <paramref name="epoch"/> at once (so it can overlap the end of the previous one) and returns its
    /// batches; disposing the result, or leaving a foreach over it, stops the threads and frees undelivered batches.
    /// <paramref name="firstBatch"/> skips the plan's first batches without loading them (resuming mid-epoch).
    /// </summary>
    public EpochBatches Start(int epoch, CancellationToken cancellationToken = default, int firstBatch = 0) =>
        new(new EpochRun<TItem>(this, epoch, Plan(epoch), cancellationToken, firstBatch));

    internal LoadResult<TItem> Load(int index, ulong itemSeed) => _load(index, itemSeed);

    internal IReadOnlyDictionary<string, Tensor> Collate(IReadOnlyList<TItem> items, IReadOnlyList<int> indices) => _collate(items, indices);

    internal void CountSkipped(int count) => Interlocked.Add(ref _skippedCount, count);
}
