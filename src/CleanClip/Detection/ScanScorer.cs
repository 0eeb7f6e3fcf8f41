using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>Scores of every row by every detector asked for; higher means more likely a backdoor sample.</summary>
public sealed record ScanScores(IReadOnlyDictionary<Detector, float[]> ByDetector, Detector Primary, int Batches, IReadOnlyList<int> MultiKs)
{
    public float[] PrimaryScores => ByDetector[Primary];
}

/// <summary>A trusted model's embeddings of the scanned rows: their images and, for the caption scores, their captions.</summary>
public sealed record TrustedView(IEmbeddingRows Images, IEmbeddingRows? Captions = null);

/// <summary>The scanned model's own embeddings of the scanned rows' images and captions, and its temperature multiplier.</summary>
public sealed record CaptionView(IEmbeddingRows Images, IEmbeddingRows Captions, double LogitScale);

/// <summary>
/// Scores a set of embeddings batch by batch: each seeded reference batch (<see cref="ReferenceBatches"/>) is read,
/// its neighbourhoods computed once for the largest k needed, and every detector scored from them. Memory holds one
/// batch of embeddings (of each model) and its [B, B] distances, plus one score per row and detector.
/// </summary>
public static class ScanScorer
{
    /// <param name="trusted">The same rows embedded by a trusted model, for <see cref="Detector.CrossModel"/>,
    /// <see cref="Detector.Mismatch"/> and <see cref="Detector.Trusted"/>.</param>
    /// <param name="captions">The scanned model's image and caption embeddings of the same rows, for <see cref="Detector.Pmi"/>
    /// and <see cref="Detector.Combined"/>.</param>
    /// <param name="captionIds">For <see cref="Detector.SameCaption"/>: an id per scanned row, equal where the caption texts are equal.</param>
    public static ScanScores Score(IEmbeddingRows rows, ScanSettings settings, IProgress<JobProgress>? progress = null, TrustedView? trusted = null,
        CaptionView? captions = null, IReadOnlyList<int>? captionIds = null)
    {
        settings.Validate(rows.Count, trusted is not null, trusted?.Captions is not null, captions is not null, captionIds is not null);
        int n = rows.Count;
        if (captionIds is not null && captionIds.Count != n)
            throw new ArgumentException($"{captionIds.Count} caption ids for {n} scanned rows; each row needs one");
        if (trusted is not null && (trusted.Images.Count != n || trusted.Captions is { } c && c.Count != n))
            throw new ArgumentException($"the trusted model embedded {trusted.Images.Count} rows, the scanned model {n}; both must embed the same rows");
        if (captions is not null && (captions.Images.Count != n || captions.Captions.Count != n))
            throw new ArgumentException($"{captions.Images.Count} image and {captions.Captions.Count} caption embeddings for {n} scanned rows; each row needs both");
        var detectors = settings.Detectors.Distinct().ToList();
        // The ensembles are made of their parts' scores, computed whether or not they were asked for themselves.
        var computed = detectors;
        if (computed.Contains(Detector.Trusted)) computed = computed.Union([Detector.CrossModel, Detector.Mismatch]).ToList();
        if (computed.Contains(Detector.Combined))
            computed = computed.Union(captionIds is null ? [Detector.MultiK, Detector.Pmi] : [Detector.MultiK, Detector.Pmi, Detector.SameCaption]).ToList();
        var multiKs = computed.Contains(Detector.MultiK) ? settings.UsableMultiKs(n) : [];
        int maxK = new[]
        {
            computed.Any(Detectors.UsesK) ? settings.K : 0,
            multiKs.Count > 0 ? multiKs[^1] : 0,
            computed.Contains(Detector.CrossModel) ? settings.CrossModelK : 0,
        }.Max();
        var scores = computed.Where(d => d is not (Detector.MultiK or Detector.Trusted or Detector.Combined)).ToDictionary(d => d, _ => new float[n]);
        var ladder = multiKs.Select(_ => new float[n]).ToArray();
        var batches = ReferenceBatches.Create(n, settings.ReferenceBatch, settings.Seed);
        int done = 0;
        foreach (var batch in batches)
        {
            using var scope = torch.NewDisposeScope();
            var batchRows = maxK > 0 || ReferenceEquals(captions?.Images, rows) ? rows.Gather(batch) : null;
            using var neighbourhoods = maxK > 0 ? Neighbourhoods.Of(batchRows!, maxK) : null;
            // The trusted model's image rows of the batch, read once for both of its scores.
            var trustedImages = computed.Any(d => d is Detector.CrossModel or Detector.Mismatch) ? trusted!.Images.Gather(batch) : null;
            foreach (var (detector, into) in scores)
                Scatter(detector switch
                {
                    Detector.KDistance => LocalOutlierScores.KDistance(neighbourhoods!, settings.K),
                    Detector.Slof => LocalOutlierScores.Slof(neighbourhoods!, settings.K),
                    Detector.Dao => LocalOutlierScores.Dao(neighbourhoods!, settings.K),
                    Detector.SameCaption => CaptionAgreement.Score(neighbourhoods!, CaptionIdsOf(captionIds!, batch), settings.K),
                    Detector.CrossModel => CrossModelDisagreement.Score(neighbourhoods!, trustedImages!, settings.CrossModelK),
                    Detector.Mismatch => Mismatch(trustedImages!, trusted!.Captions!.Gather(batch)),
                    // On the image side the scored rows are the images: the batch read above serves both.
                    Detector.Pmi => PairAlignment.Pmi(ReferenceEquals(captions!.Images, rows) ? batchRows! : captions.Images.Gather(batch),
                        captions.Captions.Gather(batch), captions.LogitScale),
                    _ => throw new InvalidOperationException($"no batch score for {detector}"),
                }, batch, into);
            for (int i = 0; i < multiKs.Count; i++)
                Scatter(LocalOutlierScores.KDistance(neighbourhoods!, multiKs[i]), batch, ladder[i]);
            done += batch.Length;
            progress?.Report(new JobProgress("scoring", done, n));
        }
        var multiK = computed.Contains(Detector.MultiK) ? StandardisedMax(ladder) : null;
        var result = new Dictionary<Detector, float[]>();
        foreach (var detector in detectors)
            result[detector] = detector switch
            {
                Detector.MultiK => multiK!,
                Detector.Trusted => StandardisedMax([scores[Detector.CrossModel], scores[Detector.Mismatch]]),
                // multik is already on the standardised scale; pmi is a log ratio, so it is standardised as it is.
                Detector.Combined => CaptionCrowdFirst(Max(multiK!, StandardisedMax([scores[Detector.Pmi]], logarithm: false)),
                    scores.GetValueOrDefault(Detector.SameCaption)),
                _ => scores[detector],
            };
        return new ScanScores(result, settings.Primary, batches.Length, multiKs);
    }

