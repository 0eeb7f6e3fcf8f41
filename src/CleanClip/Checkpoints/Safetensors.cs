using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): the project's own checkpoint
/// format, because it holds nothing but tensors and can be validated completely before any tensor is trusted.
/// </summary>
public static class Safetensors
{
    /// <summary>
    /// Reads every tensor, in file order (ascending data offset), as CPU tensors that own their memory: nothing keeps
    /// the file open or mapped afterwards, so the same path can be rewritten at once.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a complete, valid safetensors file.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = OpenForRead(path);
        var header = ReadHeader(path, stream);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in header.Entries)
            {
                var t = torch.empty(e.Shape, e.Type, torch.CPU);
                tensors.Add(e.Name, t);
                stream.Position = header.DataStart + e.Begin;
                TensorBytes.Fill(t, stream);
            }
            return tensors;
        }
        catch (Exception e)
        {
            foreach (var t in tensors.Values) t.Dispose();
            if (e is EndOfStreamException or IOException)
                throw new CheckpointFormatException(path, $"reading tensor data failed: {e.Message}", e);
            throw;
        }
    }

    /// <summary>The "__metadata__" string map of the header (empty when there is none); reads no tensor data.</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var stream = OpenForRead(path);
        return ReadHeader(path, stream).Metadata;
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> in the dictionary's enumeration order (header and data alike: unlike the
    /// Python writer, which sorts by dtype and name, so that <see cref="Read"/> gives back the same order).
    /// Tensors on other devices or non-contiguous ones are copied to contiguous CPU memory one at a time.
    /// The file appears atomically: a failure at any point leaves an existing file at <paramref name="path"/> as it was.
    /// </summary>
    /// <exception cref="ArgumentException">A name is "__metadata__", or a tensor's dtype has no safetensors code
    /// (complex, unsigned 16/32/64-bit, float8...); checked before anything is written.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var items = tensors.ToList();
        var entries = new List<SafetensorsEntry>(items.Count);
        long offset = 0;
        foreach (var (name, t) in items)
        {
            if (name == SafetensorsHeader.MetadataKey)
                throw new ArgumentException($"'{name}' is reserved by the safetensors format", nameof(tensors));
            if (t is null || t.IsInvalid)
                throw new ArgumentException($"tensor '{name}' is null or disposed", nameof(tensors));
            if (!TensorDtypes.TryToSafetensors(t.dtype, out _))
                throw new ArgumentException(
                    $"tensor '{name}' has dtype {t.dtype}, which safetensors cannot hold " +
                    $"(supported: {TensorDtypes.SupportedSafetensorsNames})", nameof(tensors));
            long bytes = TensorBytes.ByteCount(t);
            entries.Add(new SafetensorsEntry(name, t.dtype, t.shape, offset, offset + bytes));
            offset += bytes;
        }
        var header = SafetensorsHeader.Build(entries, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, t) in items) WriteData(t, stream);
        });
    }

    private static void WriteData(Tensor t, Stream stream)
    {
        using var cpu = t.device_type == DeviceType.CPU ? null : t.cpu();
        var source = cpu ?? t;
        using var contiguous = source.is_contiguous() ? null : source.contiguous();
        TensorBytes.Write(contiguous ?? source, stream);
    }

    private static FileStream OpenForRead(string path)
    {
        CheckpointFiles.EnsureReadableFile(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static SafetensorsHeader.Parsed ReadHeader(string path, FileStream stream)
    {
        try
        {
            return SafetensorsHeader.Read(stream, stream.Length);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(path, $"not a valid safetensors file: {e.Message}", e);
        }
    }
}
