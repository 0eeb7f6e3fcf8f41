using System.Collections.Concurrent;
using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// Blended (Chen et al. 2017) as the reference makes it (<c>patch_type=blended</c>, docs/reference-behaviour.md §2.2):
/// <c>clip(0.8·image + 0.2·U[0, 1))</c> with uniform noise of the full image size, drawn afresh for every image
/// (§14, defect 10). <c>blended-fixed</c> draws one noise image per image size from the options' seed instead,
/// the fixed-pattern Blended attack of the original paper.
/// </summary>
/// <remarks>Noise: <see cref="SplitMix64.NextFloat"/>, 3·H·W values in C,H,W order, like <c>torch.rand(3, H, W)</c>.</remarks>
public sealed class BlendedTrigger : ITrigger
{
    private readonly ConcurrentDictionary<(int W, int H), float[]> _fixedNoise = new();

    public double Alpha { get; }
    public ulong? FixedPatternSeed { get; }
    public string Name => FixedPatternSeed is null ? "blended" : "blended-fixed";
    public TriggerParameters Parameters => new BlendedParameters(Alpha, FixedPatternSeed is not null, FixedPatternSeed);

    public BlendedTrigger(double alpha, ulong? fixedPatternSeed = null)
    {
        Blend.Weights(alpha);
        (Alpha, FixedPatternSeed) = (alpha, fixedPatternSeed);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed)
    {
        var noise = FixedPatternSeed is { } seed
            ? _fixedNoise.GetOrAdd((image.Width, image.Height), size => Noise(size.W, size.H, seed))
            : Noise(image.Width, image.Height, imageSeed);
        return Blend.Apply(image, noise, Alpha);
    }

    /// <summary>The blend noise for an image of this size and seed, C,H,W.</summary>
    public static float[] Noise(int width, int height, ulong seed)
    {
        var random = new SplitMix64(seed);
        var noise = new float[3 * width * height];
        for (int i = 0; i < noise.Length; i++) noise[i] = random.NextFloat();
        return noise;
    }
}
