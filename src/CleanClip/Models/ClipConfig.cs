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
    /// <summary>The transformer MLPs' activation (both towers of a ViT, the text tower of a ResNet model).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<MlpActivation>))]
    public MlpActivation Activation { get; init; } = MlpActivation.QuickGelu;

    [JsonIgnore] public bool IsVit => VisionPatchSize is not null;
    [JsonIgnore] public int ResolvedVisionHeads => VisionHeads ?? (IsVit ? VisionWidth / 64 : VisionWidth * 32 / 64);
    [JsonIgnore] public int ResolvedTextHeads => TextHeads ?? TextWidth / 64;

    /// <summary>Equal architecture: same tensors, same head split and same activation (the name is not compared).</summary>
    public bool Equals(ClipConfig? other) =>
        other is not null && SameShapes(other) && Activation == other.Activation &&
        ResolvedVisionHeads == other.ResolvedVisionHeads && ResolvedTextHeads == other.ResolvedTextHeads;

    /// <summary>Same parameter shapes; a state dict cannot tell more (the head count is not stored in it).</summary>
    public bool SameShapes(ClipConfig other) =>
        EmbedDim == other.EmbedDim && ImageResolution == other.ImageResolution &&
        VisionLayers.SequenceEqual(other.VisionLayers) && VisionWidth == other.VisionWidth &&
        VisionPatchSize == other.VisionPatchSize && ContextLength == other.ContextLength &&
        VocabSize == other.VocabSize && TextWidth == other.TextWidth && TextLayers == other.TextLayers;

    /// <summary>The width an image tower's attention runs at: the ViT width, or the ResNet's attention pool (32× the stem).</summary>
    [JsonIgnore] public int VisionAttentionWidth => IsVit ? VisionWidth : VisionWidth * 32;

    /// <summary>
    /// Why no model can be built from this config (each reason names the field and what it must be), checked without
    /// allocating anything; empty when it can be built. A null head count whose width is below 64 (OpenAI's rule
    /// gives 0 heads) is reported as a head count that must be given.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void AtLeast(string field, long value, long min)
        {
            if (value < min) problems.Add($"{field} is {value}, expected at least {min}");
        }
        if (string.IsNullOrEmpty(Name)) problems.Add("Name is missing");
        AtLeast(nameof(EmbedDim), EmbedDim, 1);
        AtLeast(nameof(ContextLength), ContextLength, 1);
        AtLeast(nameof(VocabSize), VocabSize, 1);
        AtLeast(nameof(TextWidth), TextWidth, 1);
        AtLeast(nameof(TextLayers), TextLayers, 0);
        int expectedStages = IsVit ? 1 : 4;
        if (VisionLayers is null || VisionLayers.Length != expectedStages)
            problems.Add($"VisionLayers has {VisionLayers?.Length ?? 0} entries, expected {expectedStages} ({(IsVit ? "the ViT depth" : "the four ResNet stages")})");
        else
            foreach (var layers in VisionLayers) AtLeast(nameof(VisionLayers), layers, IsVit ? 0 : 1);
        if (IsVit)
        {
            AtLeast(nameof(VisionPatchSize), VisionPatchSize!.Value, 1);
            AtLeast(nameof(VisionWidth), VisionWidth, 1);
            AtLeast(nameof(ImageResolution), ImageResolution, Math.Max(1, VisionPatchSize.Value));
        }
        else
        {
            // The stem's first convolutions have VisionWidth/2 channels; the attention pool works on a grid of resolution/32.
            AtLeast(nameof(VisionWidth), VisionWidth, 2);
            AtLeast(nameof(ImageResolution), ImageResolution, 32);
        }
        if (problems.Count == 0)
        {
            HeadProblem(problems, "text", TextHeads, ResolvedTextHeads, TextWidth);
            HeadProblem(problems, "vision", VisionHeads, ResolvedVisionHeads, VisionAttentionWidth);
        }
        return problems;
    }

    /// <exception cref="ArgumentException">The config describes no buildable model; the message lists every <see cref="Problems"/>.</exception>
    public void EnsureBuildable()
    {
        if (Problems() is { Count: > 0 } problems)
            throw new ArgumentException($"model config '{Name}' cannot be built: {string.Join("; ", problems)}");
    }

    private static void HeadProblem(List<string> problems, string tower, int? given, int resolved, int width)
    {
        if (given is null && resolved < 1)
            problems.Add(HeadsNotInferable(tower, width));
        else if (resolved < 1 || width % resolved != 0)
            problems.Add($"{tower} heads is {resolved}, expected a divisor of the {tower} attention width {width}");
    }

    /// <summary>The message for a tower whose head count neither the config nor OpenAI's rule (heads of dimension 64) gives.</summary>
    public static string HeadsNotInferable(string tower, int width) =>
        $"the {tower} attention width {width} is not a multiple of 64, so its head count cannot be inferred from the " +
        $"tensor shapes (OpenAI's rule: width/64 heads); give it with --{tower}-heads N, or name the architecture with --model-config NAME";

    public override int GetHashCode() =>
        HashCode.Combine(EmbedDim, ImageResolution, VisionWidth, VisionPatchSize, TextWidth, TextLayers, VocabSize);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ClipConfig FromJson(string json) =>
        JsonSerializer.Deserialize<ClipConfig>(json, Json) ?? throw new JsonException("empty model config");
}
