using CleanClip.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>Embedding rows read from a memory-mapped float32 .npy matrix.</summary>
public sealed class MappedEmbeddingRows(MappedFloatMatrix matrix) : IEmbeddingRows
{
    public int Count => checked((int)matrix.Rows);
    public int Dimension => matrix.Width;

    public Tensor Gather(IReadOnlyList<int> rows)
    {
        var values = new float[rows.Count * Dimension];
        for (int i = 0; i < rows.Count; i++) matrix.CopyRow(rows[i], values, i * Dimension);
        return torch.tensor(values, [rows.Count, Dimension]);
    }
}
