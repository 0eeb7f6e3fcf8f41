using TorchSharp;

namespace CleanClip.Data.Pipeline;

/// <summary>How a <see cref="BatchPipeline{TItem}"/> batches and how many threads it takes: every default lives here.</summary>
public sealed record PipelineOptions
{
    /// <summary>Items per batch. 64 × 3 × 224² uint8 is 9.6 MB, small enough to hold a few batches in flight.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Threads that load (decode + resize) items; 0 picks <see cref="DefaultDecodeThreads"/> when an epoch starts.
    /// </summary>
    public int DecodeThreads { get; init; }

    /// <summary>
    /// Batches prepared ahead of the one the consumer holds. Two let the next batch be ready while a slow item
    /// holds up the one after it; more only costs memory.
    /// </summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Seeds the per-epoch shuffle and every item's augmentation seed (<see cref="EpochOrder"/>).</summary>
    public ulong Seed { get; init; }

    /// <summary>Drops the epoch's short last batch (contrastive losses change scale with the batch size).</summary>
    public bool DropLast { get; init; }

    /// <summary>Visits items in a seeded random order per epoch; off gives index order (evaluation, cache builds).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary><see cref="DecodeThreads"/> with 0 resolved.</summary>
    public int EffectiveDecodeThreads => DecodeThreads > 0 ? DecodeThreads : DefaultDecodeThreads();

    /// <summary>
    /// The cores LibTorch's intra-op pool leaves free, at least one: 1 on a 2-core machine with LibTorch on both.
    /// More decode threads gain nothing next to a training step and slow epochs when other work loads the machine
    /// (bench <c>pipeline</c>, docs/experiments/runtime-settings.md).
    /// </summary>
    public static int DefaultDecodeThreads() => Math.Max(1, Environment.ProcessorCount - torch.get_num_threads());

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(DecodeThreads, nameof(DecodeThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefetchBatches, 1, nameof(PrefetchBatches));
    }
}
