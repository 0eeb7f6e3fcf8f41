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
        string shape = cpu.shape.Length switch
        {
            0 => "()",
            1 => $"({cpu.shape[0]},)",
            _ => "(" + string.Join(", ", cpu.shape) + ")",
        };
        string header = $"{{'descr': '{type.Descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = Magic.Length + 4 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";

        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(cpu.bytes);
        });
    }

    public static Tensor Read(string path)
    {
        var data = File.ReadAllBytes(path);
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
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int start = offset + headerLength;
        if (data.Length - start != count * type.Size)
            throw new InvalidDataException($"{path}: expected {count * type.Size} data bytes for shape ({string.Join(",", shape)}), found {data.Length - start}");
        var result = torch.empty(shape, type.Type);
        data.AsSpan(start).CopyTo(result.bytes);
        return result;
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<shape>[^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();
}
