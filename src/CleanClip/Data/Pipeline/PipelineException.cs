namespace CleanClip.Data.Pipeline;

/// <summary>
/// A load or collate function failed on a pipeline thread; thrown to the consumer in place of the batch that
/// failed, with the item that caused it (<see cref="Exception.InnerException"/> is the original error).
/// </summary>
public sealed class PipelineException : Exception
{
    /// <summary>The dataset index of the item whose load failed; null when collating the batch failed.</summary>
    public int? ItemIndex { get; }

    public int Epoch { get; }

    /// <summary>Position of the failed batch in the epoch.</summary>
    public int BatchNumber { get; }

    public PipelineException(int? itemIndex, int epoch, int batchNumber, Exception inner)
        : base(itemIndex is { } index
            ? $"loading item {index} (epoch {epoch}, batch {batchNumber}) failed: {inner.Message}"
            : $"collating batch {batchNumber} of epoch {epoch} failed: {inner.Message}", inner)
    {
        ItemIndex = itemIndex;
        Epoch = epoch;
        BatchNumber = batchNumber;
    }
}
