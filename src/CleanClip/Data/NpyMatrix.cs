using System.IO.MemoryMappedFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data;

public static partial class NpyFile
{
    /// <summary>Room for the header of any float32 [rows, width] matrix whose row count is not known until the end.</summary>
    private const int StreamedPreamble = 128;

    /// <summary>
    /// Writes a float32 [rows, <paramref name="width"/>] .npy from row batches as they come, so the whole matrix is
    /// never in memory; the header, whose row count is known only at the end, is written last into room kept for it.
    /// Atomic: until the last batch is written nothing appears at <paramref name="path"/>.
    /// </summary>
    /// <returns>The number of rows written.</returns>
    public static long WriteFloatRows(string path, int width, IEnumerable<Tensor> batches)
    {
        long rows = 0;
        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[StreamedPreamble]);
            foreach (var batch in batches)
            {
                if (batch.dim() != 2 || batch.shape[1] != width)
                    throw new ArgumentException($"npy: a batch of shape [{string.Join(", ", batch.shape)}] in a matrix {width} wide");
                using var cpu = batch.detach().to(ScalarType.Float32).cpu().contiguous();
                stream.Write(cpu.bytes);
                rows += cpu.shape[0];
            }
            var preamble = Preamble("<f4", [rows, width], StreamedPreamble);
            if (preamble.Length != StreamedPreamble) throw new InvalidOperationException($"npy: a header of {preamble.Length} bytes does not fit the {StreamedPreamble} kept");
            stream.Seek(0, SeekOrigin.Begin);
            stream.Write(preamble);
        });
        return rows;
    }

    /// <summary>A float32 [rows, width] .npy opened as a memory-mapped file, for reading rows without loading it.</summary>
    /// <exception cref="InvalidDataException">Not a .npy file, not float32, not 2-D, or shorter than its header says.</exception>
    public static MappedFloatMatrix MapFloatMatrix(string path)
    {
        var head = new byte[Math.Min(new FileInfo(path).Length, 4096)];
        using (var stream = File.OpenRead(path)) stream.ReadExactly(head);
        var (type, shape, offset) = ParseHeader(head, path);
        if (type.Type != ScalarType.Float32 || shape.Length != 2)
            throw new InvalidDataException($"{path}: expected a float32 [rows, width] matrix, found {type.Descr} of shape ({string.Join(", ", shape)})");
        long expected = offset + shape[0] * shape[1] * sizeof(float);
        long actual = new FileInfo(path).Length;
        if (actual != expected) throw new InvalidDataException($"{path}: {actual} bytes, but a ({shape[0]}, {shape[1]}) float32 matrix needs {expected}");
        return new MappedFloatMatrix(path, shape[0], (int)shape[1], offset);
    }
}

/// <summary>Rows of a float32 matrix in a memory-mapped .npy file; the operating system pages them in on demand.</summary>
public sealed unsafe class MappedFloatMatrix : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    /// <summary>The first byte of row 0, held from construction to <see cref="Dispose"/>.</summary>
    private readonly byte* _data;
    private bool _disposed;

    public long Rows { get; }
    public int Width { get; }

    internal MappedFloatMatrix(string path, long rows, int width, long offset)
    {
        (Rows, Width) = (rows, width);
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _data = start + _view.PointerOffset + offset;
    }

    /// <summary>Row <paramref name="row"/>, <see cref="Width"/> floats read in place; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<float> Row(long row)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((ulong)row, (ulong)Rows, nameof(row));
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ReadOnlySpan<float>(_data + row * Width * sizeof(float), Width);
    }

    /// <summary>Copies row <paramref name="row"/> into <paramref name="into"/>, which holds <see cref="Width"/> floats.</summary>
    public void CopyRow(long row, float[] into, int start) => Row(row).CopyTo(into.AsSpan(start, Width));

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
