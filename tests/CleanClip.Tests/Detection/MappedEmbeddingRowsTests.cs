using CleanClip.Data;
using CleanClip.Detection;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Detection;

/// <summary>Reference-batch rows read from a memory-mapped embedding matrix.</summary>
public class MappedEmbeddingRowsTests
{
    [Fact]
    public void RowsAreGatheredInTheOrderAskedAndReadsAfterDisposeAreRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("e.npy");
        using (var all = torch.arange(0, 50 * 6, dtype: torch.float32).reshape(50, 6)) NpyFile.WriteFloatRows(path, 6, [all]);
        var matrix = NpyFile.MapFloatMatrix(path);
        // Out of order, repeated, first and last: row r holds 6r .. 6r + 5.
        int[] order = [49, 0, 17, 17, 3];
        using (var gathered = new MappedEmbeddingRows(matrix).Gather(order))
        {
            Assert.Equal([5L, 6L], gathered.shape);
            Assert.Equal(order.SelectMany(r => Enumerable.Range(r * 6, 6).Select(v => (float)v)), gathered.data<float>().ToArray());
        }
        Assert.Equal([102f, 103f, 104f, 105f, 106f, 107f], matrix.Row(17).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Row(50).ToArray());
        matrix.Dispose();
        Assert.Throws<ObjectDisposedException>(() => matrix.Row(0).ToArray());
    }
}
