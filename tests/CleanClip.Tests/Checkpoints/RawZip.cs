using System.Buffers.Binary;
using System.Text;

namespace CleanClip.Tests.Checkpoints;

/// <summary>
/// A stored (uncompressed) zip written byte by byte, so that an entry can declare sizes that its data does not have:
/// System.IO.Compression will not write such lies.
/// </summary>
public static class RawZip
{
    public static byte[] Build(params (string Name, byte[] Data, uint DeclaredSize)[] entries)
    {
        using var s = new MemoryStream();
        var offsets = new List<uint>();
        foreach (var (name, data, declared) in entries)
        {
            offsets.Add((uint)s.Position);
            var n = Encoding.UTF8.GetBytes(name);
            U32(s, 0x04034b50); U16(s, 20); U16(s, 0); U16(s, 0); U16(s, 0); U16(s, 0x21);
            U32(s, Crc32(data)); U32(s, declared); U32(s, declared); U16(s, (ushort)n.Length); U16(s, 0);
            s.Write(n);
            s.Write(data);
        }
        var centralStart = (uint)s.Position;
        for (int i = 0; i < entries.Length; i++)
        {
            var (name, data, declared) = entries[i];
            var n = Encoding.UTF8.GetBytes(name);
            U32(s, 0x02014b50); U16(s, 20); U16(s, 20); U16(s, 0); U16(s, 0); U16(s, 0); U16(s, 0x21);
            U32(s, Crc32(data)); U32(s, declared); U32(s, declared); U16(s, (ushort)n.Length); U16(s, 0); U16(s, 0);
            U16(s, 0); U16(s, 0); U32(s, 0); U32(s, offsets[i]);
            s.Write(n);
        }
        var centralSize = (uint)s.Position - centralStart;
        U32(s, 0x06054b50); U16(s, 0); U16(s, 0); U16(s, (ushort)entries.Length); U16(s, (ushort)entries.Length);
        U32(s, centralSize); U32(s, centralStart); U16(s, 0);
        return s.ToArray();
    }

    private static void U16(Stream s, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private static void U32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xffffffff;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
