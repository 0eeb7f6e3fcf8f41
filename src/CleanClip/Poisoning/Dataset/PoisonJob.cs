using CleanClip.Data;

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
        Directory.CreateDirectory(Path.Combine(staging, PoisonTable.ImagesFolder));
        try
        {
            var images = new PoisonImages(input, trigger, options, plan.Count(r => r.Poisoned), progress);
            var written = PoisonTable.Write(input, plan, images, staging, name);
            PoisonManifest.Write(Path.Combine(staging, PoisonSetFolder.ManifestName), options, input, trigger, plan, written, name);
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
}
