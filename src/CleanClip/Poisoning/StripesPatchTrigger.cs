using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// BadNet with a structured patch, as in later CLIP-poisoning benchmarks: a P×P patch of vertical stripes, black
/// then white, each <c>stripeWidth</c> columns wide (column x of the patch is white when <c>(x / stripeWidth)</c> is
/// odd). Placed like BadNet; not in the reference, so there are no reference numbers.
/// </summary>
public sealed class StripesPatchTrigger : ITrigger
{
    private readonly byte[] _patch;

    public int PatchSize { get; }
    public PatchLocation Location { get; }
    public int StripeWidth { get; }
    public string Name => "badnet-stripes";
    public TriggerParameters Parameters => new StripesPatchParameters(PatchSize, Location, StripeWidth);

    public StripesPatchTrigger(int patchSize, PatchLocation location, int stripeWidth)
    {
        if (patchSize < 1) throw new ArgumentOutOfRangeException(nameof(patchSize), $"patch size must be positive, got {patchSize}");
        if (stripeWidth < 1) throw new ArgumentOutOfRangeException(nameof(stripeWidth), $"stripe width must be positive, got {stripeWidth}");
        (PatchSize, Location, StripeWidth) = (patchSize, location, stripeWidth);
        _patch = new byte[3 * patchSize * patchSize];
        for (int y = 0; y < patchSize; y++)
            for (int x = 0; x < patchSize; x++)
                _patch.AsSpan(3 * (y * patchSize + x), 3).Fill((x / stripeWidth) % 2 == 1 ? (byte)255 : (byte)0);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed) =>
        PatchPlacement.Stamp(image, _patch, PatchSize,
            PatchPlacement.Positions(image.Width, image.Height, PatchSize, Location, imageSeed));
}
