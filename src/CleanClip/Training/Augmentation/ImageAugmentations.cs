using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>The image augmentations for the in-modal loss, by name: "autoaugment" (the reference's, default), "simclr", "none".</summary>
public static class ImageAugmentations
{
    public const string Default = "autoaugment";

    public static IReadOnlyList<string> Names { get; } = ["autoaugment", "simclr", "none"];

    public static IImageAugmentation Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "autoaugment" => AutoAugment.ImageNet,
        "simclr" => new SimClrAugmentation(),
        "none" => NoAugmentation.Instance,
        _ => throw new ArgumentException($"unknown image augmentation '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
    };

    private sealed class NoAugmentation : IImageAugmentation
    {
        public static NoAugmentation Instance { get; } = new();

        public string Name => "none";

        public RgbImage Apply(RgbImage image, ulong seed) => image;
    }
}
