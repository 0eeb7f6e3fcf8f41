using CleanClip.Data;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Data;

/// <summary>Streamed float32 matrices: written batch by batch with the header last, read back whole and row by row from a memory map.</summary>
public class NpyMatrixTests
{
    [Fact]
    public void StreamedRowsReadBackWholeAndMapped()
    {
        using var dir = new TempDir();
        var path = dir.File("m.npy");
        using var all = torch.arange(0, 7 * 3, dtype: torch.float32).reshape(7, 3);
        long rows = NpyFile.WriteFloatRows(path, 3, [all.narrow(0, 0, 4), all.narrow(0, 4, 3)]);
        Assert.Equal(7, rows);
        // The header is written into the 128 bytes kept for it, so the data starts there, as numpy.load expects.
        Assert.Equal(128 + 7 * 3 * 4, new FileInfo(path).Length);
        using (var read = NpyFile.Read(path)) Assert.Equal(all.data<float>().ToArray(), read.data<float>().ToArray());

        using var mapped = NpyFile.MapFloatMatrix(path);
        Assert.Equal((7L, 3), (mapped.Rows, mapped.Width));
        var row = new float[3];
        mapped.CopyRow(5, row, 0);
        Assert.Equal([15f, 16f, 17f], row);
        Assert.Throws<ArgumentOutOfRangeException>(() => mapped.CopyRow(7, row, 0));
    }

    [Fact]
    public void AFailedStreamLeavesNoFile()
    {
        using var dir = new TempDir();
        var path = dir.File("m.npy");
        IEnumerable<torch.Tensor> Failing()
        {
            yield return torch.zeros(2, 3);
            throw new IOException("disk gone");
        }
        Assert.Throws<IOException>(() => NpyFile.WriteFloatRows(path, 3, Failing()));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AMatrixShorterThanItsHeaderIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("m.npy");
        using (var m = torch.zeros(4, 2)) NpyFile.WriteFloatRows(path, 2, [m]);
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 4);
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.MapFloatMatrix(path));
        Assert.Contains("a (4, 2) float32 matrix needs", error.Message);
    }
}
