
namespace CleanClip.Data;

/// <summary>
/// How to read an image–caption table. The defaults follow CleanCLIP (<c>image</c>, <c>caption</c>, comma);
/// <see cref="OpenClip"/> follows OpenCLIP's CSV loader (<c>filepath</c>, <c>title</c>, tab).
/// </summary>
public sealed record CaptionTableOptions
{
    /// <summary>The optional column that marks poisoned rows (0/1/true/false), as the reference reads it.</summary>
    public const string BackdoorKey = "is_backdoor";

    public static CaptionTableOptions CleanClip { get; } = new();

    public static CaptionTableOptions OpenClip { get; } = new() { ImageKey = "filepath", CaptionKey = "title", Delimiter = '\t' };

    public string ImageKey { get; init; } = "image";

    public string CaptionKey { get; init; } = "caption";

    /// <summary>
    /// The field separator. Left null it is chosen by the file's extension: tab for <c>.tsv</c>, otherwise comma
    /// (CleanCLIP's default); a value given here always wins over the extension.
    /// </summary>
    public char? Delimiter { get; init; }

    /// <summary>Accept images that lie outside the table's folder (by <c>..</c>, an absolute path, or a symbolic link).</summary>
    public bool AllowOutsideRoot { get; init; }

    /// <summary>Decode every image (in parallel) and skip those that fail; without it only existence is checked.</summary>
    public bool CheckImages { get; init; }

    /// <summary>
    /// Without an <c>is_backdoor</c> column, flag rows whose path contains "backdoor", as the reference does silently;
    /// off by default, which leaves <see cref="CaptionRow.IsBackdoor"/> null.
    /// </summary>
    [ReferenceSwitch]
    public bool BackdoorFromPath { get; init; }

    /// <summary>
    /// Where the per-shard indexes of a WebDataset input are kept between runs (<see cref="ShardDataset"/>); null
    /// indexes the shards in memory on every load. Ignored for a table.
    /// </summary>
    public string? ShardIndexFolder { get; init; }

    /// <summary>The separator used for <paramref name="path"/>: <see cref="Delimiter"/>, or the one its extension implies.</summary>
    public char DelimiterFor(string path) =>
        Delimiter ?? (path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',');
}