    /// <summary>
    /// [n]: 1 − the cosine similarity of each image embedding [n, D] with its caption's [n, D], at least
    /// <see cref="Neighbourhoods.DistanceFloor"/> (rounding can put a cosine a hair above 1, and the ensemble takes logarithms).
    /// </summary>
    public static Tensor Mismatch(Tensor images, Tensor captions)
    {
        using var scope = torch.NewDisposeScope();
        var cosine = torch.nn.functional.cosine_similarity(images.to(ScalarType.Float32), captions.to(ScalarType.Float32), dim: 1);
        return (1 - cosine).clamp_min(Neighbourhoods.DistanceFloor).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per row, the largest of its standardised log scores over the given score lists: each list becomes
    /// (ln s - median) / (1.4826 MAD) over all rows, the median absolute deviation scaled to a normal's standard
    /// deviation. Logarithms because distances are skewed; median and MAD because poisoned rows, even several percent
    /// of them, barely move either. A list whose MAD is zero carries no scale and is left out.
    /// </summary>
    /// <param name="logarithm">Standardise ln s (positive scores such as distances), or s itself (scores that are
    /// already logarithms and may be negative, such as <see cref="Detector.Pmi"/>).</param>
    public static float[] StandardisedMax(IReadOnlyList<float[]> scoreLists, bool logarithm = true)
    {
        int n = scoreLists[0].Length;
        var max = new float[n];
        Array.Fill(max, float.NegativeInfinity);
        foreach (var scores in scoreLists)
        {
            var values = scores.Select(s => logarithm ? Math.Log(s) : s).ToArray();
            double median = Median(values);
            double scale = 1.4826 * Median(values.Select(x => Math.Abs(x - median)).ToArray());
            if (!(scale > 0)) continue;
            for (int i = 0; i < n; i++) max[i] = Math.Max(max[i], (float)((values[i] - median) / scale));
        }
        for (int i = 0; i < n; i++) if (float.IsNegativeInfinity(max[i])) max[i] = 0;
        return max;
    }

    /// <summary>
    /// <see cref="Detector.Combined"/>'s share of <see cref="Detector.SameCaption"/> at which a pair ranks before every
    /// pair below it: at least half of its image neighbours carry its exact caption. Clean pairs rarely get there, a
    /// one-caption poison's crowd nearly always does (docs/experiments/scan-detection.md).
    /// </summary>
    public const float CaptionCrowdShare = 0.5f;

    /// <summary>Added to the combined score of a pair in a caption crowd: far above any standardised score.</summary>
    public const float CaptionCrowdLift = 1000;

    /// <summary>
    /// <paramref name="scores"/> with <see cref="CaptionCrowdLift"/> added where <paramref name="sameCaption"/> reaches
    /// <see cref="CaptionCrowdShare"/>, so those pairs rank first, among themselves in the order of the scores; unchanged
    /// without caption ids.
    /// </summary>
    public static float[] CaptionCrowdFirst(float[] scores, float[]? sameCaption) => sameCaption is null ? scores
        : scores.Zip(sameCaption, (score, share) => share >= CaptionCrowdShare ? score + CaptionCrowdLift : score).ToArray();

    private static float[] Max(float[] a, float[] b) => a.Zip(b, Math.Max).ToArray();

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int half = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }

    private static Tensor CaptionIdsOf(IReadOnlyList<int> captionIds, int[] batch) =>
        torch.tensor(batch.Select(i => (long)captionIds[i]).ToArray());

    private static void Scatter(Tensor batchScores, int[] batch, float[] into)
    {
        using (batchScores)
        {
            var values = batchScores.to(ScalarType.Float32).data<float>().ToArray();
            for (int i = 0; i < batch.Length; i++) into[batch[i]] = values[i];
        }
    }
}
