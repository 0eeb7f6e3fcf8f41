namespace CleanClip.Detection;

/// <summary>
/// A seeded random partition of rows 0..n-1 into reference batches, inside which neighbourhoods are taken: the cost
/// of scoring grows linearly with n and memory with the square of the batch size. There are max(1, floor(n / size))
/// batches whose sizes differ by at most one, so none is smaller than <c>size</c> (unless n itself is), and no short
/// last batch gets neighbourhoods different from the others.
/// </summary>
public static class ReferenceBatches
{
    public static int[][] Create(int count, int size, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (count == 0) return [];
        var order = Enumerable.Range(0, count).ToArray();
        var random = new SplitMix64(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int batches = Math.Max(1, count / size);
        var result = new int[batches][];
        for (int b = 0, start = 0; b < batches; b++)
        {
            int length = count / batches + (b < count % batches ? 1 : 0);
            result[b] = order[start..(start + length)];
            start += length;
        }
        return result;
    }

    /// <summary>The size of the smallest batch <see cref="Create"/> makes.</summary>
    public static int SmallestSize(int count, int size) => count / Math.Max(1, count / size);
}
