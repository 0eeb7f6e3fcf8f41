using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// How much the scanned model's neighbourhood of a point disagrees with a trusted model's view of the same images.
/// A model trained on poisoned pairs pulls the triggered images together (and towards the target's images) whatever
/// they show; a trusted model that never learned the trigger (one trained on other data, such as a public CLIP)
/// sees each of them as what it shows. With N_k(x) the k nearest neighbours of x among the batch in the scanned
/// model's embeddings and M_k(x) those in the trusted model's, and δ the trusted model's Euclidean distance:
/// <code>score(x) = mean over o in N_k(x) of δ(x, o) / mean over o in M_k(x) of δ(x, o)</code>
/// The denominator is the smallest the numerator can be, so the score is at least 1, equal to 1 where both models
/// agree on x's neighbours, and large where the scanned model groups x with images the trusted model finds unlike it.
/// It makes no assumption about how many poisoned points share a batch, unlike the density-ratio scores.
/// </summary>
public static class CrossModelDisagreement
{
    /// <param name="scanned">The scanned model's neighbourhoods of one reference batch, at least k wide.</param>
    /// <param name="trustedPoints">[n, D'] the trusted model's embeddings of the same rows, in the same order.</param>
    /// <returns>[n] the score of every point of the batch.</returns>
    public static Tensor Score(Neighbourhoods scanned, Tensor trustedPoints, int k)
    {
        if (k < 1 || k > scanned.MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be in [1, {scanned.MaxK}] (the neighbours computed)");
        if (trustedPoints.dim() != 2 || trustedPoints.shape[0] != scanned.Count)
            throw new ArgumentException($"the trusted model's embeddings must be [{scanned.Count}, D], got [{string.Join(", ", trustedPoints.shape)}]");
        using var scope = torch.NewDisposeScope();
        // Square roots of the k chosen entries only, not of the whole [n, n] matrix.
        var squared = Neighbourhoods.SquaredDistances(trustedPoints);
        var ownNearest = squared.topk(k, dim: 1, largest: false, sorted: false).values.sqrt_().mean([1]).clamp_min_(Neighbourhoods.DistanceFloor);
        var viaScanned = squared.gather(1, scanned.Indices.narrow(1, 0, k)).sqrt_().mean([1]);
        return (viaScanned / ownNearest).MoveToOuterDisposeScope();
    }
}
