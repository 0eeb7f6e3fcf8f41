using CleanClip.Detection;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Detection;

/// <summary>
/// The fixed-k failure at high poison rates and the k-free detector that avoids it, on synthetic embeddings: 10,000
/// points of a ten-component Gaussian mixture in 32-D plus a tight poisoned cluster (spread 0.05 against the clean
/// components' 1.0) at 0.1%, 0.5% and 5%, scored in reference batches of 1,024 (nine batches of about 1,111).
/// </summary>
public class HighRateTests(ITestOutputHelper output)
{
    private const int Rows = 10_000;

    /// <summary>Component and poison centres drawn with spread 1.5 per coordinate; every (1/rate)-th row is poisoned.</summary>
    private static (float[,] Points, bool[] Poisoned) World(double rate, ulong seed)
    {
        const int dim = 32, components = 10;
        var random = new SplitMix64(seed);
        var centres = new double[components + 1, dim];
        for (int c = 0; c <= components; c++)
            for (int j = 0; j < dim; j++) centres[c, j] = 1.5 * random.NextGaussian();
        int stride = (int)Math.Round(1 / rate);
        var points = new float[Rows, dim];
        var poisoned = new bool[Rows];
        for (int i = 0; i < Rows; i++)
        {
            poisoned[i] = i % stride == 0;
            int c = poisoned[i] ? components : random.NextInt(components);
            double spread = poisoned[i] ? 0.05 : 1.0;
            for (int j = 0; j < dim; j++) points[i, j] = (float)(centres[c, j] + spread * random.NextGaussian());
        }
        return (points, poisoned);
    }

    private ScanMetrics Measure(double rate, Detector detector)
    {
        var (points, poisoned) = World(rate, seed: 1);
        using var all = torch.tensor(points);
        var scores = ScanScorer.Score(new TensorRows(all), new ScanSettings { K = 16, ReferenceBatch = 1024, Detectors = [detector] });
        var metrics = DetectionMetrics.Compute(scores.ByDetector[detector], poisoned)!;
        output.WriteLine($"{rate:P1} {Detectors.Name(detector)}: AUROC {metrics.Auroc:F4}, AUPRC {metrics.AveragePrecision:F4}, precision@{metrics.Poisoned} {metrics.PrecisionAtCount:F3}");
        return metrics;
    }

    // Measured on this world (seed 1): multik AUROC 1.0000 / 1.0000 / 0.9738 and precision at the poison count
    // 1.00 / 1.00 / 0.68 at 0.1% / 0.5% / 5%; k-distance at k = 16 reaches AUROC 1.0000 / 1.0000 / 0.0000. A rank-
    // normalised max over the same k (ranks in place of standardised logs) measured 0.9995 / 0.9974 / 0.9247: a rank
    // forgets how far beyond the clean tail a point lies, so clean points that top a small-k ranking compete with
    // the poisoned ones that top a large-k ranking. 0.95 is the AUROC target.
    [Theory]
    [InlineData(0.001)]
    [InlineData(0.005)]
    [InlineData(0.05)]
    public void TheKFreeDetectorFindsTheClusterAtEveryRate(double rate) =>
        Assert.True(Measure(rate, Detector.MultiK).Auroc >= 0.95);

    // About 55 poisoned points share each batch, so their 16 nearest neighbours are each other: the densest
    // neighbourhoods of the set, ranked below every clean point (AUROC 0.0000 measured).
    [Fact]
    public void AFixedKOf16FailsAtFivePercent() =>
        Assert.True(Measure(0.05, Detector.KDistance).Auroc < 0.5);

    [Fact]
    public void AFixedKOf16WorksAtLowRates() =>
        Assert.True(Measure(0.001, Detector.KDistance).Auroc >= 0.95);
}
