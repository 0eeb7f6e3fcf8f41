using CleanClip.Data;
using CsvHelper;

namespace CleanClip.Poisoning.Dataset;

/// <summary>
/// Writes a poisoned set as a CSV table (image, caption, is_backdoor) in the plan's row order: clean rows point at the
/// input's image files, poisoned rows at their triggered PNGs in <c>NAME/images/</c>.
/// </summary>
internal static class PoisonTable
{
    public const string ImagesFolder = "images";

    /// <summary>Writes the triggered images and the table (<see cref="PoisonSetFolder.TableName"/>) into <paramref name="staging"/>.</summary>
    public static WrittenSet Write(ImageCaptionDataset input, IReadOnlyList<PlannedRow> plan, PoisonImages images, string staging, string name)
    {
        Directory.CreateDirectory(Path.Combine(staging, ImagesFolder));
        var poisoned = plan.Where(r => r.Poisoned).ToList();
        images.Make(poisoned.Select(r => r.Source).ToList(), (k, png) =>
            File.WriteAllBytes(Path.Combine(staging, ImagesFolder, ImageName(k, input.Rows[poisoned[k].Source])), png));
        string table = Path.Combine(staging, PoisonSetFolder.TableName);
        WriteTable(table, input, plan, name);
        var rows = poisoned.Select((row, k) => (object)new
        {
            output_row = k,
            source_line = input.Rows[row.Source].Line,
            source_image = input.Rows[row.Source].RelativePath,
            image = $"{name}/{ImagesFolder}/{ImageName(k, input.Rows[row.Source])}",
            caption = row.Caption,
        }).ToList();
        return new WrittenSet("table", new { file = name + ".csv", sha256 = PoisonSetFolder.Sha256(table) }, rows);
    }

    /// <summary>Output file of poisoned row k: its position and the source's base name, always lossless PNG.</summary>
    private static string ImageName(int k, CaptionRow source) =>
        $"{k:D6}_{Path.GetFileNameWithoutExtension(source.ImagePath)}.png";

    private static void WriteTable(string path, ImageCaptionDataset input, IReadOnlyList<PlannedRow> plan, string name)
    {
        using var writer = new StreamWriter(path);
        using var csv = new CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        csv.WriteField("image"); csv.WriteField("caption"); csv.WriteField("is_backdoor"); csv.NextRecord();
        int k = 0;
        foreach (var row in plan)
        {
            var source = input.Rows[row.Source];
            csv.WriteField(row.Poisoned ? $"{name}/{ImagesFolder}/{ImageName(k++, source)}" : source.RelativePath);
            csv.WriteField(row.Caption);
            csv.WriteField(row.Poisoned ? 1 : 0);
            csv.NextRecord();
        }
    }
}
