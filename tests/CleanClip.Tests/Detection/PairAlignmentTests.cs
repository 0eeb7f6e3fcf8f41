using CleanClip.Detection;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Detection;

/// <summary>
/// pmi, the image-to-caption pointwise mutual information of a pair under the scanned model: worked by hand on two and
/// three pairs, its bound ln B, its growth as an image moves onto its caption; and in the scorer, pmi and the combined
/// score (multik joined with pmi) as the primary.
/// </summary>
public class PairAlignmentTests
{
    // Cosines come from a float32 matrix product of unit vectors (rounding about 1e-7 relative) and are multiplied by s
    // before the log-sum-exp; 1e-5 is far below the 0.1 between the hand-computed values of neighbouring rows.
    private const double Tolerance = 1e-5;

    private static double[] Pmi(float[,] images, float[,] captions, double scale)
    {
        using var x = torch.tensor(images);
        using var c = torch.tensor(captions);
        using var score = PairAlignment.Pmi(x, c, scale);
        return score.to(ScalarType.Float64).data<double>().ToArray();
    }

    [Fact]
    public void TwoPairsEachOnItsOwnCaption()
    {
        // Cosines [[1, 0], [0, 1]] whatever the norms; at s = 2 both rows score 2 - ln((e^2 + e^0) / 2) = 0.566219.
        var pmi = Pmi(new float[,] { { 1, 0 }, { 0, 2 } }, new float[,] { { 3, 0 }, { 0, 1 } }, 2);
        Assert.All(pmi, p => Assert.Equal(2 - Math.Log((Math.Exp(2) + 1) / 2), p, Tolerance));
        Assert.Equal(0.566219, pmi[0], 1e-6);
    }

    [Fact]
    public void ThreePairsWorkedByHand()
    {
        // Images along x, x, y; captions x, y, y; s = 1. Cosines: row 0 [1, 0, 0], row 1 [1, 0, 0], row 2 [0, 1, 1].
        //   row 0: 1 - ln((e + 1 + 1) / 3) = 0.547168;  row 1: 0 - ln((e + 2) / 3) = -0.452832 (its caption is one it
        //   does not match);  row 2: 1 - ln((1 + 2e) / 3) = 0.236617 (two captions fit it, so its own is less special).
        var pmi = Pmi(new float[,] { { 1, 0 }, { 1, 0 }, { 0, 1 } }, new float[,] { { 1, 0 }, { 0, 1 }, { 0, 1 } }, 1);
        Assert.Equal(1 - Math.Log((Math.E + 2) / 3), pmi[0], Tolerance);
        Assert.Equal(-Math.Log((Math.E + 2) / 3), pmi[1], Tolerance);
        Assert.Equal(1 - Math.Log((1 + 2 * Math.E) / 3), pmi[2], Tolerance);
    }

