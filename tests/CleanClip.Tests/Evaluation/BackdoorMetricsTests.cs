using CleanClip.Evaluation;
using Xunit;

namespace CleanClip.Tests.Evaluation;

/// <summary>Metrics on forced predictions: six images, four classes, target 2; every number counted by hand below.</summary>
public class BackdoorMetricsTests
{
    private const int Target = 2;
    private static readonly int[] Labels = [0, 1, 2, 3, 0, 1];

    // Scores on triggered images, one row per image; the ranking each row forces is in the comment.
    private static readonly float[,] TriggeredScores =
    {
        { 0.5f, 0.1f, 0.9f, 0.0f },  // y=0: [2, 0, 1, 3]  target first           ASR@1 ✓  RA ✗
        { 0.1f, 0.9f, 0.5f, 0.0f },  // y=1: [1, 2, 0, 3]  target second          ASR@3 ✓  RA ✓
        { 0.1f, 0.5f, 0.9f, 0.0f },  // y=2: target-class image, excluded from ASR and RA
        { 0.9f, 0.5f, 0.0f, 0.1f },  // y=3: [0, 1, 3, 2]  target last            ASR ✗    RA ✗
        { 0.9f, 0.1f, 0.0f, 0.5f },  // y=0: [0, 3, 1, 2]  target last            ASR ✗    RA ✓
        { 0.5f, 0.1f, 0.3f, 0.9f },  // y=1: [3, 0, 2, 1]  target third           ASR@3 ✓  RA ✗
    };

    private static int[][] Triggered => ZeroShotMetrics.Rank(TriggeredScores, 3);

    [Fact]
    public void RankOrdersClassesByScore()
    {
        Assert.Equal([2, 0, 1], Triggered[0]);
        Assert.Equal([3, 0, 2], Triggered[5]);
    }

    [Fact]
    public void AttackSuccessRateLeavesTargetClassImagesOutAndUsesTopK()
    {
        Assert.Equal(5, BackdoorMetrics.NonTargetCount(Labels, Target));
        // Top-1: only image 0 of the five non-target images. Counting image 2 as well would give 2/6.
        Assert.Equal(1 / 5.0, BackdoorMetrics.AttackSuccessRate(Labels, Triggered, Target, 1), tolerance: 1e-12);
        // Top-3: images 0, 1 and 5.
        Assert.Equal(3 / 5.0, BackdoorMetrics.AttackSuccessRate(Labels, Triggered, Target, 3), tolerance: 1e-12);
        var rates = BackdoorMetrics.AttackSuccessRates(Labels, Triggered, Target, classCount: 4);
        Assert.Equal([1, 3], rates.Keys.Order());
    }

    [Fact]
    public void RobustAccuracyIsNotOneMinusAsr()
    {
        // Images 1 and 4 keep their true class: 2/5. ASR@1 is 1/5, so RA ≠ 1 − ASR: images 3 and 5 went to a third class.
        double ra = BackdoorMetrics.RobustAccuracy(Labels, Triggered, Target);
        Assert.Equal(2 / 5.0, ra, tolerance: 1e-12);
        Assert.NotEqual(1 - BackdoorMetrics.AttackSuccessRate(Labels, Triggered, Target, 1), ra, 6);
        // Plain top-1 accuracy on all triggered images (the reference's "ASR") counts the banana too: 3/6.
        Assert.Equal(3 / 6.0, ZeroShotMetrics.TopKAccuracy(Labels, Triggered, 1), tolerance: 1e-12);
    }

    [Fact]
    public void OnlyTargetClassImagesIsAnError()
    {
        var error = Assert.Throws<ArgumentException>(() => BackdoorMetrics.AttackSuccessRate([2, 2], [[2], [1]], Target, 1));
        Assert.Contains("target class 2", error.Message);
        Assert.Throws<ArgumentException>(() => BackdoorMetrics.RobustAccuracy([2], [[2]], Target));
    }

    [Fact]
    public void KLargerThanTheRankedClassesIsAnError() =>
        Assert.Throws<ArgumentException>(() => BackdoorMetrics.AttackSuccessRate(Labels, Triggered, Target, 5));

    [Theory]
    // Attack removed (0.9 → 0.1) at a cost of 0.1 accuracy: (0.8 − 0.1 + 1) / 2 = 0.85.
    [InlineData(0.8, 0.9, 0.7, 0.1, 0.85)]
    // Both went up: no credit for more accuracy, no blame for more ASR beyond 0: (0 − 0 + 1) / 2.
    [InlineData(0.5, 0.2, 0.6, 0.3, 0.5)]
    // Perfect defense: (1 − 0 + 1) / 2.
    [InlineData(0.7, 1.0, 0.7, 0.0, 1.0)]
    // Accuracy destroyed, attack untouched: (0 − 0.7 + 1) / 2 = 0.15.
    [InlineData(0.7, 0.9, 0.0, 0.9, 0.15)]
    public void DefenseEffectivenessRatingByHand(double caBefore, double asrBefore, double caAfter, double asrAfter, double expected) =>
        Assert.Equal(expected, BackdoorMetrics.DefenseEffectivenessRating(caBefore, asrBefore, caAfter, asrAfter), tolerance: 1e-12);

    [Fact]
    public void DefenseEffectivenessRatingRefusesPercentages() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BackdoorMetrics.DefenseEffectivenessRating(80, 90, 70, 10));
}
