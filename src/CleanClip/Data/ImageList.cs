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
        char delimiter = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        var config = new CsvHelper.Configuration.CsvConfiguration(System.Globalization.CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
        };
        using var reader = new StreamReader(path);
        using var csv = new CsvHelper.CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader())
            throw new InvalidDataException($"{path}: empty table, expected a header with an '{imageKey}' column");
        var header = csv.HeaderRecord!;
        if (!header.Contains(imageKey))
            throw new InvalidDataException($"{path}: no '{imageKey}' column (columns: {string.Join(", ", header)}); set the image column name");
        string root = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var images = new List<(string, string)>();
        while (csv.Read())
        {
            var name = csv.GetField(imageKey) ?? "";
            images.Add((name, System.IO.Path.GetFullPath(System.IO.Path.Combine(root, name))));
        }
        return images;
    }
}
