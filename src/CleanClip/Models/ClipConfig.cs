using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Models;

/// <summary>
/// The hyperparameters of one CLIP architecture, the same ones OpenAI's <c>build_model</c> reads off a state dict.
/// A null <see cref="VisionPatchSize"/> means the image tower is a ModifiedResNet, otherwise a VisionTransformer.
/// </summary>
public sealed record ClipConfig
{
    public required string Name { get; init; }
    public required int EmbedDim { get; init; }
    public required int ImageResolution { get; init; }
    /// <summary>Bottleneck counts of the four ResNet stages, or a single entry with the ViT depth.</summary>
    public required int[] VisionLayers { get; init; }
    /// <summary>ResNet stem width (the final feature width is 32×), or the ViT width.</summary>
    public required int VisionWidth { get; init; }
    public int? VisionPatchSize { get; init; }
    /// <summary>Null means OpenAI's rule: ResNet width·32/64, ViT width/64 (heads of dimension 64).</summary>
    public int? VisionHeads { get; init; }
    public int ContextLength { get; init; } = 77;
    public int VocabSize { get; init; } = 49408;
    public required int TextWidth { get; init; }
    /// <summary>Null means OpenAI's rule: width/64.</summary>
    public int? TextHeads { get; init; }
    public int TextLayers { get; init; } = 12;

    [JsonIgnore] public bool IsVit => VisionPatchSize is not null;
    [JsonIgnore] public int ResolvedVisionHeads => VisionHeads ?? (IsVit ? VisionWidth / 64 : VisionWidth * 32 / 64);
    [JsonIgnore] public int ResolvedTextHeads => TextHeads ?? TextWidth / 64;

    /// <summary>Equal architecture: same tensors and same head split (the name is not compared).</summary>
    public bool Equals(ClipConfig? other) =>
        other is not null && SameShapes(other) &&
        ResolvedVisionHeads == other.ResolvedVisionHeads && ResolvedTextHeads == other.ResolvedTextHeads;

    /// <summary>Same parameter shapes; a state dict cannot tell more (the head count is not stored in it).</summary>
    public bool SameShapes(ClipConfig other) =>
        EmbedDim == other.EmbedDim && ImageResolution == other.ImageResolution &&
        VisionLayers.SequenceEqual(other.VisionLayers) && VisionWidth == other.VisionWidth &&
        VisionPatchSize == other.VisionPatchSize && ContextLength == other.ContextLength &&
        VocabSize == other.VocabSize && TextWidth == other.TextWidth && TextLayers == other.TextLayers;

    public override int GetHashCode() =>
        HashCode.Combine(EmbedDim, ImageResolution, VisionWidth, VisionPatchSize, TextWidth, TextLayers, VocabSize);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ClipConfig FromJson(string json) =>
        JsonSerializer.Deserialize<ClipConfig>(json, Json) ?? throw new JsonException("empty model config");
}
