namespace CleanClip.Models;

/// <summary>Every architecture CleanClip knows, by name: OpenAI's released CLIP models, two tiny test models and the demo's model.</summary>
public static class ModelRegistry
{
    private static ClipConfig ResNet(string name, int embed, int res, int[] layers, int width, int textWidth) =>
        new() { Name = name, EmbedDim = embed, ImageResolution = res, VisionLayers = layers, VisionWidth = width, TextWidth = textWidth };

    private static ClipConfig Vit(string name, int embed, int res, int layers, int width, int patch, int textWidth) =>
        new() { Name = name, EmbedDim = embed, ImageResolution = res, VisionLayers = [layers], VisionWidth = width, VisionPatchSize = patch, TextWidth = textWidth };

    public static IReadOnlyList<ClipConfig> All { get; } =
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

    public static bool TryGet(string name, out ClipConfig config)
    {
        config = All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return config is not null;
    }

    public static ClipConfig Get(string name) =>
        TryGet(name, out var c) ? c
        : throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}", nameof(name));
}
