namespace CleanClip.Data.Pipeline;

/// <summary>
/// The order items are visited in one epoch and the random seed each item gets. Both depend only on
/// (seed, epoch, index), never on thread count or timing, so runs are reproducible whatever the decode threads.
/// </summary>
/// <remarks>
/// Our own generator (SplitMix64) instead of <see cref="Random"/>: its sequence is fixed by this code, whereas
/// <c>new Random(seed)</c> promises no stable sequence across .NET versions.
/// </remarks>
public static class EpochOrder
{
    /// <summary>SplitMix64's output function: a bijective 64-bit mix, used both as the generator step and to derive seeds.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The seed for item <paramref name="index"/> in <paramref name="epoch"/> (for random augmentations).</summary>
    public static ulong ItemSeed(ulong seed, int epoch, int index) =>
        Mix(EpochSeed(seed, epoch) ^ Mix(0x5EED_17E5UL + (ulong)(uint)index));

    /// <summary>
    /// The visiting order of items <c>0..count-1</c>: a Fisher–Yates shuffle driven by SplitMix64, or the identity
    /// when <paramref name="shuffle"/> is false.
    /// </summary>
    public static int[] Permutation(int count, ulong seed, int epoch, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        if (!shuffle) return order;
        var state = EpochSeed(seed, epoch);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)NextBelow(ref state, (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
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

    private static ulong EpochSeed(ulong seed, int epoch) => Mix(Mix(seed) ^ Mix(0xE90C_0000UL + (ulong)(uint)epoch));

    private static ulong Next(ref ulong state) => Mix(state += 0x9E3779B97F4A7C15UL);

    // Lemire's multiply-shift with rejection: exactly uniform over [0, bound), unlike a plain modulo.
    private static ulong NextBelow(ref ulong state, ulong bound)
    {
        var high = Math.BigMul(Next(ref state), bound, out var low);
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold) high = Math.BigMul(Next(ref state), bound, out low);
        }
        return high;
    }
}
