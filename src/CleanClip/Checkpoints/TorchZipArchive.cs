using System.IO.Compression;
using System.Text;
using TorchSharp;

namespace CleanClip.Checkpoints;

/// <summary>
/// The zip container shared by torch.save (PyTorch ≥ 1.6) and TorchScript: one top folder holding data.pkl,
/// data/&lt;key&gt; storage records and, for TorchScript, constants.pkl and code/. Entry sizes are checked against the
/// archive's own size before anything is read, and reads stop at the declared size, so a crafted archive cannot make
/// the reader allocate or inflate without bound. Errors are InvalidDataException; callers add the file path.
/// </summary>
internal sealed class TorchZipArchive : IDisposable
{
    public const int MaxEntries = 100_000;
    public const long MaxPickleBytes = 256L << 20;

    /// <summary>torch.save stores records uncompressed; a re-zipped file may deflate them, but float data shrinks
    /// little, so an entry claiming many times the archive's size is a zip bomb.</summary>
    public const long MaxExpansion = 16;

    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries;

    /// <summary>The top folder with its slash, e.g. "epoch_3/".</summary>
    public string Prefix { get; }

    public bool IsTorchScript =>
        entries.ContainsKey(Prefix + "constants.pkl") || entries.Keys.Any(n => n.StartsWith(Prefix + "code/", StringComparison.Ordinal));

    private TorchZipArchive(ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string prefix)
    {
        this.zip = zip;
        this.entries = entries;
        Prefix = prefix;
    }

    public static TorchZipArchive Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        ZipArchive? zip = null;
        try
        {
            long length = file.Length;
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
            var all = zip.Entries;
            if (all.Count == 0) throw new InvalidDataException("zip archive is empty");
            if (all.Count > MaxEntries) throw new InvalidDataException($"zip archive has {all.Count} entries, more than {MaxEntries}");
            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            string? prefix = null;
            long declared = 0;
            foreach (var e in all)
            {
                int slash = e.FullName.IndexOf('/');
                var top = slash > 0 ? e.FullName[..(slash + 1)] : "";
                prefix ??= top;
                if (top.Length == 0 || top != prefix)
                    throw new InvalidDataException(
                        $"zip entries are not under one top-level folder ('{prefix}' and '{e.FullName}'): not a PyTorch archive");
                if (!byName.TryAdd(e.FullName, e)) throw new InvalidDataException($"zip has two entries named '{e.FullName}'");
                CheckDeclaredSize(e.FullName, e.Length, length);
                declared += e.Length;
                CheckDeclaredSize("all entries together", declared, length);
            }
            return new TorchZipArchive(zip, byName, prefix!);
        }
        catch
        {
            if (zip is null) file.Dispose(); else zip.Dispose();
            throw;
        }
    }

    private static void CheckDeclaredSize(string what, long declared, long archiveLength)
    {
        if (declared > Math.Max(archiveLength, 1) * MaxExpansion)
            throw new InvalidDataException(
                $"zip entry '{what}' declares {declared} uncompressed bytes, more than {MaxExpansion}x the archive's own " +
                $"{archiveLength} bytes (zip bomb or corrupt archive)");
    }

    public bool Contains(string relativeName) => entries.ContainsKey(Prefix + relativeName);

    /// <summary>A small record (data.pkl, byteorder, version) as bytes.</summary>
    public byte[] ReadRecord(string relativeName, long maxBytes)
    {
        var entry = Entry(relativeName, $"zip has no {relativeName}: not a PyTorch checkpoint");
        if (entry.Length > maxBytes)
            throw new InvalidDataException($"{relativeName} is {entry.Length} bytes, more than the {maxBytes}-byte limit");
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        ReadExactly(stream, bytes, relativeName);
        return bytes;
    }

    /// <summary>Refuses archives written on a big-endian machine (torch ≥ 2.1 records the byte order).</summary>
    public void CheckByteOrder()
    {
        if (!Contains("byteorder")) return;
        var order = Encoding.ASCII.GetString(ReadRecord("byteorder", 16)).Trim();
        if (order != "little")
            throw new InvalidDataException($"byteorder is '{order}'; only little-endian checkpoints are supported");
    }

    /// <summary>Checks that the storage record data/&lt;key&gt; exists with exactly the size data.pkl gives it.</summary>
    public ZipArchiveEntry CheckStorage(StorageRef storage)
    {
        var name = $"data/{storage.Key}";
        var entry = Entry(name, $"storage '{name}' named in data.pkl is missing from the archive");
        if (entry.Length != storage.ByteCount)
            throw new InvalidDataException(
                $"storage '{name}' holds {entry.Length} bytes but data.pkl declares {storage.Numel} elements of " +
                $"torch.{storage.Class.Name} ({storage.ByteCount} bytes)");
        return entry;
    }

    /// <summary>Reads the storage record data/&lt;key&gt; into a new flat CPU tensor of <paramref name="type"/>.</summary>
    public torch.Tensor ReadStorage(StorageRef storage, torch.ScalarType type)
    {
        var entry = CheckStorage(storage);
        long numel = storage.ByteCount / TensorDtypes.ElementSize(type);
        var tensor = torch.empty(numel, type, torch.CPU);
        try
        {
            using var stream = entry.Open();
            try
            {
                TensorBytes.Fill(tensor, stream);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"storage 'data/{storage.Key}' is truncated");
            }
            EnsureEnd(stream, $"data/{storage.Key}");
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the CRC of every record except the storages: TorchScript code that LibTorch cannot compile aborts the
    /// whole process (its ErrorReport escapes TorchSharp), so a corrupted code/ file must be caught before jit.load.
    /// Each record is read at most to its declared size.
    /// </summary>
    public void VerifyNonStorageChecksums()
    {
        foreach (var (name, entry) in entries)
        {
            if (name.StartsWith(Prefix + "data/", StringComparison.Ordinal)) continue;
            uint crc;
            try
            {
                using var stream = entry.Open();
                crc = Crc32.Of(stream);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"zip entry '{name}' is truncated");
            }
            if (crc != entry.Crc32)
                throw new InvalidDataException($"zip entry '{name}' is corrupt (CRC {crc:x8}, expected {entry.Crc32:x8})");
        }
    }

    private ZipArchiveEntry Entry(string relativeName, string missing) =>
        entries.TryGetValue(Prefix + relativeName, out var e) ? e : throw new InvalidDataException(missing);

    private static void ReadExactly(Stream stream, byte[] buffer, string name)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"zip entry '{name}' is truncated");
        }
        EnsureEnd(stream, name);
    }

    private static void EnsureEnd(Stream stream, string name)
    {
        if (stream.ReadByte() != -1) throw new InvalidDataException($"zip entry '{name}' is longer than its declared size");
    }

    public void Dispose() => zip.Dispose();
}
