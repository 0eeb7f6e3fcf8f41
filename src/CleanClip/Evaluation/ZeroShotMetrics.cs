namespace CleanClip.Evaluation;

/// <summary>
/// Zero-shot accuracy from true labels and ranked predictions (per image, class indices best first). Pure functions of
/// arrays, so every number can be checked by hand.
/// </summary>
public static class ZeroShotMetrics
{
    /// <summary>The k of the top-k accuracies reported (CLIP papers report 1 and 5; the reference also 3 and 10).</summary>
    public static readonly IReadOnlyList<int> Ks = [1, 3, 5, 10];

    /// <summary>Per row of an [N, C] score matrix, the <paramref name="k"/> best class indices, best first (ties: lower index first).</summary>
    public static int[][] Rank(float[,] scores, int k)
    {
        int n = scores.GetLength(0), c = scores.GetLength(1);
        k = Math.Min(k, c);
        var ranked = new int[n][];
        for (int i = 0; i < n; i++)
        {
            int row = i;
            ranked[i] = Enumerable.Range(0, c).OrderByDescending(j => scores[row, j]).ThenBy(j => j).Take(k).ToArray();
        }
        return ranked;
    }

    /// <summary>Whether <paramref name="label"/> is among the first <paramref name="k"/> entries of <paramref name="ranked"/>.</summary>
    public static bool InTopK(int[] ranked, int label, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), $"k must be at least 1, got {k}");
        for (int j = 0; j < Math.Min(k, ranked.Length); j++)
            if (ranked[j] == label) return true;
        return false;
    }

    /// <summary>Share of images whose true label is in their top k.</summary>
    /// <exception cref="ArgumentException">No images, mismatched lengths, or fewer than k ranked classes for an image.</exception>
    public static double TopKAccuracy(IReadOnlyList<int> labels, IReadOnlyList<int[]> ranked, int k)
    {
        CheckShapes(labels, ranked, k);
        int hits = 0;
        for (int i = 0; i < labels.Count; i++)
            if (InTopK(ranked[i], labels[i], k)) hits++;
        return (double)hits / labels.Count;
    }

    /// <summary>Top-k accuracy for each k of <paramref name="ks"/> not above the class count (larger k are trivially 1).</summary>
    public static Dictionary<int, double> Accuracies(IReadOnlyList<int> labels, IReadOnlyList<int[]> ranked, int classCount, IEnumerable<int>? ks = null) =>
        (ks ?? Ks).Where(k => k <= classCount).ToDictionary(k => k, k => TopKAccuracy(labels, ranked, k));

    /// <summary>Top-1 accuracy per class; NaN for a class with no image.</summary>
    public static double[] PerClassAccuracy(IReadOnlyList<int> labels, IReadOnlyList<int[]> ranked, int classCount)
    {
        CheckShapes(labels, ranked, 1);
        var confusion = Confusion(labels, ranked, classCount);
        var result = new double[classCount];
        for (int c = 0; c < classCount; c++)
        {
            long total = 0;
            for (int p = 0; p < classCount; p++) total += confusion[c, p];
            result[c] = total == 0 ? double.NaN : (double)confusion[c, c] / total;
        }
        return result;
    }

    /// <summary>Counts [true class, top-1 predicted class].</summary>
    public static int[,] Confusion(IReadOnlyList<int> labels, IReadOnlyList<int[]> ranked, int classCount)
    {
        CheckShapes(labels, ranked, 1);
        var counts = new int[classCount, classCount];
        for (int i = 0; i < labels.Count; i++)
        {
            int truth = labels[i], predicted = ranked[i][0];
            if ((uint)truth >= classCount || (uint)predicted >= classCount)
                throw new ArgumentException($"image {i}: label {truth} or prediction {predicted} is outside 0..{classCount - 1}");
            counts[truth, predicted]++;
        }
        return counts;
    }

    internal static void CheckShapes(IReadOnlyList<int> labels, IReadOnlyList<int[]> ranked, int k)
    {
        if (labels.Count != ranked.Count)
            throw new ArgumentException($"{labels.Count} labels but {ranked.Count} ranked predictions");
        if (labels.Count == 0) throw new ArgumentException("no images to score");
        for (int i = 0; i < ranked.Count; i++)
            if (ranked[i].Length < k)
                throw new ArgumentException($"image {i} has {ranked[i].Length} ranked classes, fewer than k = {k}");
    }
}
