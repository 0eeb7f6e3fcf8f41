using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace CleanClip.Data;

/// <summary>Options of <c>cleanclip caption-table</c>; the CLI takes its defaults from here.</summary>
public sealed record CaptionTableJobOptions
{
    /// <summary>A labeled set as <see cref="LabeledImageDataset.Load"/> reads it: a torchvision MNIST/CIFAR folder, labels.csv, or class folders.</summary>
    public required string Data { get; init; }
    public DatasetSplit Split { get; init; } = DatasetSplit.Train;
    /// <summary>Caption templates, one a line with <c>{}</c> for the class name (blank and <c>#</c> lines ignored); null: <see cref="CaptionTableJob.DefaultTemplates"/>.</summary>
    public string? Templates { get; init; }
    /// <summary>A classes file naming the classes instead of the dataset's own (required for idx files in a folder that names neither MNIST nor Fashion-MNIST).</summary>
    public string? Classes { get; init; }
    /// <summary>How many images to caption, drawn at random (by <see cref="Seed"/>) from the split; null: all of them.</summary>
    public int? Count { get; init; }
    /// <summary>
    /// Only images with source indices in [Start, End) of the split are drawn from (null: all), so tables cut from
    /// disjoint ranges share no image, as pretraining and cleaning pairs must not.
    /// </summary>
    public (int Start, int? End)? Range { get; init; }
    public ulong Seed { get; init; }
    /// <summary>The table to write, <c>DIR/NAME.csv</c>; DIR must be new or empty, and also receives the images and the files beside the table.</summary>
    public required string Out { get; init; }
}

/// <summary>What <see cref="CaptionTableJob.Run"/> wrote.</summary>
public sealed record CaptionTableResult(string Table, string Folder, int Rows, int SourceImages, string Source);

/// <summary>
/// <c>cleanclip caption-table</c>: a captioned training table from a labeled image set. Each chosen image is written as
/// a PNG at its native size under <c>DIR/images/</c> and gets one caption, a template (picked by the seed and the
/// image's index) filled with its class name. The table has the columns <c>image,caption,label</c>, so it is both a
/// training table and a labels table; <c>classes.json</c> beside it holds the class names and the dataset's prompts,
/// and <see cref="ManifestName"/> says what was written from what. Everything is built in a hidden sibling folder and
/// renamed into place when complete; the command never replaces or deletes a folder that holds anything.
/// </summary>
public static class CaptionTableJob
{
    public const string ManifestName = "caption-table.json";
    public const string Format = "cleanclip-caption-table/1";
    public const string ImagesFolder = "images";
    /// <summary>Beside the table, so that a table named labels.csv makes its folder a labeled set (<see cref="LabeledImageDataset.Load"/>).</summary>
    public const string ClassesFileName = "classes.json";

    /// <summary>A dozen phrasings (photo, picture, image, snapshot; close-up, cropped, low resolution) of "a photo of a {}.".</summary>
    public static readonly IReadOnlyList<string> DefaultTemplates =
    [
        "a photo of a {}.", "a picture of a {}.", "an image of a {}.", "a snapshot of a {}.",
        "a photo of the {}.", "a close-up photo of a {}.", "a cropped photo of a {}.", "a low resolution photo of a {}.",
        "a small picture of a {}.", "a {} in a photo.", "this is a photo of a {}.", "a photo showing a {}.",
    ];

    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <exception cref="ArgumentException">A bad count or output name.</exception>
    /// <exception cref="InvalidOperationException">The output folder holds files.</exception>
    /// <exception cref="InvalidDataException">A bad templates file or dataset.</exception>
    public static CaptionTableResult Run(CaptionTableJobOptions options, IProgress<JobProgress>? progress = null)
    {
        var table = Path.GetFullPath(options.Out);
        if (!table.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--out {options.Out}: expected a .csv file name (DIR/table.csv)");
        var folder = Path.GetDirectoryName(table)!;
        RefuseNonEmpty(folder);
        var templates = options.Templates is { } templatesPath ? ReadTemplates(templatesPath) : DefaultTemplates;
        var data = LabeledImageDataset.Load(options.Data, options.Classes, options.Split);
        var (start, end) = (options.Range?.Start ?? 0, options.Range?.End ?? data.Count);
        if (start < 0 || end > data.Count || start >= end)
            throw new ArgumentException($"--range {start}:{end}: {options.Data} has {data.Count} images in its {SplitName(options)} split; give START:END with 0 <= START < END <= {data.Count}");
        int count = options.Count ?? end - start;
        if (count < 1 || count > end - start)
            throw new ArgumentException(
                $"--count {count}: {options.Data} has {end - start} usable images in {(options.Range is null ? "its" : $"the range {start}:{end} of its")} {SplitName(options)} split; give 1..{end - start}");
        var chosen = Choose(start, end, count, options.Seed);

        var staging = Path.Combine(Path.GetDirectoryName(folder) ?? throw new ArgumentException($"--out {options.Out}: the table needs a folder of its own"),
            $".{Path.GetFileName(folder)}.caption-table-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            var rows = WriteImages(data, chosen, templates, options, staging, progress);
            WriteTable(Path.Combine(staging, Path.GetFileName(table)), rows);
            File.WriteAllText(Path.Combine(staging, ClassesFileName),
                JsonSerializer.Serialize(new { classes = data.Classes.Classes, templates = data.Classes.Templates }, Indented) + "\n", Utf8);
            File.WriteAllText(Path.Combine(staging, ManifestName), JsonSerializer.Serialize(new
            {
                format = Format,
                source = Path.GetFullPath(options.Data),
                dataset = data.Root,
                split = SplitName(options),
                range = new[] { start, end },
                seed = options.Seed,
                rows = count,
                source_images = data.Count,
                table = Path.GetFileName(table),
                templates,
            }, Indented) + "\n", Utf8);
            Publish(staging, folder);
        }
        catch
        {
            // Only the hidden staging folder this run created (its name has a fresh GUID) is removed.
            try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
            catch (IOException) { /* the failure that got us here matters more than a leftover hidden folder */ }
            throw;
        }
        return new CaptionTableResult(table, folder, count, data.Count, data.Root);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Reads a templates file: one template a line, each with <c>{}</c>; blank lines and <c>#</c> comments skipped.</summary>
    public static IReadOnlyList<string> ReadTemplates(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"templates file not found: {path}", path);
        var templates = new List<string>();
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (!line.Contains("{}"))
                throw new InvalidDataException($"{path}: line {i + 1}: template \"{line}\" has no {{}} for the class name");
            templates.Add(line);
        }
        return templates.Count > 0 ? templates : throw new InvalidDataException($"{path}: no templates (expected one a line, each with {{}} for the class name)");
    }

