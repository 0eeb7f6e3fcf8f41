using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;

namespace CleanClip.Data;

/// <summary>One usable row of an image–caption table, or one sample of a set of WebDataset shards.</summary>
/// <param name="Line">Physical line of the table where the record starts (1 is the header); 0 for a WebDataset sample.</param>
/// <param name="ImagePath">
/// Full path of the image: <paramref name="RelativePath"/> joined to the table's folder. For a WebDataset sample, the
/// shard's full path, a slash and the image member's name: a name that identifies the image, not a file to open
/// (<see cref="Member"/> says where its bytes are).
/// </param>
/// <param name="RelativePath">The path exactly as the table writes it; for a WebDataset sample <c>SHARD/MEMBER</c>, the shard relative to <see cref="ImageCaptionDataset.Root"/>.</param>
/// <param name="Caption">The caption exactly as written (quotes undone, inner newlines kept).</param>
/// <param name="IsBackdoor">From the <c>is_backdoor</c> column; null when there is none (see <see cref="CaptionTableOptions.BackdoorFromPath"/>).</param>
public sealed record CaptionRow(int Line, string ImagePath, string RelativePath, string Caption, bool? IsBackdoor)
{
    /// <summary>Where a WebDataset sample's image lies inside its shard; null for a table row, whose image is the file <see cref="ImagePath"/>.</summary>
    public TarMember? Member { get; init; }

    /// <summary>The image's encoded bytes: the file, or the tar member read by seeking (thread-safe: no shared stream).</summary>
    /// <exception cref="IOException">The file or shard cannot be read, or the shard is now shorter than the member.</exception>
    public byte[] ReadBytes()
    {
        if (Member is not { } member) return File.ReadAllBytes(ImagePath);
        using SafeFileHandle handle = File.OpenHandle(member.Shard);
        var bytes = new byte[member.Length];
        int done = 0;
        while (done < bytes.Length)
        {
            int read = RandomAccess.Read(handle, bytes.AsSpan(done), member.Offset + done);
            if (read == 0) throw new EndOfStreamException($"{member.Shard}: the shard ends inside {member.Name} (byte {member.Offset + done}); it changed since it was indexed");
            done += read;
        }
        return bytes;
    }

    /// <summary>The decoded image; a file or shard that cannot be read or decoded is a reason naming it, never an exception.</summary>
    public bool TryReadImage([NotNullWhen(true)] out RgbImage? image, [NotNullWhen(false)] out string? reason)
    {
        if (Member is null) return ImageDecoder.TryDecode(ImagePath, out image, out reason);
        byte[] bytes;
        try
        {
            bytes = ReadBytes();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (image, reason) = (null, $"cannot read {ImagePath}: {e.Message}");
            return false;
        }
        return ImageDecoder.TryDecode(bytes, ImagePath, out image, out reason);
    }

    /// <exception cref="InvalidDataException">The image cannot be read or decoded.</exception>
    public RgbImage ReadImage() => TryReadImage(out var image, out var reason) ? image : throw new InvalidDataException(reason);
}

/// <summary>An image stored inside a WebDataset shard: the tar file, the member's name, and its data's byte range.</summary>
public sealed record TarMember(string Shard, string Name, long Offset, long Length);

/// <summary>
/// An image–caption table (CleanCLIP's train/validation CSV, or an OpenCLIP TSV) read up front: rows that cannot be
/// used are left out and counted in <see cref="Skipped"/>, while a table that cannot be read at all is an error.
/// A WebDataset shard pattern in place of the table is indexed instead (<see cref="ShardDataset"/>).
/// </summary>
public sealed class ImageCaptionDataset
{
    private const string ColumnHint = "Set the column names with --image-key/--caption-key, or the separator with --delimiter.";

    // pandas reads an empty field as NaN, and a NaN caption written back out becomes the text "nan" or "NaN".
    private static readonly HashSet<string> MissingCaptions = new(StringComparer.Ordinal) { "nan", "NaN" };

    /// <summary>The table's full path; for WebDataset shards, the pattern with each part made absolute.</summary>
    public string TablePath { get; }

    /// <summary>The folder image paths are relative to: the table's; for shards, the first shard's.</summary>
    public string Root { get; }
    public IReadOnlyList<CaptionRow> Rows { get; }
    public DatasetReport Skipped { get; }
    public int Count => Rows.Count;

    /// <summary>Whether the rows are WebDataset samples (read from tar shards) rather than table rows.</summary>
    public bool IsShards => Rows.Count > 0 && Rows[0].Member is not null;

