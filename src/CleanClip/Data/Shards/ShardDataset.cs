using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CleanClip.Data.Pipeline;

namespace CleanClip.Data;

/// <summary>
/// WebDataset shards (img2dataset's <c>00000.tar</c> … with <c>KEY.jpg</c>, <c>KEY.txt</c>, <c>KEY.json</c>) read as an
/// <see cref="ImageCaptionDataset"/>, so that every command taking an image–caption table takes a shard pattern too.
/// <para>
/// Design: the training pipeline (<see cref="BatchPipeline{TItem}"/>) draws items by index in a seeded per-epoch order
/// and resumes mid-epoch by batch number, so it needs random access by row. Rather than stream shards in a new order,
/// each shard is indexed once: <see cref="ShardReader"/> walks its tar headers (seeking over image data) and reads the
/// captions, recording each image's byte range (<see cref="System.Formats.Tar.TarEntry.DataOffset"/> and length). The
/// rows are the samples in pattern order (shards as the pattern expands, samples in tar order), each carrying a
/// <see cref="TarMember"/>; a pipeline reads an image by seeking into its shard (<see cref="CaptionRow.ReadBytes"/>).
/// Everything downstream is unchanged: the same shuffle, item seeds, caption views and fingerprint as for a table, so
/// shards holding the same pairs in the same order as a table train to the same model bit for bit.
/// </para>
/// <para>
/// With <see cref="CaptionTableOptions.ShardIndexFolder"/> set (train and clean use the run folder's
/// <c>shard-index/</c>, scan its <c>--cache-dir</c>), each shard's index is kept there as JSON keyed by the shard's
/// full path and checked against its size and modification time, so later runs and <c>--resume</c> skip the walk.
/// </para>
/// </summary>
public static class ShardDataset
{
    public const string IndexFolderName = "shard-index";

    /// <summary>
    /// The samples of every shard <paramref name="patterns"/> names (<see cref="ShardPattern.Expand"/>). Keys that do
    /// not make a pair are skipped and counted in <see cref="ImageCaptionDataset.Skipped"/> as <c>SHARD/KEY</c>; a missing
    /// shard, or one whose rest is unreadable past a corrupt header, is a note there. With
    /// <see cref="CaptionTableOptions.CheckImages"/> every image is decoded and the undecodable ones skipped too.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed pattern, or one naming something other than local .tar files.</exception>
    /// <exception cref="FileNotFoundException">None of the shards exists.</exception>
    /// <exception cref="InvalidDataException">The shards hold no usable sample.</exception>
    public static ImageCaptionDataset Load(string patterns, CaptionTableOptions? options = null)
    {
        options ??= new CaptionTableOptions();
        var absolute = ShardPattern.Absolute(patterns);
        // Expanded as the user wrote it, so that a malformed pattern is named in their spelling.
        var shards = ShardPattern.Expand(patterns).Select(p => Path.GetFullPath(p)).ToList();
        if (shards.FirstOrDefault(s => !s.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)) is { } other)
            throw new ArgumentException($"shard pattern '{patterns}' names '{other}', which is not a .tar file: shards are read as local, uncompressed tar files (decompress .tar.gz shards first)");
        var root = Path.GetDirectoryName(shards[0])!;
        var indexes = new ShardIndex?[shards.Count];
        var problems = new string?[shards.Count];
        Parallel.For(0, shards.Count, i =>
        {
            try
            {
                indexes[i] = ShardIndex.Load(shards[i], options.ShardIndexFolder);
            }
            catch (FileNotFoundException)
            {
                problems[i] = "shard not found";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems[i] = $"cannot read the shard: {e.Message}";
            }
        });
        if (indexes.All(i => i is null))
            throw new FileNotFoundException($"shard pattern '{patterns}': none of its {shards.Count} shards can be read; first: {shards[0]}: {problems[0]}", shards[0]);

        var report = new DatasetReport("samples");
        var rows = new List<CaptionRow>();
        for (int i = 0; i < shards.Count; i++)
        {
            var name = Path.GetRelativePath(root, shards[i]).Replace('\\', '/');
            if (indexes[i] is not { } index)
            {
                report.Note($"{name}: {problems[i]}");
                continue;
            }
            report.Total += index.Samples.Count + index.Skipped.Count;
            foreach (var skip in index.Skipped) report.Skip(new SkippedRow(0, $"{name}/{skip.Key}", skip.Reason, skip.Detail));
            if (index.Stop is { } stop)
                report.Note($"{name}: unreadable tar header at byte {stop.Offset} ({stop.Message}); the rest of the shard is skipped");
            foreach (var sample in index.Samples)
            {
                var relative = $"{name}/{sample.ImageMember}";
                bool? isBackdoor = options.BackdoorFromPath ? relative.Contains("backdoor", StringComparison.Ordinal) : null;
                rows.Add(new CaptionRow(0, $"{shards[i]}/{sample.ImageMember}", relative, sample.Caption, isBackdoor)
                {
                    Member = new TarMember(shards[i], sample.ImageMember, sample.ImageOffset, sample.ImageLength),
                });
            }
        }
        if (options.CheckImages) rows = ImageCaptionDataset.DecodableOnly(rows, report);
        if (report.Total == 0) throw new InvalidDataException($"{patterns}: no samples in its {shards.Count} shards ({report.Summary()})");
        if (rows.Count == 0) throw new InvalidDataException($"{patterns}: no usable samples: {report.Summary()}");
        return new ImageCaptionDataset(absolute, root, rows, report);
    }
}

/// <summary>
/// One shard's index: its samples (image byte ranges and captions), the keys it skipped and where it broke off, as of
/// the shard's size and modification time. Kept as JSON in an index folder when one is given.
/// </summary>
internal sealed record ShardIndex(string Format, int Version, string Shard, long Size, long ModifiedTicks,
    IReadOnlyList<ShardSample> Samples, IReadOnlyList<ShardSkip> Skipped, ShardStop? Stop)
{
    public const string FormatName = "cleanclip-shard-index";
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The index of <paramref name="shard"/>: from <paramref name="folder"/> when it holds one for the shard as it is now, else built (and kept there).</summary>
    /// <exception cref="FileNotFoundException">No shard at <paramref name="shard"/>.</exception>
    public static ShardIndex Load(string shard, string? folder)
    {
        if (!File.Exists(shard)) throw new FileNotFoundException($"shard not found: {shard}", shard);
        var (size, ticks) = DecodedCache.Stat(shard);
        var file = folder is null ? null : Path.Combine(folder, FileName(shard));
        if (file is not null && Read(file) is { } kept
            && kept.Format == FormatName && kept.Version == CurrentVersion && kept.Shard == shard && kept.Size == size && kept.ModifiedTicks == ticks)
            return kept;
        var log = new ShardLog();
        var samples = ShardReader.Read(shard, log, readBytes: false).ToList();
        var index = new ShardIndex(FormatName, CurrentVersion, shard, size, ticks, samples, log.Skipped, log.Stop);
        if (file is not null)
        {
            Directory.CreateDirectory(folder!);
            AtomicFile.WriteAllText(file, JsonSerializer.Serialize(index, Json));
        }
        return index;
    }

    /// <summary>The shard's file name and a hash of its full path: readable, and distinct for same-named shards in other folders.</summary>
    public static string FileName(string shard) =>
        $"{Path.GetFileName(shard)}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(shard)))[..16]}.json";

    // An unreadable or foreign file is no index: the shard is walked again and the file replaced.
    private static ShardIndex? Read(string file)
    {
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize<ShardIndex>(File.ReadAllText(file), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
