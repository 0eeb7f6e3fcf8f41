using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// BadNet (Gu et al. 2017) as CleanCLIP's reference makes it (<c>patch_type=random</c>, docs/reference-behaviour.md
/// §2.2): a P×P patch of <c>mean_c + N(0, 1)</c>, where mean_c is the image's channel mean in [0, 1], drawn afresh for
/// every image, not clipped, cast with ToPILImage's <c>mul(255).byte()</c> — so <see cref="NoiseOverflow.Wrap"/>
/// gives the reference's high-contrast wrapped block and <see cref="NoiseOverflow.Clamp"/> a plain Gaussian patch.
/// </summary>
/// <remarks>
/// Draw order per image: the location (<see cref="PatchPlacement.Positions"/>), then the 3·P·P normals in C,H,W order.
/// The fixed variant (<c>badnet-fixed</c>, the fixed-pattern BadNet of later CLIP-poisoning work) draws one patch from
/// the options' seed as <c>0.5 + N(0, 1)</c> — 0.5 standing in for the image mean so the patch is the same on every
/// image — and still places it at a per-image random location, as BadNet does; four-corners makes it fully fixed.
/// </remarks>
public sealed class BadNetTrigger : ITrigger
{
    private readonly byte[]? _fixedPatch;

    public int PatchSize { get; }
    public PatchLocation Location { get; }
    public NoiseOverflow Overflow { get; }
    public string Name => _fixedPatch is null ? "badnet" : "badnet-fixed";

    public TriggerParameters Parameters { get; }

    /// <param name="fixedPatternSeed">Null: a new patch per image (the reference). Otherwise the seed of the one fixed patch.</param>
    public BadNetTrigger(int patchSize, PatchLocation location, NoiseOverflow overflow, ulong? fixedPatternSeed = null)
    {
        if (patchSize < 1) throw new ArgumentOutOfRangeException(nameof(patchSize), $"patch size must be positive, got {patchSize}");
        (PatchSize, Location, Overflow) = (patchSize, location, overflow);
        var fixedRandom = new SplitMix64(fixedPatternSeed ?? 0);
        if (fixedPatternSeed is not null)
            _fixedPatch = ToPatchBytes(NoiseValues((0.5f, 0.5f, 0.5f), patchSize, ref fixedRandom), patchSize, overflow);
        Parameters = new BadNetParameters(patchSize, location, overflow, fixedPatternSeed is not null, fixedPatternSeed);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed)
    {
        var random = new SplitMix64(imageSeed);
        var positions = PatchPlacement.Positions(image.Width, image.Height, PatchSize, Location, ref random);
        var patch = _fixedPatch ?? ToPatchBytes(NoiseValues(ChannelMeans(image), PatchSize, ref random), PatchSize, Overflow);
        return PatchPlacement.Stamp(image, patch, PatchSize, positions);
    }

    /// <summary>The pre-cast patch, float32 C,H,W: <c>mean_c + z</c> with z standard normal, in draw order.</summary>
    public static float[] NoiseValues((float R, float G, float B) means, int patchSize, ref SplitMix64 random)
    {
        var values = new float[3 * patchSize * patchSize];
        int plane = patchSize * patchSize;
        for (int i = 0; i < values.Length; i++)
        {
            float mean = (i / plane) switch { 0 => means.R, 1 => means.G, _ => means.B };
            values[i] = mean + (float)random.NextGaussian();
        }
        return values;
    }

    /// <summary>The image's per-channel mean in [0, 1] (ToTensor scale), rounded to float32 like the reference's tensor mean.</summary>
    public static (float R, float G, float B) ChannelMeans(RgbImage image)
    {
        long r = 0, g = 0, b = 0;
        var p = image.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            r += p[i];
            g += p[i + 1];
            b += p[i + 2];
        }
        double n = 255.0 * image.Width * image.Height;
        return ((float)(r / n), (float)(g / n), (float)(b / n));
    }

    private static byte[] ToPatchBytes(float[] chw, int patchSize, NoiseOverflow overflow)
    {
        int plane = patchSize * patchSize;
        var hwc = new byte[3 * plane];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                hwc[3 * i + c] = PixelCast.ToByte(chw[c * plane + i], overflow);
        return hwc;
    }
}
