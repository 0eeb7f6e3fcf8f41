using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using CleanClip.Data;

namespace CleanClip.Poisoning.Dataset;

/// <summary>
/// Writes a poisoned set as WebDataset shards <c>000000.tar</c>, <c>000001.tar</c>, … of at most
/// <see cref="PoisonJobOptions.SamplesPerShard"/> samples, the plan's rows in order. Each sample is three members, as
/// img2dataset lays them out: <c>KEY.EXT</c>, the image (a clean row's bytes exactly as the input holds them, under
/// their own extension; a poisoned row's triggered PNG from <see cref="PoisonImages"/>); <c>KEY.txt</c>, the caption in
/// UTF-8 without a trailing newline; <c>KEY.json</c>, the caption, <c>is_backdoor</c> and the source.
/// </summary>
internal sealed class PoisonShards(ImageCaptionDataset input, IReadOnlyList<PlannedRow> plan, IReadOnlyList<string> keys, PoisonImages images,
    IProgress<JobProgress>? progress)
{
    /// <summary>Appended to the key of the poisoned copy that <see cref="PoisonPlacement.Add"/> writes beside the clean original.</summary>
    public const string AddedSuffix = "_poisoned";

    /// <summary>Rows whose triggered images are made together, then written: enough to keep every core busy, few enough to hold in memory.</summary>
    private const int Block = 256;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// The key of each planned row: for shard input the input sample's key with its dots made underscores (webdataset
    /// takes a member's key up to the first dot of its file name), for a table the input row's number in 9 digits; a
    /// poisoned copy added beside its clean original gets <see cref="AddedSuffix"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The plan has no rows: a WebDataset set needs a sample.</exception>
    /// <exception cref="InvalidDataException">Two rows would have the same key in one shard.</exception>
    public static IReadOnlyList<string> Keys(ImageCaptionDataset input, IReadOnlyList<PlannedRow> plan, PoisonJobOptions options)
    {
        if (plan.Count == 0)
            throw new ArgumentException("the poisoned set would have no rows (--size 0 and --num-poison 0): a WebDataset set needs at least one sample");
        var keys = plan.Select(row => InputKey(input.Rows[row.Source], row.Source)
            + (row.Poisoned && options.Poison.Placement == PoisonPlacement.Add ? AddedSuffix : "")).ToList();
        for (int start = 0; start < plan.Count; start += options.SamplesPerShard)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = start; i < Math.Min(plan.Count, start + options.SamplesPerShard); i++)
                if (!seen.TryAdd(keys[i], i))
                    throw new InvalidDataException($"{options.Input}: the samples {Source(input.Rows[plan[seen[keys[i]]].Source])} and "
                        + $"{Source(input.Rows[plan[i].Source])} would both be key '{keys[i]}' in {PoisonSetFolder.ShardName(start / options.SamplesPerShard)}; "
                        + "a WebDataset key must be unique within its shard: give the input samples distinct keys");
        }
        return keys;
    }

    /// <summary>Writes the shards into <paramref name="staging"/>, <paramref name="perShard"/> samples to a shard.</summary>
    public WrittenSet Write(string staging, int perShard)
    {
        var shards = new List<object>();
        var poisonedRows = new List<object>();
        for (int start = 0; start < plan.Count; start += perShard)
        {
            string file = PoisonSetFolder.ShardName(start / perShard), path = Path.Combine(staging, file);
            var rows = Enumerable.Range(start, Math.Min(perShard, plan.Count - start)).ToList();
            WriteShard(path, rows);
            shards.Add(new { file, samples = rows.Count, sha256 = PoisonSetFolder.Sha256(path) });
            poisonedRows.AddRange(rows.Where(i => plan[i].Poisoned).Select(i => (object)new
            {
                output_row = i,
                shard = file,
                key = keys[i],
                image = $"{file}/{keys[i]}.png",
                source = Source(input.Rows[plan[i].Source]),
                caption = plan[i].Caption,
            }));
        }
        return new WrittenSet("shards", shards, poisonedRows);
    }

    private void WriteShard(string path, IReadOnlyList<int> rows)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        using var tar = new TarWriter(stream, TarEntryFormat.Pax);
        foreach (var block in rows.Chunk(Block))
        {
            var poisoned = block.Where(i => plan[i].Poisoned).ToList();
            var triggered = new byte[poisoned.Count][];
            images.Make(poisoned.Select(i => plan[i].Source).ToList(), (k, png) => triggered[k] = png);
            int next = 0;
            foreach (int i in block)
            {
                var source = input.Rows[plan[i].Source];
                var (extension, image) = plan[i].Poisoned ? ("png", triggered[next++]) : CleanImage(source);
                WriteMember(tar, $"{keys[i]}.{extension}", image);
                WriteMember(tar, $"{keys[i]}.{ShardReader.CaptionExtension}", Utf8.GetBytes(plan[i].Caption));
                WriteMember(tar, $"{keys[i]}.{ShardReader.JsonExtension}", JsonSerializer.SerializeToUtf8Bytes(
                    new { caption = plan[i].Caption, is_backdoor = plan[i].Poisoned ? 1 : 0, source = Source(source) }));
            }
            progress?.Report(new JobProgress("samples written", block[^1] + 1, plan.Count));
        }
    }

    /// <summary>
    /// A clean row's image member: its bytes as they are, under their own extension lowercased when OpenCLIP reads it
    /// (jpg, png, jpeg, webp); an image of another format (bmp, gif, …) goes in as the PNG of the pixels training decodes.
    /// </summary>
    private static (string Extension, byte[] Bytes) CleanImage(CaptionRow row)
    {
        var bytes = row.ReadBytes();
        var extension = Path.GetExtension(row.Member?.Name ?? row.ImagePath).TrimStart('.').ToLowerInvariant();
        return ShardReader.ImageExtensions.Contains(extension)
            ? (extension, bytes)
            : ("png", PngWriter.Encode(ImageDecoder.Decode(bytes, row.ImagePath)));
    }

    /// <summary>A regular file member, with a fixed modification time so that the same seed gives the same shard bytes.</summary>
    private static void WriteMember(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            ModificationTime = DateTimeOffset.UnixEpoch,
            DataStream = new MemoryStream(data, writable: false),
        });

    private static string InputKey(CaptionRow row, int source) =>
        row.Member is { } member && ShardReader.Split(member.Name, out var key, out _) ? key.Replace('.', '_') : $"{source:D9}";

    /// <summary>Where a row comes from: a sample as <c>SHARD/KEY</c>, a table row as its image path as the table writes it.</summary>
    private static string Source(CaptionRow row) =>
        row.Member is not null && ShardReader.Split(row.RelativePath, out var key, out _) ? key : row.RelativePath;
}