    internal ImageCaptionDataset(string tablePath, string root, IReadOnlyList<CaptionRow> rows, DatasetReport skipped) =>
        (TablePath, Root, Rows, Skipped) = (tablePath, root, rows, skipped);

    /// <summary>
    /// Reads the table at <paramref name="csvPath"/>, or the WebDataset shards it names when
    /// <see cref="ShardPattern.IsShardInput"/> says it is a shard pattern (<see cref="ShardDataset.Load"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="csvPath"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The table is empty, lacks the image or caption column, has a malformed record, or has no usable row.
    /// </exception>
    /// <exception cref="ArgumentException">A malformed shard pattern.</exception>
    public static ImageCaptionDataset Load(string csvPath, CaptionTableOptions? options = null)
    {
        options ??= new CaptionTableOptions();
        if (ShardPattern.IsShardInput(csvPath)) return ShardDataset.Load(csvPath, options);
        var fullPath = Path.GetFullPath(csvPath);
        using var table = CsvTable.Open(fullPath, options.DelimiterFor(fullPath));
        int imageColumn = table.Column(options.ImageKey, "image paths", ColumnHint);
        int captionColumn = table.Column(options.CaptionKey, "captions", ColumnHint);
        int backdoorColumn = table.IndexOf(CaptionTableOptions.BackdoorKey);
        var root = new DatasetRoot(Path.GetDirectoryName(fullPath)!);
        var report = new DatasetReport("rows");
        var rows = new List<CaptionRow>();

        foreach (var (line, fields) in table.Records())
        {
            report.Total++;
            // pandas fills a short row's missing fields with NaN; a long one shifts the caption, so it cannot be trusted.
            string Field(int column) => column < fields.Length ? fields[column] : "";
            var written = Field(imageColumn);
            var skip = fields.Length > table.Header.Count
                ? new SkippedRow(line, written, SkipReason.ExtraFields, $"{fields.Length} fields, header has {table.Header.Count}: an unquoted separator in a caption?")
                : Check(line, written, Field(captionColumn), root, options);
            bool? isBackdoor = backdoorColumn >= 0 ? ParseFlag(Field(backdoorColumn))
                : options.BackdoorFromPath ? written.Contains("backdoor", StringComparison.Ordinal) : null;
            if (skip is null && backdoorColumn >= 0 && isBackdoor is null)
                skip = new SkippedRow(line, written, SkipReason.BadBackdoorFlag,
                    $"{CaptionTableOptions.BackdoorKey} = '{Field(backdoorColumn)}', expected 0, 1, true or false");

            if (skip is not null) report.Skip(skip);
            else rows.Add(new CaptionRow(line, root.Resolve(written), written, Field(captionColumn), isBackdoor));
        }
        if (options.CheckImages) rows = DecodableOnly(rows, report);
        if (report.Total == 0) throw new InvalidDataException($"{fullPath}: no rows after the header");
        if (rows.Count == 0) throw new InvalidDataException($"{fullPath}: no usable rows: {report.Summary()}");
        return new ImageCaptionDataset(fullPath, root.Path, rows, report);
    }

    private static SkippedRow? Check(int line, string written, string caption, DatasetRoot root, CaptionTableOptions options)
    {
        if (string.IsNullOrWhiteSpace(written)) return new SkippedRow(line, written, SkipReason.EmptyImagePath);
        if (IsMissingCaption(caption))
            return new SkippedRow(line, written, SkipReason.EmptyCaption, caption.Length == 0 ? null : $"caption '{caption}'");
        var full = root.Resolve(written);
        if (root.OutsideRoot(line, written, full, options.AllowOutsideRoot) is { } outside) return outside;
        if (!DatasetRoot.IsFile(full)) return new SkippedRow(line, written, SkipReason.MissingImage, full);
        return null;
    }

    /// <summary>An empty or whitespace caption, or pandas' NaN written back out: no caption.</summary>
    internal static bool IsMissingCaption(string caption) => string.IsNullOrWhiteSpace(caption) || MissingCaptions.Contains(caption);

    private static bool? ParseFlag(string value) => value.Trim() switch
    {
        "1" => true,
        "0" => false,
        var text when text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var text when text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => null,
    };

    internal static List<CaptionRow> DecodableOnly(List<CaptionRow> rows, DatasetReport report)
    {
        var failures = new string?[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            if (!rows[i].TryReadImage(out _, out var reason)) failures[i] = reason;
        });
        var kept = new List<CaptionRow>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            if (failures[i] is { } reason) report.Skip(new SkippedRow(rows[i].Line, rows[i].RelativePath, SkipReason.CorruptImage, reason));
            else kept.Add(rows[i]);
        }
        return kept;
    }
}
