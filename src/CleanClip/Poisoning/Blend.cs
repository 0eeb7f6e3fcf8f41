using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// The reference's blend (docs/reference-behaviour.md §2.2): <c>clip((1 − α)·x + α·t, 0, 1)</c> on ToTensor values,
/// then ToPILImage's truncating cast. float32 throughout, products rounded before the sum, as PyTorch computes
/// <c>0.8 * image + 0.2 * noise</c>.
/// </summary>
internal static class Blend
{
    /// <param name="pattern">t in [0, 1] (SIG's may be negative): C,H,W (3·H·W values) or one H,W plane shared by the channels.</param>
    public static RgbImage Apply(RgbImage image, ReadOnlySpan<float> pattern, double alpha)
    {
        var (keep, mix) = Weights(alpha);
        int plane = image.Width * image.Height;
        bool shared = pattern.Length == plane;
        if (!shared && pattern.Length != 3 * plane)
            throw new ArgumentException($"pattern of {pattern.Length} values fits neither {plane} nor {3 * plane}", nameof(pattern));
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
            {
                float t = pattern[shared ? i : c * plane + i];
                dst[3 * i + c] = PixelCast.ToByteClamped(keep * PixelCast.ToUnit(src[3 * i + c]) + mix * t);
            }
        return new RgbImage(image.Width, image.Height, dst);
    }

    /// <summary>Blends the colour into the pixels whose mask byte is non-zero; every other pixel is copied untouched.</summary>
    public static RgbImage Masked(RgbImage image, ReadOnlySpan<byte> maskHw, double alpha, (byte R, byte G, byte B) colour)
    {
        var (keep, mix) = Weights(alpha);
        var pixels = image.Pixels.ToArray();
        Span<float> t = [PixelCast.ToUnit(colour.R), PixelCast.ToUnit(colour.G), PixelCast.ToUnit(colour.B)];
        for (int i = 0; i < maskHw.Length; i++)
        {
            if (maskHw[i] == 0) continue;
            for (int c = 0; c < 3; c++)
                pixels[3 * i + c] = PixelCast.ToByteClamped(keep * PixelCast.ToUnit(pixels[3 * i + c]) + mix * t[c]);
        }
        return new RgbImage(image.Width, image.Height, pixels);
    }

    /// <summary>α = 0.2 gives exactly the float32 constants 0.8f and 0.2f of the reference.</summary>
    public static (float Keep, float Mix) Weights(double alpha)
    {
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), $"blend alpha must be in [0, 1], got {alpha}");
        return ((float)(1 - alpha), (float)alpha);
    }
}
