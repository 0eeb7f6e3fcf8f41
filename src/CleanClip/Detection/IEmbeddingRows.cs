using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>Rows of an [N, D] float32 embedding matrix, read a few at a time so the whole matrix need not be in memory.</summary>
public interface IEmbeddingRows
{
    int Count { get; }
    int Dimension { get; }
    /// <summary>The listed rows, in order, as a new [rows, D] float32 CPU tensor.</summary>
    Tensor Gather(IReadOnlyList<int> rows);
}

/// <summary>Rows of a tensor already in memory.</summary>
public sealed class TensorRows : IEmbeddingRows
{
    private readonly Tensor _all;

    /// <param name="all">[N, D]; not owned, it must outlive this object.</param>
    public TensorRows(Tensor all)
    {
        if (all.dim() != 2) throw new ArgumentException($"embeddings must be [N, D], got [{string.Join(", ", all.shape)}]");
        _all = all;
    }

    public int Count => (int)_all.shape[0];
    public int Dimension => (int)_all.shape[1];

    public Tensor Gather(IReadOnlyList<int> rows)
    {
        using var index = torch.tensor(rows.Select(r => (long)r).ToArray());
        return _all.index_select(0, index).to(ScalarType.Float32);
    }
}

/// <summary>Rows of another set, renumbered: row i here is row <c>at[i]</c> there.</summary>
public sealed class RowsAt(IEmbeddingRows rows, IReadOnlyList<int> at) : IEmbeddingRows
{
    public int Count => at.Count;
    public int Dimension => rows.Dimension;

    public Tensor Gather(IReadOnlyList<int> which) => rows.Gather(which.Select(i => at[i]).ToList());
}
