using System.Buffers.Binary;
using System.Numerics;

namespace CleanClip.Training.Logging;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of TFRecord framing. <see cref="BitOperations.Crc32C(uint, ulong)"/> is the raw
/// update step (SSE4.2/ARM instruction where available, a table otherwise); the standard CRC adds the
/// pre- and post-inversion, so crc32c("123456789") = 0xE3069283.
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>TFRecord stores CRCs masked, so a CRC of data that itself contains CRCs stays well distributed.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
