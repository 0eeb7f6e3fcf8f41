using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data;

/// <summary>
/// NumPy's .npy format (version 1.0, little-endian, C order) for float32, float64, int64 and int32 tensors: the
/// exchange format for embeddings, readable with <c>numpy.load</c>.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly (string Descr, ScalarType Type, int Size)[] Types =
    [
        ("<f4", ScalarType.Float32, 4), ("<f8", ScalarType.Float64, 8), ("<i8", ScalarType.Int64, 8), ("<i4", ScalarType.Int32, 4),
    ];

    /// <summary>Writes the tensor atomically (temporary file, then rename).</summary>
    public static void Write(string path, Tensor tensor)
    {
        var type = Types.FirstOrDefault(t => t.Type == tensor.dtype);
        if (type.Descr is null) throw new ArgumentException($"npy: unsupported dtype {tensor.dtype}");
        using var cpu = tensor.detach().cpu().contiguous();
        var preamble = Preamble(type.Descr, cpu.shape);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(preamble);
            stream.Write(cpu.bytes);
        });
    }

    public static Tensor Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var (type, shape, start) = ParseHeader(data, path);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (data.Length - start != count * type.Size)
            throw new InvalidDataException($"{path}: expected {count * type.Size} data bytes for shape ({string.Join(",", shape)}), found {data.Length - start}");
        var result = torch.empty(shape, type.Type);
        data.AsSpan(start).CopyTo(result.bytes);
        return result;
    }

    /// <summary>
    /// Magic, version 1.0, header length and the header for an array of <paramref name="shape"/>, padded with spaces so
    /// the data starts at a multiple of 64 bytes and at no less than <paramref name="minimumLength"/>.
    /// </summary>
    internal static byte[] Preamble(string descr, long[] shape, int minimumLength = 0)
    {
        string dims = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        int total = Math.Max(Magic.Length + 4 + header.Length + 1, minimumLength);
        header = header.PadRight(total - Magic.Length - 4 + (64 - total % 64) % 64 - 1) + "\n";
        return [.. Magic, 1, 0, .. BitConverter.GetBytes((ushort)header.Length), .. Encoding.ASCII.GetBytes(header)];
    }

    /// <summary>The dtype, shape and data offset of the .npy file whose first bytes are <paramref name="data"/>.</summary>
    internal static ((string Descr, ScalarType Type, int Size) Type, long[] Shape, int DataOffset) ParseHeader(byte[] data, string path)
    {
        if (data.Length < 10 || !data.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (bad magic)");
        int major = data[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(data, 8) : (int)BitConverter.ToUInt32(data, 8);
        int offset = major == 1 ? 10 : 12;
        if (offset + headerLength > data.Length) throw new InvalidDataException($"{path}: truncated .npy header");
        var header = Encoding.ASCII.GetString(data, offset, headerLength);
        var match = HeaderPattern().Match(header);
        if (!match.Success) throw new InvalidDataException($"{path}: unsupported .npy header {header.Trim()}");
        if (match.Groups["fortran"].Value == "True") throw new InvalidDataException($"{path}: Fortran-order arrays are not supported");
        var type = Types.FirstOrDefault(t => t.Descr == match.Groups["descr"].Value);
        if (type.Descr is null) throw new InvalidDataException($"{path}: unsupported dtype {match.Groups["descr"].Value}");
        long[] shape = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        return (type, shape, offset + headerLength);
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<shape>[^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();
}
