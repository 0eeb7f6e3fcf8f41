using CleanClip.Data;
using CleanClip.Detection;
using Xunit;

namespace CleanClip.Tests.Detection;

/// <summary>Ground-truth metrics on five rows, counted by hand.</summary>
public class DetectionMetricsTests
{
    // Rows 0 and 2 are poisoned. Scores, descending with ties kept in row order: row 0 (0.9), row 1 (0.8), row 2 (0.8),
    // row 3 (0.3), row 4 (0.1).
    private static readonly float[] Scores = [0.9f, 0.8f, 0.8f, 0.3f, 0.1f];
    private static readonly bool[] Poisoned = [true, false, true, false, false];

    // Every quantity below is a ratio of small integers computed in double: only the last bits can differ.
    private const double Tolerance = 1e-12;

    [Fact]
    public void AurocCountsATieAsOneHalf()
    {
        // Poisoned-vs-clean pairs, 2 x 3 = 6: row 0 beats all three clean rows (3); row 2 ties row 1 (0.5) and beats
        // rows 3 and 4 (2). AUROC = 5.5 / 6.
        Assert.Equal(5.5 / 6, DetectionMetrics.Auroc(Scores, Poisoned), Tolerance);
    }

    [Fact]
    public void TheRocCurveStepsOncePerDistinctScoreAndEnclosesTheAuroc()
    {
        // 2 poisoned, 3 clean rows. From the top: 0.9 (poisoned) -> (0, 1/2); 0.8 (row 1 clean and row 2 poisoned
        // together) -> (1/3, 1); 0.3 -> (2/3, 1); 0.1 -> (1, 1).
        var curve = DetectionMetrics.RocCurve(Scores, Poisoned);
        (double, double)[] expected = [(0, 0), (0, 0.5), (1.0 / 3, 1), (2.0 / 3, 1), (1, 1)];
        Assert.Equal(expected.Length, curve.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Item1, curve[i].FalsePositiveRate, Tolerance);
            Assert.Equal(expected[i].Item2, curve[i].TruePositiveRate, Tolerance);
        }
        // The trapezoids under the corners, 0 + 1/3 * 3/4 + 2/3 * 1 = 11/12, are the tie-as-one-half AUROC, 5.5 / 6.
        double area = 0;
        for (int i = 1; i < curve.Count; i++)
            area += (curve[i].FalsePositiveRate - curve[i - 1].FalsePositiveRate) * (curve[i].TruePositiveRate + curve[i - 1].TruePositiveRate) / 2;
        Assert.Equal(DetectionMetrics.Auroc(Scores, Poisoned), area, Tolerance);
        Assert.Throws<ArgumentException>(() => DetectionMetrics.RocCurve(Scores, [false, false, false, false, false]));
    }

    [Fact]
    public void AveragePrecisionEntersTiedRowsTogether()
    {
        // Threshold 0.9: 1 of 1 flagged is poisoned, recall 1/2. Threshold 0.8: rows 1 and 2 enter together, 2 of 3
        // poisoned, recall 2/2. AP = 1/2 * 1 + 1/2 * 2/3 = 5/6.
        Assert.Equal(5 / 6.0, DetectionMetrics.AveragePrecision(Scores, Poisoned), Tolerance);
        // The same tie with the poisoned row first in row order: still 5/6, where taking rows one by one in row order
        // would give 1/2 * 1 + 1/2 * 1 = 1.
        Assert.Equal(5 / 6.0, DetectionMetrics.AveragePrecision(Scores, [true, true, false, false, false]), Tolerance);
    }

    [Fact]
    public void PrecisionRecallAndRanksAtTheTruePoisonCount()
    {
        var metrics = DetectionMetrics.Compute(Scores, Poisoned)!;
        // The top 2 are rows 0 and 1 (the tie at 0.8 goes to the earlier row): one poisoned of two.
        Assert.Equal(0.5, metrics.PrecisionAtCount, Tolerance);
        Assert.Equal(0.5, metrics.RecallAtCount, Tolerance);
        Assert.Equal([0, 2], metrics.PoisonedRows);
        Assert.Equal([1, 3], metrics.PoisonedRanks);
        Assert.Equal((5, 2), (metrics.Rows, metrics.Poisoned));
    }

    [Fact]
    public void AllTiedScoresAreChance()
    {
        float[] flat = [1, 1, 1, 1, 1];
        Assert.Equal(0.5, DetectionMetrics.Auroc(flat, Poisoned), Tolerance);
        // One threshold takes every row: precision 2/5 at recall 1.
        Assert.Equal(0.4, DetectionMetrics.AveragePrecision(flat, Poisoned), Tolerance);
    }

    [Fact]
    public void PerfectAndReversedScores()
    {
        Assert.Equal(1, DetectionMetrics.Auroc([5, 1, 4, 2, 3], Poisoned), Tolerance);
        Assert.Equal(0, DetectionMetrics.Auroc([1, 5, 2, 4, 3], Poisoned), Tolerance);
        Assert.Equal(1, DetectionMetrics.AveragePrecision([5, 1, 4, 2, 3], Poisoned), Tolerance);
    }

    [Fact]
    public void NoMetricsWithoutBothClasses()
    {
        Assert.Null(DetectionMetrics.Compute(Scores, [false, false, false, false, false]));
        Assert.Null(DetectionMetrics.Compute(Scores, [true, true, true, true, true]));
    }

    [Fact]
    public void GroundTruthFromTheColumnOrTheManifest()
    {
        CaptionRow Row(string path, bool? flag) => new(2, "/d/" + path, path, "a caption", flag);
        Assert.Equal([false, true], GroundTruth.FromColumn([Row("a.png", false), Row("p/b.png", true)])!);
        Assert.Null(GroundTruth.FromColumn([Row("a.png", null)]));

        var manifest = Path.Combine(Path.GetTempPath(), $"scan-manifest-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(manifest, """{"poisoned_rows": [{"output_row": 0, "image": "p/b.png"}]}""");
            Assert.Equal([false, true], GroundTruth.FromManifest(manifest, [Row("a.png", null), Row("p/b.png", null)]));
            var error = Assert.Throws<InvalidDataException>(() => GroundTruth.FromManifest(manifest, [Row("a.png", null)]));
            Assert.Contains("names 1 poisoned images but the table holds 0", error.Message);
        }
        finally
        {
            File.Delete(manifest);
        }
    }
}
