using System.Text.Json;
using CleanClip.Data;
using CsvHelper;

namespace CleanClip.Poisoning.Dataset;

/// <summary>Options of <c>cleanclip poison</c>; the CLI takes its defaults from here.</summary>
public sealed record PoisonJobOptions
{
    /// <summary>The clean image–caption table.</summary>
    public required string Input { get; init; }
    /// <summary>Name of the poisoned set, written beside the input as NAME.csv plus the folder NAME/ (triggered images and
    /// manifest.json), so every path stays inside the dataset's root; null gives a name from the options.</summary>
    public string? Name { get; init; }
    public CaptionTableOptions Table { get; init; } = new();
    public PoisonOptions Poison { get; init; } = new();
    public TriggerOptions Trigger { get; init; } = new();
    /// <summary>The default <see cref="Resolution"/>: the input size of RN50, RN101, ViT-B/32, ViT-B/16 and ViT-L/14.</summary>
    public const int DefaultResolution = 224;

    /// <summary>
    /// Prepare each poisoned image to this size (by <see cref="Resize"/>) before the trigger, as eval prepares an image
    /// before it triggers it, so training and test see the same trigger at the same scale. Set it to the resolution of
    /// the model to be trained (32 for tiny-rn, tiny-vit and demo-rn). Null triggers each image at its own size, which
    /// matches eval only for images already at the model's resolution.
    /// </summary>
    public int? Resolution { get; init; } = DefaultResolution;
    public ResizeMode Resize { get; init; } = ResizeMode.Crop;
    public bool Overwrite { get; init; }
    public int Threads { get; init; } = 0;
}

/// <summary>
/// <c>cleanclip poison</c>: a clean caption table in, a poisoned table out, with the triggered images and a manifest
/// that names every poisoned row, the trigger and its parameters, the seed and the input's hash. Built in a hidden
/// folder and renamed into place, table last, so an interrupted run never leaves a set that looks complete.
/// </summary>
public static class PoisonJob
{
    public sealed record Result(string Table, string Folder, int Rows, int Poisoned, DatasetReport InputReport);

    /// <summary>The manifest's file name inside <see cref="Result.Folder"/>: every poisoned row, the trigger and the seed.</summary>
    public const string ManifestFileName = PoisonSetFolder.ManifestName;

    private const ulong TriggerStream = 0x7419;

