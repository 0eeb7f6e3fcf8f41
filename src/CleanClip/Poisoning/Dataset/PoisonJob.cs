using CleanClip.Data;

namespace CleanClip.Poisoning.Dataset;

/// <summary>What <c>cleanclip poison</c> writes (<c>--output-format</c>).</summary>
public enum PoisonOutputFormat
{
    /// <summary>NAME.csv beside the input table, whose clean rows point at the input's image files, plus NAME/ with the triggered images and manifest.json.</summary>
    Csv,
    /// <summary>NAME/ holding WebDataset shards 000000.tar, 000001.tar, … with every sample's image, caption and json, plus manifest.json.</summary>
    WebDataset,
}

/// <summary>Options of <c>cleanclip poison</c>; the CLI takes its defaults from here.</summary>
public sealed record PoisonJobOptions
{
    /// <summary>The clean image–caption table, or WebDataset shards as an OpenCLIP pattern (<see cref="ShardPattern"/>; needs <see cref="PoisonOutputFormat.WebDataset"/>).</summary>
    public required string Input { get; init; }
    /// <summary>Name of the poisoned set, written beside the input (the table's folder, or the first shard's) as NAME.csv
    /// plus the folder NAME/ (triggered images and manifest.json), or as the folder NAME/ of shards, so every path stays
    /// inside the dataset's root; null gives a name from the options.</summary>
    public string? Name { get; init; }
    public PoisonOutputFormat OutputFormat { get; init; } = PoisonOutputFormat.Csv;
    /// <summary>The default <see cref="SamplesPerShard"/>, as img2dataset's.</summary>
    public const int DefaultSamplesPerShard = 10_000;
    /// <summary>Samples in each shard of a WebDataset set; the last shard holds the rest.</summary>
    public int SamplesPerShard { get; init; } = DefaultSamplesPerShard;
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
/// <c>cleanclip poison</c>: a clean caption table or set of shards in, a poisoned set out (a table with the triggered
/// images, or WebDataset shards), with a manifest that names every poisoned row, the trigger and its parameters, the
/// seed and the input's hash. Built in a hidden folder and renamed into place (a CSV set's table last), so an
/// interrupted run never leaves a set that looks complete.
/// </summary>
public static class PoisonJob
{
    /// <param name="Table">What <c>--train-data</c> takes: NAME.csv, or for a WebDataset set the pattern of its shards (<c>NAME/{000000..000002}.tar</c>).</param>
    /// <param name="Folder">NAME/: the triggered images and the manifest, or the shards and the manifest.</param>
    public sealed record Result(string Table, string Folder, int Rows, int Poisoned, DatasetReport InputReport);

    /// <summary>The manifest's file name inside <see cref="Result.Folder"/>: every poisoned row, the trigger and the seed.</summary>
    public const string ManifestFileName = PoisonSetFolder.ManifestName;

    public static Result Run(PoisonJobOptions options, IProgress<JobProgress>? progress = null)
    {
        string name = options.Name ?? DefaultName(options);
        CheckOptions(options, name);
        // Every image is decoded up front, so a corrupt one is skipped and reported instead of failing half-way.
        var input = ImageCaptionDataset.Load(options.Input, options.Table with { CheckImages = true });
        var trigger = TriggerFactory.Create(options.Trigger);
        var plan = PoisonPlan.Create(input.Rows.Select(r => r.Caption).ToList(), options.Poison);
        // Keys are checked before anything is written, so a clash fails at once.
        var keys = options.OutputFormat == PoisonOutputFormat.WebDataset ? PoisonShards.Keys(input, plan, options) : null;
        string folder = Path.Combine(input.Root, name);
        string? table = options.OutputFormat == PoisonOutputFormat.Csv ? Path.Combine(input.Root, name + ".csv") : null;
        var existing = Inspect(options, input, table, folder, name);

        string tag = PoisonSetFolder.Tag(name, options.OutputFormat);
        string staging = Path.Combine(input.Root, $".{name}.partial-{Guid.NewGuid():N}");
        OwnedFolder.Create(staging, tag);
        try
        {
            var images = new PoisonImages(input, trigger, options, plan.Count(r => r.Poisoned), progress);
            var written = keys is null
                ? PoisonTable.Write(input, plan, images, staging, name)
                : new PoisonShards(input, plan, keys, images, progress).Write(staging, options.SamplesPerShard);
            PoisonManifest.Write(Path.Combine(staging, PoisonSetFolder.ManifestName), options, input, trigger, plan, written, name);
            existing.Publish(staging);
        }
        finally
        {
            if (OwnedFolder.IsOwned(staging, tag)) OwnedFolder.Delete(staging, tag, []);
        }
        return new Result(table ?? ShardsPattern(folder, plan.Count, options.SamplesPerShard), folder, plan.Count, options.Poison.NumPoison, input.Skipped);
    }

