using System.Buffers.Binary;

namespace CleanClip.Training.Logging;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: uint64 LE length, masked CRC-32C of those 8 bytes,
/// the data, masked CRC-32C of the data.
/// </summary>
public static class TfRecord
{
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>
    /// Every record of a file, both CRCs checked. A damaged record is an error naming the file and byte offset; a
    /// torn record at the very end (a writer that was killed, or is still writing) ends the sequence.
    /// </summary>
    public static IEnumerable<byte[]> ReadAll(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 12) yield break;
            var header = bytes.AsSpan((int)offset, 12);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != Crc32C.Masked(header[..8]))
                throw new InvalidDataException($"{path}: byte {offset}: TFRecord length CRC mismatch");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if ((ulong)(bytes.Length - offset - 12) < length + 4) yield break;
            var data = bytes.AsSpan((int)offset + 12, (int)length);
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)(offset + 12 + (long)length), 4));
            if (stored != Crc32C.Masked(data))
                throw new InvalidDataException($"{path}: byte {offset}: TFRecord data CRC mismatch");
            yield return data.ToArray();
            offset += 12 + (long)length + 4;
        }
    }
}