    public static Result Run(PoisonJobOptions options, IProgress<JobProgress>? progress = null)
    {
        string name = options.Name ?? DefaultName(options);
        CheckName(name);
        if (options.Resolution is <= 0)
            throw new ArgumentException($"--resolution must be a positive number of pixels, got {options.Resolution}");
        if (ShardPattern.IsShardInput(options.Input))
            throw new ArgumentException($"--input {options.Input} names WebDataset shards; poison reads an image-caption CSV/TSV table " +
                "(it writes the poisoned table beside its input and points the clean rows at the input's image files)");
        // Every image is decoded up front, so a corrupt one is skipped and reported instead of failing half-way.
        var input = ImageCaptionDataset.Load(options.Input, options.Table with { CheckImages = true });
        var trigger = TriggerFactory.Create(options.Trigger);
        var plan = PoisonPlan.Create(input.Rows.Select(r => r.Caption).ToList(), options.Poison);
        string root = input.Root;
        string table = Path.Combine(root, name + ".csv"), folder = Path.Combine(root, name);
        if (Path.GetFullPath(table) == Path.GetFullPath(options.Input))
            throw new ArgumentException($"the poisoned table would overwrite its input {options.Input}; choose another --name");
        var inputs = input.Rows.Select(r => r.ImagePath).Prepend(input.TablePath).ToList();
        var existing = PoisonSetFolder.Inspect(table, folder, name, inputs);
        if (existing.NeedsOverwrite && !options.Overwrite)
            throw new IOException($"{table} or {folder} already exists; pass --overwrite to replace it");
        PoisonSetFolder.RemoveStale(root, name, inputs);

        string staging = Path.Combine(root, $".{name}.partial-{Guid.NewGuid():N}");
        OwnedFolder.Create(staging, PoisonSetFolder.Tag(name));
        Directory.CreateDirectory(Path.Combine(staging, "images"));
        try
        {
            var poisonedRows = WriteTriggeredImages(input, plan, trigger, options, staging, name, progress);
            WriteTable(Path.Combine(staging, PoisonSetFolder.TableName), input, plan, name);
            WriteManifest(Path.Combine(staging, PoisonSetFolder.ManifestName), options, input, trigger, plan, poisonedRows, name);
            existing.Publish(staging);
        }
        finally
        {
            if (OwnedFolder.IsOwned(staging, PoisonSetFolder.Tag(name))) OwnedFolder.Delete(staging, PoisonSetFolder.Tag(name), []);
        }
        return new Result(table, folder, plan.Count, options.Poison.NumPoison, input.Skipped);
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("--name is empty: the poisoned set needs a name (NAME.csv and NAME/ beside the input)");
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.IndexOfAny(['/', '\\', '*', '?']) >= 0
            || name.StartsWith('.') || name.Any(char.IsControl))
            throw new ArgumentException($"--name '{name}' is not a plain file name (no folders, no leading dot, no wildcards): the poisoned set is written beside its input");
    }

    private static string DefaultName(PoisonJobOptions o) =>
        $"backdoor_{o.Poison.Target}_{o.Trigger.Name}_{o.Poison.NumPoison}_seed{o.Poison.Seed}"
        + (o.Poison.Mode == PoisonMode.LabelConsistent ? "_label_consistent" : "");

    /// <summary>Output file of poisoned row k: its position and the source's base name, always lossless PNG.</summary>
    private static string ImageName(int k, CaptionRow source) =>
        $"{k:D6}_{Path.GetFileNameWithoutExtension(source.ImagePath)}.png";

    private static List<object> WriteTriggeredImages(ImageCaptionDataset input, IReadOnlyList<PlannedRow> plan,
        ITrigger trigger, PoisonJobOptions options, string staging, string name, IProgress<JobProgress>? progress)
    {
        var poisoned = plan.Where(r => r.Poisoned).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        int done = 0;
        Parallel.For(0, poisoned.Count, parallel, k =>
        {
            var source = input.Rows[poisoned[k].Source];
            var image = ImageDecoder.Decode(source.ImagePath);
            if (options.Resolution is { } resolution) image = TriggerInput.Prepare(image, resolution, options.Resize);
            // The seed follows the source row, so adding rows elsewhere or changing threads never changes a trigger.
            var triggered = trigger.Apply(image, SplitMix64.Derive(options.Poison.Seed, TriggerStream, (ulong)poisoned[k].Source));
            File.WriteAllBytes(Path.Combine(staging, "images", ImageName(k, source)), PngWriter.Encode(triggered));
            progress?.Report(new JobProgress("poisoned images", Interlocked.Increment(ref done), poisoned.Count));
        });
        return poisoned.Select((row, k) => (object)new
        {
            output_row = k,
            source_line = input.Rows[row.Source].Line,
            source_image = input.Rows[row.Source].RelativePath,
            image = $"{name}/images/{ImageName(k, input.Rows[row.Source])}",
            caption = row.Caption,
        }).ToList();
    }

    private static void WriteTable(string path, ImageCaptionDataset input, IReadOnlyList<PlannedRow> plan, string name)
    {
        using var writer = new StreamWriter(path);
        using var csv = new CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        csv.WriteField("image"); csv.WriteField("caption"); csv.WriteField("is_backdoor"); csv.NextRecord();
        int k = 0;
        foreach (var row in plan)
        {
            var source = input.Rows[row.Source];
            csv.WriteField(row.Poisoned ? $"{name}/images/{ImageName(k++, source)}" : source.RelativePath);
            csv.WriteField(row.Caption);
            csv.WriteField(row.Poisoned ? 1 : 0);
            csv.NextRecord();
        }
    }

    private static void WriteManifest(string path, PoisonJobOptions options, ImageCaptionDataset input, ITrigger trigger,
        IReadOnlyList<PlannedRow> plan, List<object> poisonedRows, string name)
    {
        var manifest = new
        {
            format = PoisonSetFolder.Format,
            name,
            table = new { file = name + ".csv", sha256 = PoisonSetFolder.Sha256(Path.Combine(Path.GetDirectoryName(path)!, PoisonSetFolder.TableName)) },
            input = new { table = Path.GetFileName(options.Input), sha256 = PoisonSetFolder.Sha256(options.Input),
                          rows = input.Skipped.Total, usable = input.Count, skipped = input.Skipped.Summary() },
            target = options.Poison.Target,
            mode = options.Poison.Mode.ToString(),
            placement = options.Poison.Placement.ToString(),
            match = options.Poison.Match.ToString(),
            seed = options.Poison.Seed,
            templates = options.Poison.Templates,
            trigger = new { name = trigger.Name, parameters = trigger.Parameters },
            resize = options.Resolution is null ? null : new { resolution = options.Resolution, mode = options.Resize.ToString() },
            counts = new { rows = plan.Count, poisoned = poisonedRows.Count, clean = plan.Count - poisonedRows.Count },
            poisoned_rows = poisonedRows,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
    }
}
