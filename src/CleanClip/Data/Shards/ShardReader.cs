using System.Formats.Tar;
using System.Text;

namespace CleanClip.Data;

/// <summary>One WebDataset sample: the image and caption of one key, and where the image lies in its shard.</summary>
/// <param name="Key">The member path up to the first dot of its file name (folders inside the tar included).</param>
/// <param name="ImageMember">The image member's name in the tar, e.g. <c>000000012.jpg</c>.</param>
/// <param name="ImageOffset">Byte offset of the image's data in the shard file (<see cref="TarEntry.DataOffset"/>).</param>
/// <param name="ImageLength">Length of the image's data in bytes.</param>
/// <param name="Caption">The <c>txt</c> member, decoded as UTF-8, exactly as written.</param>
public sealed record ShardSample(string Key, string ImageMember, long ImageOffset, long ImageLength, string Caption)
{
    /// <summary>The image's encoded bytes; null when the shard was read without them (<see cref="ShardReader.Read"/>'s <c>readBytes</c>).</summary>
    public byte[]? Image { get; init; }

    /// <summary>The <c>json</c> member (img2dataset's metadata) as UTF-8 text when the sample has one and bytes were read.</summary>
    public string? Json { get; init; }
}

/// <summary>A key a shard reader left out, and why (one of <see cref="SkipReason"/>).</summary>
public sealed record ShardSkip(string Key, string Reason, string? Detail = null);

/// <summary>Where a shard stopped being readable: the byte offset of the header that failed, and the tar reader's message.</summary>
public sealed record ShardStop(long Offset, string Message);

/// <summary>What reading one shard left out: the keys skipped and, if the shard broke off, where.</summary>
public sealed class ShardLog
{
    public List<ShardSkip> Skipped { get; } = [];

    /// <summary>Set when a tar header could not be read: every member from there on was left unread.</summary>
    public ShardStop? Stop { get; set; }
}

/// <summary>
/// Streams the samples of one WebDataset shard (an uncompressed tar, as img2dataset writes them) with
/// <see cref="TarReader"/> over a <see cref="FileStream"/>: nothing is unpacked to disk. Members are grouped as
/// webdataset groups them: consecutive members with the same key (the member path up to the first dot of the file
/// name) form one sample, the rest of the name lowercased is the member's extension. The image is the first of
/// <c>jpg</c>, <c>png</c>, <c>jpeg</c>, <c>webp</c> present (OpenCLIP's order), the caption is <c>txt</c>, and
/// <c>json</c> is kept when present; other members are ignored, as are non-file entries, names without an extension
/// and top-level <c>__name__</c> meta files.
/// <para>
/// Bad input never throws: a key without an image or caption, with an empty or non-UTF-8 caption, with a member twice,
/// or whose data runs past the end of a truncated shard is skipped into the <see cref="ShardLog"/>; a header that cannot
/// be parsed ends the shard there, with its offset in <see cref="ShardLog.Stop"/>. Images are not decoded here.
/// </para>
/// </summary>
public static class ShardReader
{
    /// <summary>Image extensions in the order a sample's image is chosen when it has several.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = ["jpg", "png", "jpeg", "webp"];

    public const string CaptionExtension = "txt";
    public const string JsonExtension = "json";

    /// <summary>An image member larger than this is skipped rather than read into one array.</summary>
    public const long MaxImageBytes = int.MaxValue;

