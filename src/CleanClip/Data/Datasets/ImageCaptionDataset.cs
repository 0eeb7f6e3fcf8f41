namespace CleanClip.Data;

/// <summary>One usable row of an image–caption table.</summary>
/// <param name="Line">Physical line of the table where the record starts (1 is the header).</param>
/// <param name="ImagePath">Full path of the image: <paramref name="RelativePath"/> joined to the table's folder.</param>
/// <param name="RelativePath">The path exactly as the table writes it.</param>
/// <param name="Caption">The caption exactly as written (quotes undone, inner newlines kept).</param>
/// <param name="IsBackdoor">From the <c>is_backdoor</c> column; null when there is none (see <see cref="CaptionTableOptions.BackdoorFromPath"/>).</param>
public sealed record CaptionRow(int Line, string ImagePath, string RelativePath, string Caption, bool? IsBackdoor);

/// <summary>
/// An image–caption table (CleanCLIP's train/validation CSV, or an OpenCLIP TSV) read up front: rows that cannot be
/// used are left out and counted in <see cref="Skipped"/>, while a table that cannot be read at all is an error.
/// </summary>
public sealed class ImageCaptionDataset
{
    private const string ColumnHint = "Set the column names with --image-key/--caption-key, or the separator with --delimiter.";

    // pandas reads an empty field as NaN, and a NaN caption written back out becomes the text "nan" or "NaN".
    private static readonly HashSet<string> MissingCaptions = new(StringComparer.Ordinal) { "nan", "NaN" };

    public string TablePath { get; }
    public string Root { get; }
    public IReadOnlyList<CaptionRow> Rows { get; }
    public DatasetReport Skipped { get; }
    public int Count => Rows.Count;

    private ImageCaptionDataset(string tablePath, string root, IReadOnlyList<CaptionRow> rows, DatasetReport skipped) =>
        (TablePath, Root, Rows, Skipped) = (tablePath, root, rows, skipped);

    /// <exception cref="FileNotFoundException">No file at <paramref name="csvPath"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The table is empty, lacks the image or caption column, has a malformed record, or has no usable row.
    /// </exception>
    public static ImageCaptionDataset Load(string csvPath, CaptionTableOptions? options = null)
    {
        options ??= new CaptionTableOptions();
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
        if (string.IsNullOrWhiteSpace(caption) || MissingCaptions.Contains(caption))
            return new SkippedRow(line, written, SkipReason.EmptyCaption, caption.Length == 0 ? null : $"caption '{caption}'");
        var full = root.Resolve(written);
        if (root.OutsideRoot(line, written, full, options.AllowOutsideRoot) is { } outside) return outside;
        if (!DatasetRoot.IsFile(full)) return new SkippedRow(line, written, SkipReason.MissingImage, full);
        return null;
    }

    private static bool? ParseFlag(string value) => value.Trim() switch
    {
        "1" => true,
        "0" => false,
        var text when text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var text when text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => null,
    };

    private static List<CaptionRow> DecodableOnly(List<CaptionRow> rows, DatasetReport report)
    {
        var failures = new string?[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            if (!ImageDecoder.TryDecode(rows[i].ImagePath, out _, out var reason)) failures[i] = reason;
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
