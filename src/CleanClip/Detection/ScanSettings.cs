namespace CleanClip.Detection;

/// <summary>How <see cref="ScanScorer"/> scores embeddings.</summary>
public sealed record ScanSettings
{
    /// <summary>Neighbourhood size of k-distance, SLOF and DAO (the paper's default is 16).</summary>
    public int K { get; init; } = 16;
    /// <summary>
    /// Neighbourhood size of <see cref="Detector.CrossModel"/> (and so of the <see cref="Detector.Trusted"/> ensemble).
    /// Its score is a mean over the neighbours and, unlike a density score, does not change meaning when k passes the
    /// number of poisoned points sharing a batch. Of 16, 32 and 64, 32 made the ensemble rank the poison best over the
    /// 0.5 % and 5 % tables of docs/experiments/scan-detection.md (64 does better at 5 % alone, 16 at 0.5 %).
    /// </summary>
    public int CrossModelK { get; init; } = 32;
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

    /// <summary>
    /// The detector whose score ranks rows and decides what a filter removes: the trusted model's when it is scored,
    /// else multik joined with pmi when the captions were embedded, else the k-free multik
    /// (docs/experiments/scan-detection.md compares them).
    /// </summary>
    public Detector Primary => Detectors.Contains(Detector.Trusted) ? Detector.Trusted
        : Detectors.Contains(Detector.CrossModel) ? Detector.CrossModel
        : Detectors.Contains(Detector.Combined) ? Detector.Combined
        : Detectors.Contains(Detector.MultiK) ? Detector.MultiK : Detectors[0];

    /// <summary>These settings with <see cref="Detector.SameCaption"/> added, for a scan of images whose caption texts are known.</summary>
    public ScanSettings WithCaptionTexts() =>
        Detectors.Contains(Detector.SameCaption) ? this : this with { Detectors = [.. Detectors, Detector.SameCaption] };

    /// <summary>These settings with the caption detectors added (pmi and combined), for a scan that embeds the captions too.</summary>
    public ScanSettings WithCaptions() =>
        this with { Detectors = [.. Detectors, .. new[] { Detector.Pmi, Detector.Combined }.Except(Detectors)] };

    /// <summary>
    /// These settings with the trusted model's detectors added, for a scan that has one: crossmodel, and with the
    /// trusted model's caption embeddings also mismatch and their ensemble.
    /// </summary>
    public ScanSettings WithTrusted(bool captions)
    {
        Detector[] added = captions ? [Detector.CrossModel, Detector.Mismatch, Detector.Trusted] : [Detector.CrossModel];
        return this with { Detectors = [.. Detectors, .. added.Except(Detectors)] };
    }

    /// <param name="trusted">Whether a trusted model's image embeddings are there for <see cref="Detector.CrossModel"/>.</param>
    /// <param name="trustedCaptions">Whether its caption embeddings are there too, for <see cref="Detector.Mismatch"/>.</param>
    /// <param name="captions">Whether the scanned model's image and caption embeddings are there, for <see cref="Detector.Pmi"/>.</param>
    /// <param name="captionTexts">Whether each scanned image's caption text is known, for <see cref="Detector.SameCaption"/>.</param>
    /// <exception cref="ArgumentException">A setting is out of range for a set of <paramref name="rows"/> rows.</exception>
    public void Validate(int rows, bool trusted = false, bool trustedCaptions = false, bool captions = false, bool captionTexts = false)
    {
        if (Detectors.Count == 0) throw new ArgumentException("no detector chosen");
        if (Detectors.Contains(Detector.SameCaption) && !captionTexts)
            throw new ArgumentException("the samecaption detector compares the captions of image neighbours: it scores the image or joint side");
        if (Detectors.Any(CleanClip.Detection.Detectors.UsesCaptions) && !captions)
            throw new ArgumentException("the pmi and combined detectors compare each image with its caption in the scanned model: give its vocabulary with --vocab (image or joint side)");
        if (Detectors.Any(CleanClip.Detection.Detectors.UsesCrossModelK) && !trusted)
            throw new ArgumentException("the crossmodel and trusted detectors compare with a model that did not learn the trigger: give one with --trusted-checkpoint");
        if (Detectors.Any(d => d is Detector.Mismatch or Detector.Trusted) && !trustedCaptions)
            throw new ArgumentException("the mismatch and trusted detectors embed the captions with the trusted model: give its vocabulary with --trusted-vocab");
        if (ReferenceBatch < 2) throw new ArgumentException($"--reference-batch {ReferenceBatch}: expected at least 2 rows");
        if (rows == 0) throw new ArgumentException("nothing to scan: the set has no rows");
        bool single = Detectors.Any(CleanClip.Detection.Detectors.UsesK);
        if (single && K < 1) throw new ArgumentException($"--k {K}: expected at least 1");
        if (single && K >= ReferenceBatch)
            throw new ArgumentException($"--k {K} must be smaller than --reference-batch {ReferenceBatch}: a point's neighbours come from its own batch");
        int smallest = ReferenceBatches.SmallestSize(rows, ReferenceBatch);
        if (single && K >= smallest)
            throw new ArgumentException($"--k {K} needs more than {K} rows per reference batch, but the set has only {rows} rows");
        if (Detectors.Any(CleanClip.Detection.Detectors.UsesCrossModelK) && (CrossModelK < 1 || CrossModelK >= smallest))
            throw new ArgumentException($"--crossmodel-k {CrossModelK}: expected at least 1 and fewer than the {smallest} rows of the smallest reference batch");
        if (Detectors.Any(d => d is Detector.MultiK or Detector.Combined) && UsableMultiKs(rows).Count == 0)
            throw new ArgumentException($"the multik detector needs reference batches of more than {MultiKs.Min()} rows, got {smallest}");
    }

    /// <summary>The <see cref="MultiKs"/> smaller than the smallest reference batch of a set of <paramref name="rows"/> rows.</summary>
    public IReadOnlyList<int> UsableMultiKs(int rows)
    {
        int smallest = ReferenceBatches.SmallestSize(rows, ReferenceBatch);
        return MultiKs.Where(k => k >= 1 && k < smallest).Distinct().Order().ToList();
    }
}