    private const int BlockSize = 512;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The samples of the shard at <paramref name="path"/> in tar order; what was left out goes to <paramref name="log"/>.</summary>
    /// <param name="readBytes">Read each image (and json) into the sample; without it only where the image lies is recorded
    /// and its data is seeked over, which is all an index needs.</param>
    /// <exception cref="IOException">The shard cannot be opened (missing, unreadable).</exception>
    public static IEnumerable<ShardSample> Read(string path, ShardLog log, bool readBytes = true)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long length = stream.Length;
        using var reader = new TarReader(stream);
        Group? group = null;
        // Where the next header starts: just past the last entry's data, rounded up to a whole block.
        long nextHeader = 0;
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry(copyData: false);
            }
            // What TarReader throws for a header it cannot parse (the catch holds only this call, so no bug of ours hides
            // here): a bad checksum or field, a size past what its block allows (InvalidOperationException), an early end.
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException
                                          or OverflowException or InvalidOperationException or NotSupportedException)
            {
                log.Stop = new ShardStop(nextHeader, e is EndOfStreamException ? "the shard ends inside a tar header" : e.Message);
                break;
            }
            if (entry is null)
            {
                // TarReader also takes a damaged header for the end-of-archive marker; only zero padding may follow a real one.
                if (DataAfterEnd(stream, nextHeader, length) is { } unread)
                    log.Stop = new ShardStop(nextHeader, $"the tar ends here, but {unread} more bytes that are not padding follow: a damaged header read as the end of the archive");
                break;
            }
            nextHeader = entry.DataOffset + (entry.Length + BlockSize - 1) / BlockSize * BlockSize;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)) continue;
            if (!Split(entry.Name, out var key, out var extension) || IsMeta(entry.Name)) continue;
            if (group is not null && group.Key != key)
            {
                if (Finish(group, log) is { } sample) yield return sample;
                group = null;
            }
            group ??= new Group(key);
            if (!group.Extensions.Add(extension)) group.Duplicate ??= entry.Name;
            if (entry.DataOffset + entry.Length > length)
            {
                // Nothing can follow a member cut off by the end of the file: this key is the shard's last.
                group.Truncated = $"{entry.Name} needs bytes up to {entry.DataOffset + entry.Length}, the shard ends at {length}";
                break;
            }
            Take(group, entry, extension, readBytes);
        }
        if (group is not null && Finish(group, log) is { } last) yield return last;
    }

    /// <summary>How many bytes from <paramref name="end"/> on are not the zero blocks that end a tar (and pad it to a record); null if all are.</summary>
    private static long? DataAfterEnd(FileStream stream, long end, long length)
    {
        const int MaxPadding = 1 << 16;   // a tar's end marker plus padding to its record size (10 KiB by default, 512 × 20)
        if (length <= end) return null;
        if (length - end > MaxPadding) return length - end;
        var rest = new byte[length - end];
        stream.Position = end;
        stream.ReadExactly(rest);
        return rest.AsSpan().ContainsAnyExcept((byte)0) ? rest.Length : null;
    }

    /// <summary>
    /// webdataset's <c>base_plus_ext</c>: the key is the path up to the first dot of the file name, which needs at
    /// least one character before that dot; the extension is the rest, lowercased.
    /// </summary>
    public static bool Split(string memberName, out string key, out string extension)
    {
        int slash = memberName.LastIndexOf('/');
        int dot = memberName.IndexOf('.', slash + 1);
        if (dot <= slash + 1)
        {
            (key, extension) = ("", "");
            return false;
        }
        key = memberName[..dot];
        extension = memberName[(dot + 1)..].ToLowerInvariant();
        return true;
    }

    // webdataset skips top-level members named __something__ (its own metadata).
    private static bool IsMeta(string name) =>
        !name.Contains('/') && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal);

    private static void Take(Group group, TarEntry entry, string extension, bool readBytes)
    {
        if (ImageExtensions.Contains(extension))
        {
            group.Images[extension] = (entry.Name, entry.DataOffset, entry.Length,
                readBytes && entry.Length <= MaxImageBytes ? ReadData(entry) : null);
        }
        else if (extension == CaptionExtension) group.Caption = entry.Length <= MaxImageBytes ? ReadData(entry) : [];
        else if (extension == JsonExtension && readBytes && entry.Length <= MaxImageBytes) group.Json = ReadData(entry);
    }

    private static byte[] ReadData(TarEntry entry)
    {
        var bytes = new byte[entry.Length];
        if (entry.DataStream is { } data) data.ReadExactly(bytes);
        return bytes;
    }

    private static ShardSample? Finish(Group group, ShardLog log)
    {
        ShardSkip Skip(string reason, string? detail = null)
        {
            var skip = new ShardSkip(group.Key, reason, detail);
            log.Skipped.Add(skip);
            return skip;
        }
        if (group.Truncated is { } truncated) { Skip(SkipReason.TruncatedShard, truncated); return null; }
        if (group.Duplicate is { } duplicate) { Skip(SkipReason.DuplicateMember, $"{duplicate} appears twice in a row"); return null; }
        var members = string.Join(", ", group.Extensions.Order(StringComparer.Ordinal));
        var image = ImageExtensions.Where(group.Images.ContainsKey).Select(e => group.Images[e]).FirstOrDefault();
        if (image.Name is null) { Skip(SkipReason.NoImage, $"members: {members}"); return null; }
        if (image.Length > MaxImageBytes) { Skip(SkipReason.CorruptImage, $"{image.Name} is {image.Length} bytes"); return null; }
        if (group.Caption is null) { Skip(SkipReason.NoCaption, $"members: {members}"); return null; }
        string caption;
        try
        {
            caption = StrictUtf8.GetString(group.Caption);
        }
        catch (DecoderFallbackException e)
        {
            Skip(SkipReason.BadCaption, e.Message);
            return null;
        }
        if (ImageCaptionDataset.IsMissingCaption(caption)) { Skip(SkipReason.EmptyCaption, caption.Length == 0 ? null : $"caption '{caption}'"); return null; }
        return new ShardSample(group.Key, image.Name, image.Offset, image.Length, caption)
        {
            Image = image.Bytes,
            Json = group.Json is null ? null : Encoding.UTF8.GetString(group.Json),
        };
    }

    /// <summary>The members of one key read so far.</summary>
    private sealed class Group(string key)
    {
        public string Key { get; } = key;
        public HashSet<string> Extensions { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (string Name, long Offset, long Length, byte[]? Bytes)> Images { get; } = new(StringComparer.Ordinal);
        public byte[]? Caption { get; set; }
        public byte[]? Json { get; set; }
        public string? Duplicate { get; set; }
        public string? Truncated { get; set; }
    }
}
