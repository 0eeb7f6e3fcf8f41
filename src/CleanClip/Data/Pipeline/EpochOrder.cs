namespace CleanClip.Data.Pipeline;

/// <summary>
/// The order items are visited in one epoch and the random seed each item gets. Both depend only on
/// (seed, epoch, index), never on thread count or timing, so runs are reproducible whatever the decode threads.
/// </summary>
/// <remarks>
/// The project's SplitMix64 instead of <see cref="Random"/>: its sequence is fixed by this code, whereas
/// <c>new Random(seed)</c> promises no stable sequence across .NET versions.
/// </remarks>
public static class EpochOrder
{
    private const ulong OrderStream = 0xE90C, ItemStream = 0x5EED;

    /// <summary>The seed for item <paramref name="index"/> in <paramref name="epoch"/> (for random augmentations).</summary>
    public static ulong ItemSeed(ulong seed, int epoch, int index) =>
        SplitMix64.Derive(SplitMix64.Derive(seed, ItemStream, (uint)epoch), (uint)index);

    /// <summary>
    /// The visiting order of items <c>0..count-1</c>: a Fisher–Yates shuffle driven by the project's
    /// <see cref="SplitMix64"/>, or the identity when <paramref name="shuffle"/> is false.
    /// </summary>
    public static int[] Permutation(int count, ulong seed, int epoch, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        if (!shuffle) return order;
        var random = new SplitMix64(SplitMix64.Derive(seed, OrderStream, (uint)epoch));
        random.Shuffle(order);
        return order;
    }

    /// <summary>
    /// The epoch's batches: consecutive slices of <see cref="Permutation"/> of <paramref name="batchSize"/> items;
    /// the short last slice is dropped when <paramref name="dropLast"/> is set.
    /// </summary>
    public static int[][] Batches(int count, int batchSize, ulong seed, int epoch, bool shuffle = true, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Permutation(count, seed, epoch, shuffle);
        var full = count / batchSize;
        var batches = full + (!dropLast && count % batchSize != 0 ? 1 : 0);
        var result = new int[batches][];
        for (var b = 0; b < batches; b++)
            result[b] = order.AsSpan(b * batchSize, Math.Min(batchSize, count - b * batchSize)).ToArray();
        return result;
    }
}
