namespace CleanClip.Data;

/// <summary>
/// The images a command works on, from a folder (every image file below it, sorted by relative path, ordinal) or
/// from a CSV/TSV whose image column holds paths relative to the file's folder.
/// </summary>
public static class ImageList
{
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// The images of <paramref name="folderOrTable"/>. A table's rows follow the containment rule of every table reader
    /// (<see cref="DatasetRoot.OutsideRoot"/>): a row whose image lies outside the table's folder is left out and
    /// added to <paramref name="skipped"/> unless <paramref name="allowOutsideRoot"/>.
    /// </summary>
    /// <returns>(name shown to the user and written to indexes, full path)</returns>
    public static IReadOnlyList<(string Name, string Path)> From(string folderOrTable, string imageKey = "image",
        bool allowOutsideRoot = false, ICollection<SkippedRow>? skipped = null)
    {
        if (Directory.Exists(folderOrTable))
            return Directory.EnumerateFiles(folderOrTable, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f)))
                .Select(f => (Name: System.IO.Path.GetRelativePath(folderOrTable, f).Replace('\\', '/'), Path: f))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
        if (File.Exists(folderOrTable))
            return FromTable(folderOrTable, imageKey, allowOutsideRoot, skipped);
        throw new FileNotFoundException($"no image folder or table at {folderOrTable}", folderOrTable);
    }

    private static List<(string, string)> FromTable(string path, string imageKey, bool allowOutsideRoot, ICollection<SkippedRow>? skipped)
    {
        using var table = CsvTable.Open(path, new CaptionTableOptions().DelimiterFor(path));
        int column = table.Column(imageKey, "image paths", "Set the image column with --image-key.");
        var root = new DatasetRoot(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var images = new List<(string, string)>();
        foreach (var (line, fields) in table.Records())
        {
            if (column >= fields.Length || fields[column].Length == 0) continue;
            var written = fields[column];
            var full = root.Resolve(written);
            if (root.OutsideRoot(line, written, full, allowOutsideRoot) is { } outside) skipped?.Add(outside);
            else images.Add((written, full));
        }
        return images;
    }
}
