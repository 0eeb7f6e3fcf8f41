using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// The density-ratio scores of Huang et al. (ICLR 2025, "Detecting Backdoor Samples in Contrastive Language Image
/// Pretraining"), higher meaning more likely a backdoor sample, all computed inside one reference batch. With
/// d_k(x) the distance from x to its k-th nearest other point and N_k(x) those k nearest points:
/// <list type="bullet">
/// <item>k-distance: d_k(x).</item>
/// <item>SLOF (simplified local outlier factor): the mean over o in N_k(x) of d_k(x) / d_k(o).</item>
/// <item>DAO (dimensionality-aware outlier score): the mean over o in N_k(x) of LID(o) * ln(d_k(x) / d_k(o)),
/// where LID(o) = k / sum_{i=1..k} ln(d_k(o) / d_i(o)) is the maximum-likelihood local intrinsic dimensionality of o
/// (the i = k term is zero). This is the logarithm form of DAO's (d_k(x)/d_k(o))^LID(o) that the paper's code scores
/// with, which stays finite where the power overflows.</item>
/// </list>
/// </summary>
public static class LocalOutlierScores
{
    /// <summary>Smallest sum of log-distance ratios in the LID estimate; equal distances would otherwise divide by zero.</summary>
    private const double LogSumFloor = 1e-6;

    /// <summary>[n]: d_k of every point of the batch.</summary>
    public static Tensor KDistance(Neighbourhoods neighbourhoods, int k)
    {
        Check(neighbourhoods, k);
        return neighbourhoods.Distances.select(1, k - 1).clone();
    }

    /// <summary>[n]: SLOF of every point of the batch.</summary>
    public static Tensor Slof(Neighbourhoods neighbourhoods, int k)
    {
        Check(neighbourhoods, k);
        using var scope = torch.NewDisposeScope();
        var (own, theirs) = OwnAndNeighbours(neighbourhoods, k, KDistanceOfAll(neighbourhoods, k));
        return (own.unsqueeze(1) / theirs).mean([1]).MoveToOuterDisposeScope();
    }

    /// <summary>[n]: DAO of every point of the batch.</summary>
    public static Tensor Dao(Neighbourhoods neighbourhoods, int k)
    {
        Check(neighbourhoods, k);
        using var scope = torch.NewDisposeScope();
        var kDistance = KDistanceOfAll(neighbourhoods, k);
        var (own, theirs) = OwnAndNeighbours(neighbourhoods, k, kDistance);
        var lid = Lid(neighbourhoods, k);
        var neighbourLid = lid.take(Nearest(neighbourhoods.Indices, k));
        return (neighbourLid * (own.unsqueeze(1) / theirs).log()).mean([1]).MoveToOuterDisposeScope();
    }

    /// <summary>[n]: the maximum-likelihood LID estimate from each point's k nearest distances.</summary>
    public static Tensor Lid(Neighbourhoods neighbourhoods, int k)
    {
        Check(neighbourhoods, k);
        using var scope = torch.NewDisposeScope();
        var nearest = Nearest(neighbourhoods.Distances, k);
        var logSum = (nearest.narrow(1, k - 1, 1) / nearest).log().sum(1).clamp_min(LogSumFloor);
        return (k / logSum).MoveToOuterDisposeScope();
    }

    private static Tensor KDistanceOfAll(Neighbourhoods neighbourhoods, int k) => neighbourhoods.Distances.select(1, k - 1);

    /// <summary>Each point's d_k [n] and the d_k of its k neighbours [n, k].</summary>
    private static (Tensor Own, Tensor Neighbours) OwnAndNeighbours(Neighbourhoods neighbourhoods, int k, Tensor kDistance) =>
        (kDistance, kDistance.take(Nearest(neighbourhoods.Indices, k)));

    /// <summary>The first k columns: the k nearest neighbours.</summary>
    private static Tensor Nearest(Tensor columns, int k) => columns.narrow(1, 0, k);

    private static void Check(Neighbourhoods neighbourhoods, int k)
    {
        if (k < 1 || k > neighbourhoods.MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be in [1, {neighbourhoods.MaxK}] (the neighbours computed)");
    }
}
