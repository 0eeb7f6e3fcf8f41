using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// The image augmentations by name: "autoaugment" (the reference's, default for the in-modal view of CleanClip and
/// Ssl), "simclr", "par" (PAR's noise and erasing, default for Par's one view) and "none".
/// </summary>
public static class ImageAugmentations
{
    public const string Default = "autoaugment";

    /// <summary>PAR's light augmentation (<see cref="ParAugmentation"/>).</summary>
    public const string Par = "par";

    public static IReadOnlyList<string> Names { get; } = ["autoaugment", "simclr", Par, "none"];

    public static IImageAugmentation Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "autoaugment" => AutoAugment.ImageNet,
        "simclr" => new SimClrAugmentation(),
        Par => new ParAugmentation(),
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
