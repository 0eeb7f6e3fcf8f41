using System.Buffers.Binary;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): the project's own checkpoint
/// format, because it holds nothing but tensors and can be validated completely before any tensor is trusted.
/// Files written here carry the SHA-256 of their data section in the metadata (<see cref="ContentHashKey"/>), which
/// every read checks, so a file whose tensor bytes changed on disk is refused instead of loaded.
/// </summary>
public static class Safetensors
{
    /// <summary>Metadata key holding the lowercase hex SHA-256 of the data section (every tensor's bytes, in file order).</summary>
    public const string ContentHashKey = "cleanclip.sha256";

    /// <summary>
    /// Reads every tensor, in file order (ascending data offset), as CPU tensors that own their memory: nothing keeps
    /// the file open or mapped afterwards, so the same path can be rewritten at once.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a complete, valid safetensors file, or its data
    /// does not match its <see cref="ContentHashKey"/>.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = OpenForRead(path);
        var header = ReadHeader(path, stream);
        var tensors = new Dictionary<string, Tensor>();
        // Files without a stored hash (other tools' files) are read without hashing: there is nothing to compare with.
        using var hash = header.Metadata.ContainsKey(ContentHashKey) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        try
        {
            foreach (var e in header.Entries)
            {
                var t = torch.empty(e.Shape, e.Type, torch.CPU);
                tensors.Add(e.Name, t);
                stream.Position = header.DataStart + e.Begin;
                TensorBytes.Fill(t, stream);
                if (hash is not null) TensorBytes.Hash(t, hash);
            }
            if (hash is not null) CheckContentHash(path, header.Metadata, hash);
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

    /// <summary>
    /// Reads the data section and checks it against the file's <see cref="ContentHashKey"/> without building any
    /// tensor. Returns false when the file carries no hash (written by another tool, or before CleanClip stored one),
    /// so its data could not be verified.
    /// </summary>
    /// <exception cref="CheckpointFormatException">Not a valid safetensors file, or the data does not match its hash.</exception>
    public static bool VerifyContent(string path)
    {
        using var stream = OpenForRead(path);
        var header = ReadHeader(path, stream);
        if (!header.Metadata.ContainsKey(ContentHashKey)) return false;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        stream.Position = header.DataStart;
        int read;
        while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        CheckContentHash(path, header.Metadata, hash);
        return true;
    }

    private static void CheckContentHash(string path, IReadOnlyDictionary<string, string> metadata, IncrementalHash hash)
    {
        if (!metadata.TryGetValue(ContentHashKey, out var stored)) return;
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(stored, actual, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointFormatException(path,
                $"the tensor data does not match the SHA-256 stored in its '{ContentHashKey}' metadata when it was written " +
                "(the file is corrupt: changed on disk or in a copy); not loaded");
    }

    private static string ContentHash(IEnumerable<Tensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in tensors) WithCpuContiguous(t, c => TensorBytes.Hash(c, hash));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
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
    /// Tensors on other devices or non-contiguous ones are copied to contiguous CPU memory one at a time. The metadata
    /// gains <see cref="ContentHashKey"/>, the SHA-256 of the data written (computed in a pass before writing).
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
        var withHash = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [ContentHashKey] = ContentHash(items.Select(kv => kv.Value)),
        };
        var header = SafetensorsHeader.Build(entries, withHash);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, t) in items) WithCpuContiguous(t, c => TensorBytes.Write(c, stream));
        });
    }

    /// <summary>Runs <paramref name="action"/> on the tensor itself, or on a contiguous CPU copy when it is not one.</summary>
    private static void WithCpuContiguous(Tensor t, Action<Tensor> action)
    {
        using var cpu = t.device_type == DeviceType.CPU ? null : t.cpu();
        var source = cpu ?? t;
        using var contiguous = source.is_contiguous() ? null : source.contiguous();
        action(contiguous ?? source);
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