    [Fact]
    public void AnImageOnItsOwnUniqueCaptionScoresUpToLnB()
    {
        // Four orthogonal captions, each image on its own: s - ln((e^s + 3) / 4) tends to ln 4 as s grows.
        var eye = new float[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
        Assert.All(Pmi(eye, eye, 100), p => Assert.Equal(Math.Log(4), p, 1e-4));
        Assert.All(Pmi(eye, eye, 5), p => Assert.True(p < Math.Log(4)));
    }

    [Fact]
    public void TheScoreGrowsAsTheImageTurnsOntoItsCaption()
    {
        // Row 0's image turns from 80 degrees off its caption (x) onto it; the other rows stay put.
        double previous = double.NegativeInfinity;
        foreach (var degrees in new[] { 80.0, 60, 40, 20, 0 })
        {
            float cos = (float)Math.Cos(degrees * Math.PI / 180), sin = (float)Math.Sin(degrees * Math.PI / 180);
            var images = new float[,] { { cos, sin }, { 0, 1 }, { -1, 0 } };
            var captions = new float[,] { { 1, 0 }, { 0, 1 }, { -1, 0 } };
            double pmi = Pmi(images, captions, 14)[0];
            Assert.True(pmi > previous, $"{degrees} degrees: {pmi} not above {previous}");
            previous = pmi;
        }
    }

    [Fact]
    public void ImagesAndCaptionsMustBeRowForRow()
    {
        using var images = torch.zeros(3, 4);
        using var captions = torch.zeros(2, 4);
        Assert.Contains("[B, D]", Assert.Throws<ArgumentException>(() => PairAlignment.Pmi(images, captions, 1)).Message);
        using var same = torch.ones(3, 4);
        Assert.Contains("logit scale", Assert.Throws<ArgumentException>(() => PairAlignment.Pmi(same, same, 0)).Message);
    }

    [Fact]
    public void TheScorerGivesPmiPerBatchAndCombinedAsThePrimary()
    {
        // 600 rows in 8-D: standard-normal images, captions the images plus noise 0.5; one reference batch holds them all.
        const int n = 600, dim = 8;
        var random = new SplitMix64(31);
        var images = new float[n, dim];
        var captions = new float[n, dim];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++)
            {
                images[i, j] = (float)random.NextGaussian();
                captions[i, j] = images[i, j] + 0.5f * (float)random.NextGaussian();
            }
        using var imagePoints = torch.tensor(images);
        using var captionPoints = torch.tensor(captions);
        var view = new CaptionView(new TensorRows(imagePoints), new TensorRows(captionPoints), 14);
        var settings = new ScanSettings { ReferenceBatch = n, Detectors = [Detector.MultiK, Detector.Pmi, Detector.Combined] };
        var scores = ScanScorer.Score(new TensorRows(imagePoints), settings, captions: view);
        Assert.Equal(Detector.Combined, scores.Primary);

        // One batch: pmi is PairAlignment's over all rows. The batch holds the rows in a seeded random order, and a
        // float32 matrix product sums in another order then: about 1e-7 relative, 2e-6 absolute on scores near 5.
        using var direct = PairAlignment.Pmi(imagePoints, captionPoints, 14);
        var expected = direct.data<float>().ToArray();
        var pmi = scores.ByDetector[Detector.Pmi];
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(expected[i] - pmi[i]) < 1e-5, $"row {i}: {expected[i]} against {pmi[i]}");
        // combined is, per row, the larger of multik and pmi standardised by its median and MAD.
        var standardisedPmi = ScanScorer.StandardisedMax([pmi], logarithm: false);
        var multik = scores.ByDetector[Detector.MultiK];
        Assert.Equal(multik.Zip(standardisedPmi, Math.Max), scores.ByDetector[Detector.Combined]);
        // The median row of pmi standardises to 0, so the standardised list is not pmi itself.
        Assert.Contains(standardisedPmi, v => Math.Abs(v) < 0.01);
        // Asked alone, combined is the same numbers.
        var alone = ScanScorer.Score(new TensorRows(imagePoints), settings with { Detectors = [Detector.Combined] }, captions: view);
        Assert.Equal(scores.ByDetector[Detector.Combined], alone.ByDetector[Detector.Combined]);
        Assert.Equal([Detector.Combined], alone.ByDetector.Keys);

        // With caption texts, the rows most of whose 16 nearest images share their caption rank first. Rows 0-99 share
        // one caption ("crowd"), the others have their own; the crowd's images are moved onto one point plus a little
        // noise, so their neighbours are each other.
        for (int i = 0; i < 100; i++)
            for (int j = 0; j < dim; j++) images[i, j] = 6 + 0.01f * (float)random.NextGaussian();
        using var crowdPoints = torch.tensor(images);
        var crowdView = new CaptionView(new TensorRows(crowdPoints), new TensorRows(captionPoints), 14);
        var ids = Enumerable.Range(0, n).Select(i => i < 100 ? 0 : i).ToArray();
        var gated = ScanScorer.Score(new TensorRows(crowdPoints), settings with { Detectors = [Detector.Combined, Detector.SameCaption] },
            captions: crowdView, captionIds: ids);
        var ungated = ScanScorer.Score(new TensorRows(crowdPoints), settings, captions: crowdView);
        var same = gated.ByDetector[Detector.SameCaption];
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(1f, same[i]));
        Assert.All(Enumerable.Range(100, n - 100), i => Assert.True(same[i] < ScanScorer.CaptionCrowdShare, $"row {i}: {same[i]}"));
        for (int i = 0; i < n; i++)
            Assert.Equal(ungated.ByDetector[Detector.Combined][i] + (i < 100 ? ScanScorer.CaptionCrowdLift : 0), gated.ByDetector[Detector.Combined][i]);
    }

    [Fact]
    public void TheCaptionCrowdRanksFirstFromHalfItsNeighbours()
    {
        Assert.Equal([3f, 1001f, 1002f, -4f], ScanScorer.CaptionCrowdFirst([3f, 1f, 2f, -4f], [0.4375f, 0.5f, 1f, 0f]));
        Assert.Equal([3f, 1f], ScanScorer.CaptionCrowdFirst([3f, 1f], null));
    }

    [Fact]
    public void PmiWithoutTheCaptionsIsRefused()
    {
        using var points = torch.zeros(40, 4);
        var settings = new ScanSettings { ReferenceBatch = 20, Detectors = [Detector.Pmi] };
        var error = Assert.Throws<ArgumentException>(() => ScanScorer.Score(new TensorRows(points), settings));
        Assert.Contains("--vocab", error.Message);
    }
}
