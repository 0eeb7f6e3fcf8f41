using CleanClip.Evaluation;
using Xunit;

namespace CleanClip.Tests.Evaluation;

public class ZeroShotMetricsTests
{
    // Five images, three classes; predictions best first.
    private static readonly int[] Labels = [0, 0, 1, 2, 2];
    private static readonly int[][] Ranked = [[0, 1, 2], [1, 0, 2], [1, 2, 0], [0, 1, 2], [2, 0, 1]];

    [Fact]
    public void TopKAccuracyByHand()
    {
        // Top-1 right: images 0, 2, 4 → 3/5. Top-2 adds image 1 (0 second) → 4/5; image 3 has 2 last. Top-3: all.
        Assert.Equal(0.6, ZeroShotMetrics.TopKAccuracy(Labels, Ranked, 1), tolerance: 1e-12);
        Assert.Equal(0.8, ZeroShotMetrics.TopKAccuracy(Labels, Ranked, 2), tolerance: 1e-12);
        Assert.Equal(1.0, ZeroShotMetrics.TopKAccuracy(Labels, Ranked, 3), tolerance: 1e-12);
    }

    [Fact]
    public void AccuraciesSkipKAboveTheClassCount()
    {
        var accuracies = ZeroShotMetrics.Accuracies(Labels, Ranked, classCount: 3);
        Assert.Equal([1, 3], accuracies.Keys.Order());
        Assert.Equal(0.6, accuracies[1], tolerance: 1e-12);
    }

    [Fact]
    public void PerClassAccuracyAndConfusion()
    {
        var confusion = ZeroShotMetrics.Confusion(Labels, Ranked, 4);
        // Class 0: one right, one taken for 1. Class 1: right. Class 2: one taken for 0, one right. Class 3: no images.
        int[,] expected = { { 1, 1, 0, 0 }, { 0, 1, 0, 0 }, { 1, 0, 1, 0 }, { 0, 0, 0, 0 } };
        Assert.Equal(expected, confusion);
        var perClass = ZeroShotMetrics.PerClassAccuracy(Labels, Ranked, 4);
        Assert.Equal([0.5, 1.0, 0.5], perClass[..3]);
        Assert.True(double.IsNaN(perClass[3]));
    }

    [Fact]
    public void RankBreaksTiesByLowerIndex() =>
        Assert.Equal([1, 0, 2], ZeroShotMetrics.Rank(new float[,] { { 0.5f, 0.9f, 0.5f } }, 3)[0]);

    [Fact]
    public void MismatchedOrEmptyInputIsAnError()
    {
        Assert.Throws<ArgumentException>(() => ZeroShotMetrics.TopKAccuracy([0, 1], [[0]], 1));
        Assert.Throws<ArgumentException>(() => ZeroShotMetrics.TopKAccuracy([], [], 1));
        Assert.Throws<ArgumentException>(() => ZeroShotMetrics.Confusion([5], [[0]], 3));
    }
}
