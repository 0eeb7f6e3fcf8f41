namespace CleanClip.Detection;

/// <summary>How <see cref="ScanScorer"/> scores embeddings.</summary>
public sealed record ScanSettings
{
    /// <summary>Neighbourhood size of k-distance, SLOF and DAO (the paper's default is 16).</summary>
    public int K { get; init; } = 16;
    /// <summary>Rows per reference batch; neighbourhoods are taken inside a batch.</summary>
    public int ReferenceBatch { get; init; } = 1024;
    /// <summary>Seed of the random partition into reference batches.</summary>
    public ulong Seed { get; init; }
    public IReadOnlyList<Detector> Detectors { get; init; } = CleanClip.Detection.Detectors.All;
    /// <summary>
    /// The k of <see cref="Detector.MultiK"/>: a geometric ladder, so some k just exceeds a crowd of poisoned points
    /// sharing a batch at any rate up to a quarter of the batch. Values not below the smallest batch are left out.
    /// </summary>
    public IReadOnlyList<int> MultiKs { get; init; } = [4, 8, 16, 32, 64, 128, 256];

    /// <summary>The detector whose score ranks rows and decides what a filter removes: the k-free one when it is scored.</summary>
    public Detector Primary => Detectors.Contains(Detector.MultiK) ? Detector.MultiK : Detectors[0];

    /// <exception cref="ArgumentException">A setting is out of range for a set of <paramref name="rows"/> rows.</exception>
    public void Validate(int rows)
    {
        if (Detectors.Count == 0) throw new ArgumentException("no detector chosen");
        if (ReferenceBatch < 2) throw new ArgumentException($"--reference-batch {ReferenceBatch}: expected at least 2 rows");
        if (rows == 0) throw new ArgumentException("nothing to scan: the set has no rows");
        bool single = Detectors.Any(d => d != Detector.MultiK);
        if (single && K < 1) throw new ArgumentException($"--k {K}: expected at least 1");
        if (single && K >= ReferenceBatch)
            throw new ArgumentException($"--k {K} must be smaller than --reference-batch {ReferenceBatch}: a point's neighbours come from its own batch");
        int smallest = ReferenceBatches.SmallestSize(rows, ReferenceBatch);
        if (single && K >= smallest)
            throw new ArgumentException($"--k {K} needs more than {K} rows per reference batch, but the set has only {rows} rows");
        if (Detectors.Contains(Detector.MultiK) && UsableMultiKs(rows).Count == 0)
            throw new ArgumentException($"the multik detector needs reference batches of more than {MultiKs.Min()} rows, got {smallest}");
    }

    /// <summary>The <see cref="MultiKs"/> smaller than the smallest reference batch of a set of <paramref name="rows"/> rows.</summary>
    public IReadOnlyList<int> UsableMultiKs(int rows)
    {
        int smallest = ReferenceBatches.SmallestSize(rows, ReferenceBatch);
        return MultiKs.Where(k => k >= 1 && k < smallest).Distinct().Order().ToList();
    }
}
