using System.Runtime.InteropServices;
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
        // Straight from the map into the tensor's storage, one copy per row, split over LibTorch's threads.
        var gathered = torch.empty(rows.Count, Dimension, ScalarType.Float32);
        var storage = gathered.bytes;
        unsafe
        {
            fixed (byte* start = storage)
            {
                var into = (nint)start;
                int width = Dimension;
                Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = torch.get_num_threads() },
                    i => matrix.Row(rows[i]).CopyTo(new Span<float>((float*)into + (long)i * width, width)));
            }
        }
        return gathered;
    }
}
