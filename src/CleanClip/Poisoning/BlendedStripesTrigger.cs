using System.Collections.Concurrent;
using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// A structured Blended trigger from later CLIP-poisoning benchmarks: full-image vertical stripes, black then white,
/// each <c>stripeWidth</c> columns wide (column j is white when <c>(j / stripeWidth)</c> is odd), blended like the
/// reference's Blended: <c>clip((1 − α)·image + α·t)</c>. Not in the reference; no random draws.
/// </summary>
public sealed class BlendedStripesTrigger : ITrigger
{
    private readonly ConcurrentDictionary<(int W, int H), float[]> _patterns = new();

    public double Alpha { get; }
    public int StripeWidth { get; }
    public string Name => "blended-stripes";
    public TriggerParameters Parameters => new BlendedStripesParameters(Alpha, StripeWidth);

    public BlendedStripesTrigger(double alpha, int stripeWidth)
    {
        Blend.Weights(alpha);
        if (stripeWidth < 1) throw new ArgumentOutOfRangeException(nameof(stripeWidth), $"stripe width must be positive, got {stripeWidth}");
        (Alpha, StripeWidth) = (alpha, stripeWidth);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed) =>
        Blend.Apply(image, _patterns.GetOrAdd((image.Width, image.Height), size => Pattern(size.W, size.H)), Alpha);

    private float[] Pattern(int width, int height)
    {
        var plane = new float[width * height];
        for (int i = 0; i < plane.Length; i++)
            plane[i] = (i % width / StripeWidth) % 2 == 1 ? 1f : 0f;
        return plane;
    }
}
