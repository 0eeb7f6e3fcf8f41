using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// Each pair's image and text embeddings side by side, [image_i, text_{textRow(i)}] / √2: for unit embeddings a unit
/// vector whose squared distances are the mean of the two sides' squared distances.
/// </summary>
/// <param name="textRows">For each image row, the text matrix's row of the same pair.</param>
public sealed class JointEmbeddingRows(IEmbeddingRows images, IEmbeddingRows texts, IReadOnlyList<int> textRows) : IEmbeddingRows
{
    public int Count => images.Count;
    public int Dimension => images.Dimension + texts.Dimension;

    public Tensor Gather(IReadOnlyList<int> rows)
    {
        using var scope = NewDisposeScope();
        var joint = torch.cat([images.Gather(rows), new RowsAt(texts, textRows).Gather(rows)], 1) / Math.Sqrt(2);
        return joint.MoveToOuterDisposeScope();
    }
}
