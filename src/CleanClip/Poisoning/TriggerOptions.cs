namespace CleanClip.Poisoning;

/// <summary>
/// Every trigger setting, with its default, in one place. <see cref="TriggerFactory.Create"/> reads the ones the
/// named trigger uses and ignores the rest (e.g. <see cref="Location"/> for blended triggers, as the reference does
/// for WaNet).
/// </summary>
public sealed record TriggerOptions
{
    /// <summary>One of <see cref="TriggerFactory.Names"/>.</summary>
    public string Name { get; init; } = "badnet";

    /// <summary>Side P of patch triggers, in pixels of the image the trigger sees (16 at 224 in the reference).</summary>
    public int PatchSize { get; init; } = 16;

    public PatchLocation Location { get; init; } = PatchLocation.Random;

    /// <summary>Clamp by default; <see cref="NoiseOverflow.Wrap"/> reproduces the reference's BadNet patch.</summary>
    public NoiseOverflow NoiseOverflow { get; init; } = NoiseOverflow.Clamp;

    /// <summary>Weight of the pattern in blended triggers: <c>(1 − α)·image + α·pattern</c>; 0.2 in the reference.</summary>
    public double BlendAlpha { get; init; } = 0.2;

    /// <summary>Seed of the fixed patterns (badnet-fixed, blended-fixed) and of a generated WaNet field.</summary>
    public ulong Seed { get; init; }

    /// <summary>SIG amplitude before blending: 60/255 in the reference.</summary>
    public double SigAmplitude { get; init; } = 60.0 / 255.0;

    /// <summary>SIG periods across the image width: 6 in the reference.</summary>
    public double SigPeriods { get; init; } = 6;

    /// <summary>A raw little-endian float32 NHWC [1, S, S, 2] warp field (S = <see cref="WanetFieldSize"/>); null generates one from <see cref="Seed"/>.</summary>
    public string? WanetField { get; init; }

    /// <summary>S, the side of the warp field: the reference's <c>input_height</c>, 224.</summary>
    public int WanetFieldSize { get; init; } = 224;

    /// <summary>k, the side of the random control grid of a generated field: 224 in the reference (4 in the WaNet paper).</summary>
    public int WanetGridSize { get; init; } = 224;

    /// <summary>s, the warp strength: 1 in the reference (0.5 in the WaNet paper).</summary>
    public double WanetStrength { get; init; } = 1;

    public double WanetGridRescale { get; init; } = 1;

    /// <summary>Width of one stripe of badnet-stripes and blended-stripes.</summary>
    public int StripeWidth { get; init; } = 4;

    /// <summary>Side of the square cell holding one triangle of blended-triangles.</summary>
    public int TriangleCell { get; init; } = 32;

    public string WatermarkText { get; init; } = "banana";

    /// <summary>Opacity of the white watermark text.</summary>
    public double WatermarkAlpha { get; init; } = 0.3;

    /// <summary>The patch file of the <c>optimized</c> trigger (.npy float32 [3, P, P] or .png), made by <c>cleanclip trigger optimize</c>.</summary>
    public string? TriggerFile { get; init; }

    /// <summary>Height of the watermark letters as a fraction of the image height (scaled down if the word would not fit).</summary>
    public double WatermarkHeight { get; init; } = 0.1;
}
