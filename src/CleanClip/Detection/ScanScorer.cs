using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>Scores of every row by every detector asked for; higher means more likely a backdoor sample.</summary>
public sealed record ScanScores(IReadOnlyDictionary<Detector, float[]> ByDetector, Detector Primary, int Batches, IReadOnlyList<int> MultiKs)
{
    public float[] PrimaryScores => ByDetector[Primary];
}

/// <summary>
/// Scores a set of embeddings batch by batch: each seeded reference batch (<see cref="ReferenceBatches"/>) is read,
/// its neighbourhoods computed once for the largest k needed, and every detector scored from them. Memory holds one
/// batch of embeddings (of each model) and its [B, B] distances, plus one score per row and detector.
/// </summary>
public static class ScanScorer
{
    /// <param name="trusted">The same rows embedded by a trusted model, for <see cref="Detector.CrossModel"/>.</param>
    public static ScanScores Score(IEmbeddingRows rows, ScanSettings settings, IProgress<JobProgress>? progress = null, IEmbeddingRows? trusted = null)
    {
        settings.Validate(rows.Count, trusted is not null);
        int n = rows.Count;
        if (trusted is not null && trusted.Count != n)
            throw new ArgumentException($"the trusted model embedded {trusted.Count} rows, the scanned model {n}; both must embed the same rows");
        var detectors = settings.Detectors.Distinct().ToList();
        var multiKs = detectors.Contains(Detector.MultiK) ? settings.UsableMultiKs(n) : [];
        int maxK = new[]
        {
            detectors.Any(d => d is not (Detector.MultiK or Detector.CrossModel)) ? settings.K : 0,
            multiKs.Count > 0 ? multiKs[^1] : 0,
            detectors.Contains(Detector.CrossModel) ? settings.CrossModelK : 0,
        }.Max();
        var scores = detectors.Where(d => d != Detector.MultiK).ToDictionary(d => d, _ => new float[n]);
        var ladder = multiKs.Select(_ => new float[n]).ToArray();
        var batches = ReferenceBatches.Create(n, settings.ReferenceBatch, settings.Seed);
        int done = 0;
        foreach (var batch in batches)
        {
            using var scope = torch.NewDisposeScope();
            using var neighbourhoods = Neighbourhoods.Of(rows.Gather(batch), maxK);
            foreach (var (detector, into) in scores)
                Scatter(detector switch
                {
                    Detector.KDistance => LocalOutlierScores.KDistance(neighbourhoods, settings.K),
                    Detector.Slof => LocalOutlierScores.Slof(neighbourhoods, settings.K),
                    Detector.CrossModel => CrossModelDisagreement.Score(neighbourhoods, trusted!.Gather(batch), settings.CrossModelK),
                    _ => LocalOutlierScores.Dao(neighbourhoods, settings.K),
                }, batch, into);
            for (int i = 0; i < multiKs.Count; i++)
                Scatter(LocalOutlierScores.KDistance(neighbourhoods, multiKs[i]), batch, ladder[i]);
            done += batch.Length;
            progress?.Report(new JobProgress("scoring", done, n));
        }
        var result = new Dictionary<Detector, float[]>();
        foreach (var detector in detectors)
            result[detector] = detector == Detector.MultiK ? StandardisedMax(ladder) : scores[detector];
        return new ScanScores(result, settings.Primary, batches.Length, multiKs);
    }

    /// <summary>
    /// Per row, the largest of its standardised log scores over the given score lists: each list becomes
    /// (ln s - median) / (1.4826 MAD) over all rows, the median absolute deviation scaled to a normal's standard
    /// deviation. Logarithms because distances are skewed; median and MAD because poisoned rows, even several percent
    /// of them, barely move either. A list whose MAD is zero carries no scale and is left out.
    /// </summary>
    public static float[] StandardisedMax(IReadOnlyList<float[]> scoreLists)
    {
        int n = scoreLists[0].Length;
        var max = new float[n];
        Array.Fill(max, float.NegativeInfinity);
        foreach (var scores in scoreLists)
        {
            var logs = scores.Select(s => Math.Log(s)).ToArray();
            double median = Median(logs);
            double scale = 1.4826 * Median(logs.Select(x => Math.Abs(x - median)).ToArray());
            if (!(scale > 0)) continue;
            for (int i = 0; i < n; i++) max[i] = Math.Max(max[i], (float)((logs[i] - median) / scale));
        }
        for (int i = 0; i < n; i++) if (float.IsNegativeInfinity(max[i])) max[i] = 0;
        return max;
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int half = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }

    private static void Scatter(Tensor batchScores, int[] batch, float[] into)
    {
        using (batchScores)
        {
            var values = batchScores.to(ScalarType.Float32).data<float>().ToArray();
            for (int i = 0; i < batch.Length; i++) into[batch[i]] = values[i];
        }
    }
}
