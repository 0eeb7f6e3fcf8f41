using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// PAR's light augmentation (docs/par.md §1), as the authors compose it after CLIP's resize and centre crop: with
/// probability ½, Gaussian noise N(0, 0.2²) on every channel value, each noise value clipped to [0, 1] before it is
/// added (so the noise only brightens) and the sum clipped to [0, 1]; then with probability ½, one square of 0.5–1% of
/// the image's area filled with CLIP's mean colour (0 after normalisation). The square follows the authors' variant of
/// torchvision's <c>RandomErasing.get_params</c>: up to 10 tries of an area ~ U(0.005, 0.01)·H·W, side
/// round(√area) (half to even, like Python), accepted when the side is below each image side minus 4, the corner
/// uniform over the positions that fit; no square when every try fails. On the 8-bit image: noisy values are rounded to
/// the nearest 1/255 and the fill is the mean colour rounded to 8 bits. All draws come from the seed; stateless.
/// </summary>
public sealed class ParAugmentation : IImageAugmentation
{
    public const double NoiseProbability = 0.5, NoiseStd = 0.2, EraseProbability = 0.5, MinEraseScale = 0.005, MaxEraseScale = 0.01;
    public const int EraseTries = 10, EraseMargin = 4;

    private readonly byte[] _fill;

    /// <param name="preprocess">Whose normalisation mean is the erasing colour (default: CLIP's).</param>
    public ParAugmentation(PreprocessOptions? preprocess = null)
    {
        var (r, g, b) = (preprocess ?? new PreprocessOptions()).Mean;
        _fill = [ToByte(r), ToByte(g), ToByte(b)];
    }

    public string Name => "par";

    /// <summary>The erasing colour as 8-bit RGB.</summary>
    public ReadOnlySpan<byte> Fill => _fill;

    /// <summary>
    /// Every decision of one call: whether noise is added (and the seed of its values) and the erased square, if any.
    /// </summary>
    public sealed record Draw(bool Noise, ulong NoiseSeed, (int Left, int Top, int Side)? Erase);

    public static Draw Sample(ulong seed, int width, int height)
    {
        var random = new SplitMix64(seed);
        // torchvision's RandomApply skips when p < u, so it applies when u ≤ p; RandomErasing applies when u < p.
        bool noise = random.NextDouble() <= NoiseProbability;
        ulong noiseSeed = random.NextUInt64();
        bool erase = random.NextDouble() < EraseProbability;
        return new Draw(noise, noiseSeed, erase ? SampleSquare(width, height, ref random) : null);
    }

    /// <summary>The erased square of a width×height image, or null when none of the tries fits.</summary>
    public static (int Left, int Top, int Side)? SampleSquare(int width, int height, ref SplitMix64 random)
    {
        double area = (double)width * height;
        for (int attempt = 0; attempt < EraseTries; attempt++)
        {
            double target = area * random.NextDouble(MinEraseScale, MaxEraseScale);
            int side = (int)Math.Round(Math.Sqrt(target), MidpointRounding.ToEven);
            if (side >= height - EraseMargin || side >= width - EraseMargin) continue;
            int top = random.NextInt(height - side + 1);
            int left = random.NextInt(width - side + 1);
            return (left, top, side);
        }
        return null;
    }

    public RgbImage Apply(RgbImage image, ulong seed) => Apply(image, Sample(seed, image.Width, image.Height));

    public RgbImage Apply(RgbImage image, Draw draw)
    {
        if (!draw.Noise && draw.Erase is null) return image;
        var pixels = image.Pixels.ToArray();
        if (draw.Noise)
        {
            var random = new SplitMix64(draw.NoiseSeed);
            for (int i = 0; i < pixels.Length; i++)
            {
                double noise = Math.Clamp(random.NextGaussian() * NoiseStd, 0, 1);
                pixels[i] = ToByte(Math.Min(pixels[i] / 255.0 + noise, 1));
            }
        }
        if (draw.Erase is { } square)
            for (int y = square.Top; y < square.Top + square.Side; y++)
                for (int x = square.Left; x < square.Left + square.Side; x++)
                    _fill.CopyTo(pixels, 3 * (y * image.Width + x));
        return new RgbImage(image.Width, image.Height, pixels);
    }

    private static byte ToByte(double unit) => (byte)Math.Round(unit * 255, MidpointRounding.ToEven);
}