    /// <summary><c>START:END</c>, <c>START:</c> or <c>:END</c> as a <see cref="CaptionTableJobOptions.Range"/>; null stays null.</summary>
    /// <exception cref="ArgumentException">Not of that form.</exception>
    public static (int Start, int? End)? ParseRange(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        static bool Bound(string part, out int? value)
        {
            value = null;
            if (part.Length == 0) return true;
            bool ok = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed);
            value = parsed;
            return ok;
        }
        if (parts.Length != 2 || !Bound(parts[0], out var start) || !Bound(parts[1], out var end))
            throw new ArgumentException($"--range '{text}': expected START:END with non-negative integers (START: or :END leave one side open)");
        return (start ?? 0, end);
    }

    private static string SplitName(CaptionTableJobOptions options) => options.Split.ToString().ToLowerInvariant();

    /// <summary>All indices in [start, end), or <paramref name="count"/> of them drawn by a seeded shuffle, in ascending order.</summary>
    private static int[] Choose(int start, int end, int count, ulong seed)
    {
        var indices = Enumerable.Range(start, end - start).ToArray();
        if (count == indices.Length) return indices;
        new SplitMix64(seed).Shuffle(indices);
        var chosen = indices[..count];
        Array.Sort(chosen);
        return chosen;
    }

    private sealed record Row(string Image, string Caption, int Label);

    private static Row[] WriteImages(LabeledImageDataset data, int[] chosen, IReadOnlyList<string> templates, CaptionTableJobOptions options,
        string staging, IProgress<JobProgress>? progress)
    {
        Directory.CreateDirectory(Path.Combine(staging, ImagesFolder));
        string split = SplitName(options);
        int digits = Math.Max(5, (data.Count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var rows = new Row[chosen.Length];
        int done = 0;
        Parallel.For(0, chosen.Length, k =>
        {
            int index = chosen[k];
            var source = data.Images[index];
            var image = source.Read();
            var name = $"{ImagesFolder}/{split}-{index.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}.png";
            File.WriteAllBytes(Path.Combine(staging, name), PngWriter.Encode(image));
            // The template depends on the seed and the image, not on which other images were chosen.
            var template = templates[(int)(SplitMix64.Derive(options.Seed, (ulong)index) % (ulong)templates.Count)];
            rows[k] = new Row(name, template.Replace("{}", data.Classes.Classes[source.Label]), source.Label);
            int finished = Interlocked.Increment(ref done);
            if (finished % 256 == 0) progress?.Report(new JobProgress("images", finished, chosen.Length));
        });
        progress?.Report(new JobProgress("images", chosen.Length, chosen.Length));
        return rows;
    }

    private static void WriteTable(string path, Row[] rows)
    {
        using var writer = new StreamWriter(path, append: false, Utf8);
        using var csv = new CsvWriter(writer, Csv);
        csv.WriteField("image");
        csv.WriteField("caption");
        csv.WriteField("label");
        csv.NextRecord();
        foreach (var row in rows)
        {
            csv.WriteField(row.Image);
            csv.WriteField(row.Caption);
            csv.WriteField(row.Label.ToString(CultureInfo.InvariantCulture));
            csv.NextRecord();
        }
    }

    private static void RefuseNonEmpty(string folder)
    {
        if (File.Exists(folder)) throw new InvalidOperationException($"{folder} is a file, not a folder for the table");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new InvalidOperationException(
                $"output folder {folder} is not empty; caption-table writes a new folder and replaces nothing: give --out NEWDIR/table.csv");
    }

    /// <summary>Renames the finished staging folder to <paramref name="folder"/>; an empty folder there is removed first
    /// (a non-recursive delete, which fails rather than remove anything that appeared in it meanwhile).</summary>
    private static void Publish(string staging, string folder)
    {
        RefuseNonEmpty(folder);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: false);
        Directory.Move(staging, folder);
    }
}
