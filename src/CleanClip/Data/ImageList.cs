namespace CleanClip.Data;

/// <summary>
/// The images a command works on, from a folder (every image file below it, sorted by relative path, ordinal) or
/// from a CSV/TSV whose image column holds paths relative to the file's folder.
/// </summary>
public static class ImageList
{
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp" };

    /// <returns>(name shown to the user and written to indexes, full path)</returns>
    public static IReadOnlyList<(string Name, string Path)> From(string folderOrTable, string imageKey = "image")
    {
        if (Directory.Exists(folderOrTable))
            return Directory.EnumerateFiles(folderOrTable, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f)))
                .Select(f => (Name: System.IO.Path.GetRelativePath(folderOrTable, f).Replace('\\', '/'), Path: f))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
        if (File.Exists(folderOrTable))
            return FromTable(folderOrTable, imageKey);
        throw new FileNotFoundException($"no image folder or table at {folderOrTable}", folderOrTable);
    }

    private static List<(string, string)> FromTable(string path, string imageKey)
    {
        using var table = CsvTable.Open(path, new CaptionTableOptions().DelimiterFor(path));
        int column = table.Column(imageKey, "image paths", "Set the image column with --image-key.");
        string root = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        return table.Records()
            .Where(r => column < r.Fields.Length && r.Fields[column].Length > 0)
            .Select(r => (r.Fields[column], System.IO.Path.GetFullPath(System.IO.Path.Combine(root, r.Fields[column]))))
            .ToList();
    }
}
