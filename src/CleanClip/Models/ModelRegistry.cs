namespace CleanClip.Models;

/// <summary>
/// Every architecture CleanClip knows, by name: OpenAI's released CLIP models (also under OpenCLIP's "-quickgelu"
/// names), the same architectures with exact GELU as OpenCLIP builds its plain configs, two tiny test models and the
/// demo's model. "RN50", "RN101" and the other ResNet names are OpenAI's models (QuickGELU), i.e. OpenCLIP's
/// RN50-quickgelu etc.; OpenCLIP's GELU ResNet configs, which OpenCLIP also calls "RN50" etc., are "RN50-gelu" etc. here.
/// OpenCLIP's GELU ViT names (ViT-B-32, ...) do not collide with OpenAI's (ViT-B/32, ...) and are used as they are.
/// </summary>
public static class ModelRegistry
{
    private static ClipConfig ResNet(string name, int embed, int res, int[] layers, int width, int textWidth) =>
        new() { Name = name, EmbedDim = embed, ImageResolution = res, VisionLayers = layers, VisionWidth = width, TextWidth = textWidth };

    private static ClipConfig Vit(string name, int embed, int res, int layers, int width, int patch, int textWidth) =>
        new() { Name = name, EmbedDim = embed, ImageResolution = res, VisionLayers = [layers], VisionWidth = width, VisionPatchSize = patch, TextWidth = textWidth };

    private static readonly ClipConfig[] OpenAi =
    [
        ResNet("RN50", 1024, 224, [3, 4, 6, 3], 64, 512),
        ResNet("RN101", 512, 224, [3, 4, 23, 3], 64, 512),
        ResNet("RN50x4", 640, 288, [4, 6, 10, 6], 80, 640),
        ResNet("RN50x16", 768, 384, [6, 8, 18, 8], 96, 768),
        ResNet("RN50x64", 1024, 448, [3, 15, 36, 10], 128, 1024),
        Vit("ViT-B/32", 512, 224, 12, 768, 32, 512),
        Vit("ViT-B/16", 512, 224, 12, 768, 16, 512),
        Vit("ViT-L/14", 768, 224, 24, 1024, 14, 768),
        Vit("ViT-L/14@336px", 768, 336, 24, 1024, 14, 768),
    ];

    /// <summary>OpenCLIP's name for each of OpenAI's architectures, without the "-quickgelu" suffix.</summary>
    private static readonly Dictionary<string, string> OpenClipBaseNames = new()
    {
        ["RN50"] = "RN50", ["RN101"] = "RN101", ["RN50x4"] = "RN50x4", ["RN50x16"] = "RN50x16", ["RN50x64"] = "RN50x64",
        ["ViT-B/32"] = "ViT-B-32", ["ViT-B/16"] = "ViT-B-16", ["ViT-L/14"] = "ViT-L-14", ["ViT-L/14@336px"] = "ViT-L-14-336",
    };

    // OpenCLIP's plain configs: OpenAI's tensors with exact GELU; a ResNet name gets "-gelu", as plain "RN50" is OpenAI's here.
    private static IEnumerable<ClipConfig> OpenClipGelu() => OpenAi.Select(c =>
        c with { Name = c.IsVit ? OpenClipBaseNames[c.Name] : OpenClipBaseNames[c.Name] + "-gelu", Activation = MlpActivation.Gelu });

    public static IReadOnlyList<ClipConfig> All { get; } =
    [
        .. OpenAi,
        .. OpenClipGelu(),
        // Tiny models for tests and the demo: 32 px images, 2 text layers of width 64, a 1024-token vocabulary
        // (the demo trains its own BPE merges to that size).
        ResNet("tiny-rn", 32, 32, [1, 1, 1, 1], 8, 64) with { VisionHeads = 4, TextHeads = 4, TextLayers = 2, VocabSize = 1024 },
        Vit("tiny-vit", 32, 32, 2, 64, 8, 64) with { VisionHeads = 4, TextHeads = 4, TextLayers = 2, VocabSize = 1024 },
        // The demo's model, trained from scratch on 2 CPU cores (docs/experiments/demo-recipe.md): a ResNet of stem width 16
        // (every convolution ≥ 8 channels; oneDNN's conv backward faults on narrow ones: docs/experiments/onednn-conv-nan.md),
        // a 128-d embedding and a 2-layer text tower of width 64.
        ResNet("demo-rn", 128, 32, [1, 1, 1, 1], 16, 64) with { VisionHeads = 8, TextHeads = 4, TextLayers = 2, VocabSize = 1024 },
    ];

    public static IEnumerable<string> Names => All.Select(c => c.Name);

    /// <summary>
    /// OpenCLIP's "-quickgelu" <c>--model</c> names (OpenAI's activation) with the registry name of OpenAI's model each
    /// is. Their tensors, key names and head counts are OpenAI's.
    /// </summary>
    public static IReadOnlyDictionary<string, string> OpenClipNames { get; } =
        OpenClipBaseNames.ToDictionary(kv => kv.Value + "-quickgelu", kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every name <see cref="TryGet"/> accepts: the registry's and OpenCLIP's -quickgelu names.</summary>
    public static IEnumerable<string> AcceptedNames => Names.Concat(OpenClipNames.Keys);

    public static bool TryGet(string name, out ClipConfig config)
    {
        var registryName = OpenClipNames.TryGetValue(name, out var alias) ? alias : name;
        config = All.FirstOrDefault(c => string.Equals(c.Name, registryName, StringComparison.OrdinalIgnoreCase))!;
        return config is not null;
    }

    public static ClipConfig Get(string name) =>
        TryGet(name, out var c) ? c : throw new ArgumentException(Unknown(name), nameof(name));

    /// <summary>The one line for a name that is no model here: "unknown model 'NAME'; " and <see cref="KnownModels"/>.</summary>
    public static string Unknown(string name) => $"unknown model '{name}'; {KnownModels}";

    /// <summary>"known models: " and every accepted name.</summary>
    public static string KnownModels => $"known models: {string.Join(", ", AcceptedNames)}";
}
