using System.Buffers.Binary;
using System.IO.Compression;

namespace CleanClip.Data;

/// <summary>
/// An unsigned-byte array in the idx format of MNIST and Fashion-MNIST (<c>train-images-idx3-ubyte</c>, optionally
/// gzipped as <c>*.gz</c>): two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions, then
/// each dimension as a big-endian int32, then the elements in row-major order. Only unsigned bytes are read, as every
/// file of these datasets holds them.
/// </summary>
public sealed record IdxFile(IReadOnlyList<int> Shape, byte[] Data)
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads <paramref name="path"/> (gzip when it ends in .gz) and checks it has <paramref name="dimensions"/> dimensions.</summary>
    /// <exception cref="InvalidDataException">Not an idx file of unsigned bytes with that many dimensions, or its
    /// length disagrees with its header; the message names the file and what was expected.</exception>
    public static IdxFile Read(string path, int dimensions)
    {
        using var file = File.OpenRead(path);
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return Read(stream, path, dimensions, gzip ? null : file.Length);
        }
        catch (InvalidDataException e) when (gzip && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors (bad gzip header, corrupt deflate data) do not name the file.
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message})", e);
        }
    }

    /// <param name="length">The stream's length when known (a plain file), so a short file is refused before reading it.</param>
    private static IdxFile Read(Stream stream, string path, int dimensions, long? length)
    {
        var header = new byte[4];
        if (ReadFully(stream, header) < 4)
            throw new InvalidDataException($"{path}: too short for an idx header (expected 4 magic bytes 00 00 08 {dimensions:x2})");
        if (header[0] != 0 || header[1] != 0)
            throw new InvalidDataException($"{path}: not an idx file: magic starts {header[0]:x2} {header[1]:x2}, expected 00 00");
        if (header[2] != UnsignedByte)
            throw new InvalidDataException($"{path}: idx element type 0x{header[2]:x2}, expected 0x08 (unsigned byte)");
        if (header[3] != dimensions)
            throw new InvalidDataException($"{path}: idx file with {header[3]} dimension(s), expected {dimensions}");
        var sizes = new byte[4 * dimensions];
        if (ReadFully(stream, sizes) < sizes.Length)
            throw new InvalidDataException($"{path}: too short for the {dimensions} dimension sizes of its idx header");
        var shape = new int[dimensions];
        long count = 1;
        for (int d = 0; d < dimensions; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * d));
            if (shape[d] < 0) throw new InvalidDataException($"{path}: idx dimension {d} is {shape[d]}, expected a size >= 0");
            count *= shape[d];
            if (count > Array.MaxLength)
                throw new InvalidDataException($"{path}: idx header claims {string.Join(" x ", shape.Take(d + 1))} bytes, more than one array can hold");
        }
        long headerBytes = 4 + sizes.Length;
        string Shape() => string.Join(" x ", shape);
        if (length is { } total && total - headerBytes != count)
            throw new InvalidDataException(
                $"{path}: idx header says {Shape()} = {count} bytes of data, but the file holds {total - headerBytes} after its {headerBytes}-byte header");
        // A compressed file's length is known only by reading it: the buffer grows with the data actually there, so a
        // lying header cannot make us allocate more than the file holds.
        using var data = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while (data.Length <= count && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, count + 1 - data.Length))) > 0)
            data.Write(chunk, 0, read);
        if (data.Length != count)
            throw new InvalidDataException(
                $"{path}: idx header says {Shape()} = {count} bytes of data, but the file holds {(data.Length > count ? "more" : data.Length.ToString())} after its {headerBytes}-byte header");
        return new IdxFile(shape, data.ToArray());
    }

    private static int ReadFully(Stream stream, byte[] buffer)
    {
        int total = 0, read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        return total;
    }
}
