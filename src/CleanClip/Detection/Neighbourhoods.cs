using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// The nearest neighbours of every point of one reference batch among the other points of the same batch: Euclidean
/// distances in ascending order and the neighbours' positions in the batch. A point is never its own neighbour.
/// </summary>
public sealed class Neighbourhoods : IDisposable
{
    /// <summary>
    /// Distances below this are taken as this value, so duplicate points give finite distance ratios; float32
    /// distances of near-identical unit vectors carry rounding noise far above it anyway.
    /// </summary>
    public const float DistanceFloor = 1e-6f;

    /// <summary>[n, K] float32, row i ascending: distances from point i to its K nearest other points.</summary>
    public Tensor Distances { get; }
    /// <summary>[n, K] int64: positions in the batch of those neighbours.</summary>
    public Tensor Indices { get; }
    public int Count => (int)Distances.shape[0];
    public int MaxK => (int)Distances.shape[1];

    private Neighbourhoods(Tensor distances, Tensor indices) => (Distances, Indices) = (distances, indices);

    /// <summary>The <paramref name="maxK"/> nearest other points of each row of <paramref name="points"/> [n, D].</summary>
    public static Neighbourhoods Of(Tensor points, int maxK)
    {
        using var scope = torch.NewDisposeScope();
        var d2 = SquaredDistances(points);
        long n = points.shape[0];
        if (maxK < 1 || maxK >= n) throw new ArgumentException($"k = {maxK} needs more than {maxK} points in a reference batch, got {n}");
        var (values, indices) = d2.topk(maxK, dim: 1, largest: false, sorted: true);
        var distances = values.sqrt_().clamp_min_(DistanceFloor);
        return new Neighbourhoods(distances.MoveToOuterDisposeScope(), indices.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// [n, n] float32 squared Euclidean distances between the rows of <paramref name="points"/> [n, D], +∞ on the
    /// diagonal so that no point is its own neighbour.
    /// </summary>
    public static Tensor SquaredDistances(Tensor points)
    {
        if (points.dim() != 2) throw new ArgumentException($"points must be [n, D], got [{string.Join(", ", points.shape)}]");
        using var scope = torch.NewDisposeScope();
        var x = points.to(ScalarType.Float32);
        // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, one matrix product per batch; clamped because rounding can make it negative.
        var squared = x.pow(2).sum(1);
        var d2 = torch.addmm(squared.unsqueeze(1) + squared.unsqueeze(0), x, x.t(), beta: 1, alpha: -2).clamp_min_(0);
        d2.diagonal().fill_(double.PositiveInfinity);
        return d2.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Distances.Dispose();
        Indices.Dispose();
    }
}
