using CleanClip.Detection;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Detection;

/// <summary>
/// k-distance, SLOF and DAO on six points in 2-D with k = 2, every value derived by hand below, and a planted-outlier
/// property over several reference batches.
/// </summary>
public class LocalOutlierScoresTests
{
    // A(0,0) B(1,0) C(0,2) D(3,0) E(0,6) F(8,8). Distances to the other points, ascending:
    //   A: B 1, C 2, D 3, E 6, F sqrt128          -> d2 = 2,        N2 = {B, C}
    //   B: A 1, D 2, C sqrt5, E sqrt37, F sqrt113 -> d2 = 2,        N2 = {A, D}
    //   C: A 2, B sqrt5, D sqrt13, E 4, F 10      -> d2 = sqrt5,    N2 = {A, B}
    //   D: B 2, A 3, C sqrt13, E sqrt45, F sqrt89 -> d2 = 3,        N2 = {B, A}
    //   E: C 4, A 6, B sqrt37, D sqrt45, F sqrt68 -> d2 = 6,        N2 = {C, A}
    //   F: E sqrt68, D sqrt89, C 10, ...          -> d2 = sqrt89,   N2 = {E, D}
    // No tie straddles the second neighbour, so every N2 is unambiguous.
    private static readonly float[,] Points = { { 0, 0 }, { 1, 0 }, { 0, 2 }, { 3, 0 }, { 0, 6 }, { 8, 8 } };
    private const int K = 2;

    // float32 distances from a matrix product carry rounding of about 1e-6 relative; 1e-4 leaves room for the
    // logarithms and ratios built on them without hiding a wrong neighbour (which would move a value by > 0.05).
    private const double Tolerance = 1e-4;

    private static double[] Scores(Func<Neighbourhoods, int, Tensor> score)
    {
        using var points = torch.tensor(Points);
        using var neighbourhoods = Neighbourhoods.Of(points, K);
        using var result = score(neighbourhoods, K);
        return result.to(ScalarType.Float64).data<double>().ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"point {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void KDistanceIsTheDistanceToTheKthNearestOtherPoint() =>
        AssertClose([2, 2, Math.Sqrt(5), 3, 6, Math.Sqrt(89)], Scores(LocalOutlierScores.KDistance));

    [Fact]
    public void SlofIsTheMeanRatioOfOwnToNeighboursKDistance()
    {
        double s5 = Math.Sqrt(5), s89 = Math.Sqrt(89);
        // A: (2/2 + 2/s5)/2;  B: (2/2 + 2/3)/2;  C: (s5/2 + s5/2)/2 = s5/2;  D: (3/2 + 3/2)/2 = 3/2;
        // E: (6/s5 + 6/2)/2;  F: (s89/6 + s89/3)/2 = s89/4.
        AssertClose([(1 + 2 / s5) / 2, (1 + 2 / 3.0) / 2, s5 / 2, 1.5, (6 / s5 + 3) / 2, s89 / 4],
            Scores(LocalOutlierScores.Slof));
    }

    [Fact]
    public void LidIsTheMaximumLikelihoodEstimateFromTheKNearestDistances()
    {
        // LID = k / sum_i ln(d2 / d_i), the i = 2 term zero: A 2/ln(2/1), B 2/ln(2/1), C 2/ln(s5/2), D 2/ln(3/2),
        // E 2/ln(6/4), F 2/ln(s89/s68).
        double s5 = Math.Sqrt(5), s89 = Math.Sqrt(89), s68 = Math.Sqrt(68);
        AssertClose([2 / Math.Log(2), 2 / Math.Log(2), 2 / Math.Log(s5 / 2), 2 / Math.Log(1.5), 2 / Math.Log(1.5), 2 / Math.Log(s89 / s68)],
            Scores(LocalOutlierScores.Lid));
    }

    [Fact]
    public void DaoIsTheMeanOfNeighbourLidTimesLogKDistanceRatio()
    {
        double s5 = Math.Sqrt(5), s89 = Math.Sqrt(89);
        double lidA = 2 / Math.Log(2), lidB = lidA, lidC = 2 / Math.Log(s5 / 2), lidD = 2 / Math.Log(1.5), lidE = lidD;
        // A: (lidB ln(2/2) + lidC ln(2/s5))/2 = (0 - 2)/2 = -1, since lidC = 2/ln(s5/2) = -2/ln(2/s5).
        // B: (lidA ln(2/2) + lidD ln(2/3))/2 = (0 - 2)/2 = -1, likewise.
        // C: (lidA ln(s5/2) + lidB ln(s5/2))/2 = lidA ln(s5/2).
        // D: (lidB ln(3/2) + lidA ln(3/2))/2 = lidA ln(3/2).
        // E: (lidC ln(6/s5) + lidA ln(6/2))/2.
        // F: (lidE ln(s89/6) + lidD ln(s89/3))/2 = lidD (ln(s89/6) + ln(s89/3))/2.
        AssertClose(
        [
            -1, -1, lidA * Math.Log(s5 / 2), lidA * Math.Log(1.5),
            (lidC * Math.Log(6 / s5) + lidA * Math.Log(3)) / 2,
            (lidE * Math.Log(s89 / 6) + lidD * Math.Log(s89 / 3)) / 2,
        ], Scores(LocalOutlierScores.Dao));
    }

    [Fact]
    public void NeighbourhoodsNeverContainThePointItself()
    {
        using var points = torch.tensor(Points);
        using var neighbourhoods = Neighbourhoods.Of(points, 5);
        var indices = neighbourhoods.Indices.data<long>().ToArray();
        for (int i = 0; i < 6; i++)
            Assert.DoesNotContain((long)i, indices.Skip(5 * i).Take(5));
        // The caller's points stay alive: only what Of made inside its dispose scope is freed.
        Assert.Equal(Points.Cast<float>().Sum(), points.sum().item<float>());
    }

    [Fact]
    public void KMustBeSmallerThanTheBatch()
    {
        using var points = torch.tensor(Points);
        var error = Assert.Throws<ArgumentException>(() => Neighbourhoods.Of(points, 6));
        Assert.Contains("k = 6", error.Message);
    }

    [Theory]
    [InlineData(Detector.KDistance)]
    [InlineData(Detector.Slof)]
    [InlineData(Detector.Dao)]
    [InlineData(Detector.MultiK)]
    public void PlantedFarAwayPointsGetTheTopScores(Detector detector)
    {
        // 997 standard-normal points in 8-D and three points at distance 40 from the origin and from each other
        // (about 57 apart): each planted point's neighbourhood lies in the far-away cloud, so its k-distance is about
        // 40 against about 2-3 for a cloud point, and its neighbours' are not.
        const int n = 1000, dim = 8;
        var random = new SplitMix64(7);
        var data = new float[n, dim];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++)
                data[i, j] = (float)random.NextGaussian();
        int[] planted = [10, 500, 999];
        for (int p = 0; p < planted.Length; p++)
            for (int j = 0; j < dim; j++)
                data[planted[p], j] = j == p ? 40 : 0;
        using var all = torch.tensor(data);
        var scores = ScanScorer.Score(new TensorRows(all), new ScanSettings { K = 16, ReferenceBatch = 256, Seed = 3, Detectors = [detector] });
        Assert.Equal(3, scores.Batches);
        var top = Ranking.Descending(scores.ByDetector[detector]).Take(3).Order().ToArray();
        Assert.Equal(planted, top);
    }
}
