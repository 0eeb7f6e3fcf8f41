using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// <c>index.json</c> of a decoded cache. It is written last, after every shard it names is complete on disk, so its
/// presence is the cache's claim to be complete.
/// </summary>
internal sealed record DecodedCacheIndex(
    string Format,
    int Version,
    int Resolution,
    IReadOnlyList<CachedShard> Shards,
    IReadOnlyList<CachedSource> Sources)
{
    public const string FormatName = "cleanclip-decoded-cache";
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DecodedCacheIndex? FromJson(string json) => JsonSerializer.Deserialize<DecodedCacheIndex>(json, Json);
}

/// <summary>One shard file: <c>Images</c> images of R×R×3 bytes, HWC, back to back.</summary>
internal sealed record CachedShard(string File, int Images);

/// <summary>
/// A source image as it was when decoded: its size and modification time tell a changed file from the cached one
/// without reading it. <c>Shard</c> is -1 and <c>Missing</c> the decoder's reason when it could not be decoded.
/// </summary>
internal sealed record CachedSource(string Path, long Size, long ModifiedTicks, int Shard, int Slot, string? Missing);
