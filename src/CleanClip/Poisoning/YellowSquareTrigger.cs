using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// The reference's <c>patch_type=yellow</c> (docs/reference-behaviour.md §2.2): a P×P square of R = G = 255, B = 0, at
/// a per-image random location or in the four corners. The only draws are the location's.
/// </summary>
public sealed class YellowSquareTrigger : ITrigger
{
    public int PatchSize { get; }
    public PatchLocation Location { get; }
    public string Name => "yellow";
    public TriggerParameters Parameters => new YellowSquareParameters(PatchSize, Location);

    public YellowSquareTrigger(int patchSize, PatchLocation location)
    {
        if (patchSize < 1) throw new ArgumentOutOfRangeException(nameof(patchSize), $"patch size must be positive, got {patchSize}");
        (PatchSize, Location) = (patchSize, location);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed)
    {
        var positions = PatchPlacement.Positions(image.Width, image.Height, PatchSize, Location, imageSeed);
        var patch = new byte[3 * PatchSize * PatchSize];
        for (int i = 0; i < patch.Length; i += 3)
            (patch[i], patch[i + 1], patch[i + 2]) = ((byte)255, (byte)255, (byte)0);
        return PatchPlacement.Stamp(image, patch, PatchSize, positions);
    }
}
