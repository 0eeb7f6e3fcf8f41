using CleanClip.Detection;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Detection;

/// <summary>samecaption on the six points of <see cref="LocalOutlierScoresTests"/>, by hand, and through the scorer.</summary>
public class CaptionAgreementTests
{
    // A(0,0) B(1,0) C(0,2) D(3,0) E(0,6) F(8,8); two nearest neighbours (LocalOutlierScoresTests derives them):
    //   A {B, C}, B {A, D}, C {A, B}, D {B, A}, E {C, A}, F {E, D}.
    // Captions x, x, y, x, y, y:
    //   A: B x = x, C y ≠ x -> 1/2;  B: A x, D x -> 1;  C: A x, B x ≠ y -> 0;  D: B x, A x -> 1;  E: C y, A x -> 1/2;  F: E y, D x -> 1/2.
    private static readonly float[,] Points = { { 0, 0 }, { 1, 0 }, { 0, 2 }, { 3, 0 }, { 0, 6 }, { 8, 8 } };
    private static readonly string[] Captions = ["x", "x", "y", "x", "y", "y"];
    private static readonly float[] Expected = [0.5f, 1f, 0f, 1f, 0.5f, 0.5f];

    [Fact]
    public void TheShareOfNeighboursWithTheSameCaptionMatchesTheHandCount()
    {
        using var points = torch.tensor(Points);
        using var neighbourhoods = Neighbourhoods.Of(points, 3);
        using var ids = torch.tensor(CaptionAgreement.Ids(Captions).Select(i => (long)i).ToArray());
        using var score = CaptionAgreement.Score(neighbourhoods, ids, 2);
        Assert.Equal(Expected, score.data<float>().ToArray());
        // With all five other points as neighbours: A's are B, C, D, E, F with captions x, y, x, y, y -> 2/5.
        using var all = Neighbourhoods.Of(points, 5);
        using var wide = CaptionAgreement.Score(all, ids, 5);
        Assert.Equal(0.4f, wide.data<float>()[0], 1e-6f);
    }

    [Fact]
    public void TheScorerGivesTheSameNumbersAndNeedsTheCaptionIds()
    {
        using var points = torch.tensor(Points);
        var settings = new ScanSettings { K = 2, ReferenceBatch = 6, Detectors = [Detector.SameCaption] };
        var scores = ScanScorer.Score(new TensorRows(points), settings, captionIds: CaptionAgreement.Ids(Captions));
        Assert.Equal(Expected, scores.ByDetector[Detector.SameCaption]);
        var error = Assert.Throws<ArgumentException>(() => ScanScorer.Score(new TensorRows(points), settings));
        Assert.Contains("samecaption", error.Message);
    }

    [Fact]
    public void CaptionIdsAreEqualExactlyWhereTheTextsAre()
    {
        Assert.Equal([0, 1, 0, 2, 1], CaptionAgreement.Ids(["a photo", "A photo", "a photo", "a photo ", "A photo"]));
    }
}