    /// <summary>
    /// What stands at the set's place, checked: nothing there that the command may not replace, nothing complete to
    /// replace without --overwrite. Staging folders of killed runs of the set are removed.
    /// </summary>
    private static PoisonSetFolder Inspect(PoisonJobOptions options, ImageCaptionDataset input, string? table, string folder, string name)
    {
        if (table is not null && Path.GetFullPath(table) == Path.GetFullPath(options.Input))
            throw new ArgumentException($"the poisoned table would overwrite its input {options.Input}; choose another --name");
        var inputs = input.IsShards ? InputShards(input) : input.Rows.Select(r => r.ImagePath).Prepend(input.TablePath).ToList();
        var existing = PoisonSetFolder.Inspect(table, folder, name, options.OutputFormat, inputs);
        if (existing.NeedsOverwrite && !options.Overwrite)
            throw new IOException($"{(table is null ? folder : $"{table} or {folder}")} already exists; pass --overwrite to replace it");
        PoisonSetFolder.RemoveStale(input.Root, name, inputs);
        return existing;
    }

    /// <summary>The shard files an input pattern names that exist, in pattern order.</summary>
    internal static IReadOnlyList<string> InputShards(ImageCaptionDataset input) =>
        ShardPattern.Expand(input.TablePath).Select(Path.GetFullPath).Distinct().Where(File.Exists).ToList();

    /// <summary>The OpenCLIP pattern of a WebDataset set's shards: <c>NAME/{000000..000002}.tar</c>, or <c>NAME/000000.tar</c> for one.</summary>
    private static string ShardsPattern(string folder, int rows, int perShard)
    {
        int shards = (rows + perShard - 1) / perShard;
        string first = PoisonSetFolder.ShardName(0), last = PoisonSetFolder.ShardName(shards - 1);
        return Path.Combine(folder, shards == 1 ? first : $"{{{Path.GetFileNameWithoutExtension(first)}..{Path.GetFileNameWithoutExtension(last)}}}.tar");
    }

    private static void CheckOptions(PoisonJobOptions options, string name)
    {
        CheckName(name);
        if (options.Resolution is <= 0)
            throw new ArgumentException($"--resolution must be a positive number of pixels, got {options.Resolution}");
        if (options.SamplesPerShard <= 0)
            throw new ArgumentException($"--samples-per-shard must be a positive number of samples, got {options.SamplesPerShard}");
        if (options.OutputFormat == PoisonOutputFormat.Csv && ShardPattern.IsShardInput(options.Input))
            throw new ArgumentException($"--input {options.Input} names WebDataset shards: pass --output-format webdataset (a CSV table cannot point at tar members)");
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("--name is empty: the poisoned set needs a name (NAME.csv and NAME/, or NAME/ of shards, beside the input)");
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.IndexOfAny(['/', '\\', '*', '?']) >= 0
            || name.StartsWith('.') || name.Any(char.IsControl))
            throw new ArgumentException($"--name '{name}' is not a plain file name (no folders, no leading dot, no wildcards): the poisoned set is written beside its input");
    }

    private static string DefaultName(PoisonJobOptions o) =>
        $"backdoor_{o.Poison.Target}_{o.Trigger.Name}_{o.Poison.NumPoison}_seed{o.Poison.Seed}"
        + (o.Poison.Mode == PoisonMode.LabelConsistent ? "_label_consistent" : "");
}
