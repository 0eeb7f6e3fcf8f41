using CleanClip.Detection;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Detection;

/// <summary>
/// The trusted model's scores: crossmodel on four points worked by hand, its value where both models agree, and the case
/// it is for (a cluster only the scanned model draws, ranked above an outlier both models see); mismatch by hand; and
/// their ensemble finding what either finds.
/// </summary>
public class CrossModelDisagreementTests
{
    // Scanned view (1-D): 0, 0.1, 5, 5.1 -> nearest: 0-1, 1-0, 2-3, 3-2; second nearest: 0-2 (5), 1-2 (4.9), 2-1 (4.9), 3-1 (5.0).
    // Trusted view (1-D): 0, 3, 1, 5 -> distances d01 3, d02 1, d03 5, d12 2, d13 2, d23 4.
    //   k = 1: own nearest 1, 2, 1, 2; via the scanned neighbour d01 3, d10 3, d23 4, d32 4 -> 3, 1.5, 4, 2.
    //   k = 2: own two nearest (1+3)/2, (2+2)/2, (1+2)/2, (2+4)/2 = 2, 2, 1.5, 3;
    //          via the scanned two (d01+d02)/2 = 2, (d10+d12)/2 = 2.5, (d23+d21)/2 = 3, (d32+d31)/2 = 3 -> 1, 1.25, 2, 1.
    private static readonly float[,] Scanned = { { 0, 0 }, { 0.1f, 0 }, { 5, 0 }, { 5.1f, 0 } };
    private static readonly float[,] Trusted = { { 0, 0 }, { 3, 0 }, { 1, 0 }, { 5, 0 } };

