using System.Text.Json;
using CleanClip.Data;

namespace CleanClip.Poisoning.Dataset;

/// <summary>
/// What a writer left in the staging folder, as the manifest records it: its files (the table, or the shards) under
/// <paramref name="FilesKey"/>, and one entry per poisoned row.
/// </summary>
internal sealed record WrittenSet(string FilesKey, object Files, IReadOnlyList<object> PoisonedRows);

/// <summary>
/// A poisoned set's <c>manifest.json</c>: the set's files with their hashes, the input and its hash, the options that
/// decided the poison (target, mode, placement, seed, templates, trigger and its parameters, resize) and every poisoned row.
/// </summary>
internal static class PoisonManifest
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string path, PoisonJobOptions options, ImageCaptionDataset input, ITrigger trigger,
        IReadOnlyList<PlannedRow> plan, WrittenSet written, string name)
    {
        // A dictionary keeps the entries in the order they are added, so the file reads the same for every format.
        var manifest = new Dictionary<string, object?>
        {
            ["format"] = PoisonSetFolder.Format,
            ["output_format"] = PoisonSetFolder.FormatName(options.OutputFormat),
            ["name"] = name,
            [written.FilesKey] = written.Files,
            ["input"] = Input(options, input),
            ["target"] = options.Poison.Target,
            ["mode"] = options.Poison.Mode.ToString(),
            ["placement"] = options.Poison.Placement.ToString(),
            ["match"] = options.Poison.Match.ToString(),
            ["seed"] = options.Poison.Seed,
            ["templates"] = options.Poison.Templates,
            ["trigger"] = new { name = trigger.Name, parameters = trigger.Parameters },
            ["resize"] = options.Resolution is null ? null : new { resolution = options.Resolution, mode = options.Resize.ToString() },
            ["counts"] = new { rows = plan.Count, poisoned = written.PoisonedRows.Count, clean = plan.Count - written.PoisonedRows.Count },
            ["poisoned_rows"] = written.PoisonedRows,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, Indented));
    }

    /// <summary>The input table and its hash, or the shard pattern and each shard's hash, with the counts of what was usable.</summary>
    private static object Input(PoisonJobOptions options, ImageCaptionDataset input)
    {
        var (rows, usable, skipped) = (input.Skipped.Total, input.Count, input.Skipped.Summary());
        if (!input.IsShards)
            return new { table = Path.GetFileName(options.Input), sha256 = PoisonSetFolder.Sha256(options.Input), rows, usable, skipped };
        var files = PoisonJob.InputShards(input).Select(shard => new
        {
            file = Path.GetRelativePath(input.Root, shard).Replace('\\', '/'),
            sha256 = PoisonSetFolder.Sha256(shard),
        }).ToList();
        return new { shards = options.Input, files, rows, usable, skipped };
    }
}