    // float32 distances from a matrix product carry rounding of about 1e-6 relative; 1e-4 is far below the 0.25 that
    // separates the hand-computed values from those of a wrong neighbour.
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(1, new[] { 3.0, 1.5, 4.0, 2.0 })]
    [InlineData(2, new[] { 1.0, 1.25, 2.0, 1.0 })]
    public void TheScoreIsTheTrustedDistanceToTheScannedNeighboursOverTheTrustedNearest(int k, double[] expected)
    {
        using var scanned = torch.tensor(Scanned);
        using var trusted = torch.tensor(Trusted);
        using var neighbourhoods = Neighbourhoods.Of(scanned, k);
        using var score = CrossModelDisagreement.Score(neighbourhoods, trusted, k);
        var actual = score.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * expected[i], $"point {i}: expected {expected[i]}, got {actual[i]:R}");
    }

    [Fact]
    public void WhereBothModelsAgreeEveryScoreIsOne()
    {
        var random = new SplitMix64(5);
        var data = new float[200, 6];
        for (int i = 0; i < 200; i++)
            for (int j = 0; j < 6; j++)
                data[i, j] = (float)random.NextGaussian();
        using var points = torch.tensor(data);
        using var neighbourhoods = Neighbourhoods.Of(points, 8);
        using var score = CrossModelDisagreement.Score(neighbourhoods, points, 8);
        // The same sums in another order: a few float32 roundings.
        Assert.All(score.to(ScalarType.Float64).data<double>().ToArray(), s => Assert.InRange(s, 1 - 1e-5, 1 + 1e-5));
    }

    [Fact]
    public void TheTrustedEmbeddingsMustHaveOneRowPerPoint()
    {
        using var scanned = torch.tensor(Scanned);
        using var neighbourhoods = Neighbourhoods.Of(scanned, 1);
        using var tooFew = torch.zeros(3, 2);
        var error = Assert.Throws<ArgumentException>(() => CrossModelDisagreement.Score(neighbourhoods, tooFew, 1));
        Assert.Contains("[4, D]", error.Message);
    }

    [Fact]
    public void AClusterOnlyTheScannedModelDrawsOutranksAnOutlierBothModelsSee()
    {
        // 1,000 standard-normal points in 8-D seen alike by both models, except: rows 0..29 (the "poison"), which the
        // scanned model draws into a tight cluster of their own (spread 0.05 around 10 on the first axis) while the trusted model
        // sees them scattered like the rest; and row 999, 40 from the origin in both views (a clean outlier).
        const int n = 1000, dim = 8, poisoned = 30, outlier = 999;
        var random = new SplitMix64(13);
        var trusted = new float[n, dim];
        var scanned = new float[n, dim];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++)
            {
                trusted[i, j] = i == outlier ? (j == 0 ? 40 : 0) : (float)random.NextGaussian();
                scanned[i, j] = i < poisoned ? (j == 0 ? 10 : 0) + 0.05f * (float)random.NextGaussian() : trusted[i, j];
            }
        using var trustedPoints = torch.tensor(trusted);
        using var scannedPoints = torch.tensor(scanned);
        var settings = new ScanSettings { K = 16, CrossModelK = 16, ReferenceBatch = n, Detectors = [Detector.CrossModel, Detector.KDistance] };
        var scores = ScanScorer.Score(new TensorRows(scannedPoints), settings, trusted: new TrustedView(new TensorRows(trustedPoints)));
        Assert.Equal(Detector.CrossModel, scores.Primary);
        Assert.Equal(Enumerable.Range(0, poisoned), Ranking.Descending(scores.ByDetector[Detector.CrossModel]).Take(poisoned).Order());
        // The density score ranks the outlier first and the tight cluster last.
        var byKDistance = Ranking.Descending(scores.ByDetector[Detector.KDistance]);
        Assert.Equal(outlier, byKDistance[0]);
        Assert.All(byKDistance.Take(n - poisoned), i => Assert.True(i >= poisoned));
    }

    [Fact]
    public void MismatchIsOneMinusTheCosineOfImageAndCaption()
    {
        // cos 1, 0 and -1: mismatch 0 (kept at the floor), 1 and 2.
        using var images = torch.tensor(new float[,] { { 1, 0 }, { 0, 2 }, { 1, 1 } });
        using var captions = torch.tensor(new float[,] { { 3, 0 }, { 1, 0 }, { -1, -1 } });
        using var mismatch = ScanScorer.Mismatch(images, captions);
        var actual = mismatch.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(Neighbourhoods.DistanceFloor, actual[0], 1e-9);
        Assert.Equal(1, actual[1], 1e-6);
        Assert.Equal(2, actual[2], 1e-6);
    }

    [Fact]
    public void TheTrustedEnsembleFindsWhatEitherOfItsScoresFinds()
    {
        // 1,000 points in 8-D; the trusted model sees standard-normal images and captions close to them (noise 0.1),
        // the scanned model the same images with noise 0.05. Rows 0..19 the scanned model draws into a tight cluster of
        // their own (crossmodel sees them); rows 20..39 carry captions pointing away from their images (mismatch sees them).
        const int n = 1000, dim = 8;
        var random = new SplitMix64(21);
        var trusted = new float[n, dim];
        var captions = new float[n, dim];
        var scanned = new float[n, dim];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++)
            {
                trusted[i, j] = (float)random.NextGaussian();
                captions[i, j] = (i is >= 20 and < 40 ? -trusted[i, j] : trusted[i, j]) + 0.1f * (float)random.NextGaussian();
                scanned[i, j] = i < 20 ? (j == 0 ? 10 : 0) + 0.05f * (float)random.NextGaussian() : trusted[i, j] + 0.05f * (float)random.NextGaussian();
            }
        using var scannedPoints = torch.tensor(scanned);
        using var trustedPoints = torch.tensor(trusted);
        using var captionPoints = torch.tensor(captions);
        var view = new TrustedView(new TensorRows(trustedPoints), new TensorRows(captionPoints));
        var settings = new ScanSettings { CrossModelK = 16, ReferenceBatch = n, Detectors = [Detector.Trusted, Detector.CrossModel, Detector.Mismatch] };
        var scores = ScanScorer.Score(new TensorRows(scannedPoints), settings, trusted: view);
        Assert.Equal(Detector.Trusted, scores.Primary);
        Assert.Equal(Enumerable.Range(0, 40), Ranking.Descending(scores.ByDetector[Detector.Trusted]).Take(40).Order());
        Assert.Equal(Enumerable.Range(0, 20), Ranking.Descending(scores.ByDetector[Detector.CrossModel]).Take(20).Order());
        Assert.Equal(Enumerable.Range(20, 20), Ranking.Descending(scores.ByDetector[Detector.Mismatch]).Take(20).Order());
        // Asked alone, the ensemble is the same numbers.
        var alone = ScanScorer.Score(new TensorRows(scannedPoints), settings with { Detectors = [Detector.Trusted] }, trusted: view);
        Assert.Equal(scores.ByDetector[Detector.Trusted], alone.ByDetector[Detector.Trusted]);
        Assert.Equal([Detector.Trusted], alone.ByDetector.Keys);
    }

    [Fact]
    public void TheCrossModelDetectorNeedsTheTrustedEmbeddings()
    {
        using var points = torch.tensor(Scanned);
        var settings = new ScanSettings { CrossModelK = 1, ReferenceBatch = 4, Detectors = [Detector.CrossModel] };
        var error = Assert.Throws<ArgumentException>(() => ScanScorer.Score(new TensorRows(points), settings));
        Assert.Contains("--trusted-checkpoint", error.Message);
        using var fewer = torch.tensor(Trusted).narrow(0, 0, 3);
        error = Assert.Throws<ArgumentException>(() => ScanScorer.Score(new TensorRows(points), settings, trusted: new TrustedView(new TensorRows(fewer))));
        Assert.Contains("3 rows", error.Message);
        using var trusted = torch.tensor(Trusted);
        error = Assert.Throws<ArgumentException>(() => ScanScorer.Score(new TensorRows(points), settings with { Detectors = [Detector.Mismatch] },
            trusted: new TrustedView(new TensorRows(trusted))));
        Assert.Contains("--trusted-vocab", error.Message);
    }
}
