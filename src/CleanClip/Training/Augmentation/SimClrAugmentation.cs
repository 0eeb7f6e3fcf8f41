using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// A SimCLR-style alternative to AutoAugment (Chen et al. 2020), as the torchvision composition
/// RandomResizedCrop(size, scale (0.08, 1), ratio (3/4, 4/3), BILINEAR) → RandomHorizontalFlip(0.5) →
/// RandomApply([ColorJitter(0.4, 0.4, 0.4, 0.1)], p 0.8) → RandomGrayscale(0.2), on PIL images, with the output the
/// size of the input. Crop sampling follows torchvision's <c>RandomResizedCrop.get_params</c>: up to 10 attempts of an
/// area fraction ~ U(scale) and a log-uniform aspect ratio, w = round(√(area·ratio)), h = round(√(area/ratio)) (round
/// half to even, like Python), accepted when both fit; else the centre crop clamped to the ratio range. ColorJitter
/// applies its four adjustments in a random order with factors ~ U[0.6, 1.4] (hue ~ U[−0.1, 0.1]), through PIL's
/// ImageEnhance and HSV. All draws come from the seed (<see cref="SplitMix64"/>, not torch's generator). Stateless.
/// </summary>
public sealed class SimClrAugmentation : IImageAugmentation
{
    public const double MinScale = 0.08, MaxScale = 1.0, MinRatio = 3.0 / 4.0, MaxRatio = 4.0 / 3.0;
    public const double FlipProbability = 0.5, JitterProbability = 0.8, GrayscaleProbability = 0.2;
    public const double BrightnessJitter = 0.4, ContrastJitter = 0.4, SaturationJitter = 0.4, HueJitter = 0.1;

    public string Name => "simclr";

    /// <summary>The crop box of torchvision's <c>RandomResizedCrop.get_params</c> for a width×height image.</summary>
    public static (int Left, int Top, int Width, int Height) SampleCrop(int width, int height, ref SplitMix64 random)
    {
        double area = (double)width * height;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * random.NextDouble(MinScale, MaxScale);
            double aspect = Math.Exp(random.NextDouble(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = random.NextInt(height - h + 1);
                int left = random.NextInt(width - w + 1);
                return (left, top, w, h);
            }
        }
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < MinRatio) ch = (int)Math.Round(cw / MinRatio, MidpointRounding.ToEven);
        else if (inRatio > MaxRatio) cw = (int)Math.Round(ch * MaxRatio, MidpointRounding.ToEven);
        return ((width - cw) / 2, (height - ch) / 2, cw, ch);
    }

    /// <summary>Every draw of one call, made up front in a fixed order so that each part can be tested on its own.</summary>
    public sealed record Draw(
        (int Left, int Top, int Width, int Height) Crop, bool Flip, bool Jitter, int[] JitterOrder,
        double Brightness, double Contrast, double Saturation, double Hue, bool Grayscale);

    public static Draw Sample(ulong seed, int width, int height)
    {
        var random = new SplitMix64(seed);
        var crop = SampleCrop(width, height, ref random);
        bool flip = random.NextDouble() < FlipProbability;
        // RandomApply skips when p < u, so it applies when u <= p.
        bool jitter = random.NextDouble() <= JitterProbability;
        int[] order = [0, 1, 2, 3];
        random.Shuffle(order);
        double brightness = random.NextDouble(1 - BrightnessJitter, 1 + BrightnessJitter);
        double contrast = random.NextDouble(1 - ContrastJitter, 1 + ContrastJitter);
        double saturation = random.NextDouble(1 - SaturationJitter, 1 + SaturationJitter);
        double hue = random.NextDouble(-HueJitter, HueJitter);
        bool grayscale = random.NextDouble() < GrayscaleProbability;
        return new Draw(crop, flip, jitter, order, brightness, contrast, saturation, hue, grayscale);
    }

    public RgbImage Apply(RgbImage image, ulong seed) => Apply(image, Sample(seed, image.Width, image.Height));

    public static RgbImage Apply(RgbImage image, Draw draw)
    {
        var (left, top, w, h) = draw.Crop;
        var result = w == image.Width && h == image.Height
            ? image
            : PilResize.CropResizeBilinear(image, left, top, w, h, image.Width, image.Height);
        if (draw.Flip) result = PilGeometry.FlipLeftRight(result);
        if (draw.Jitter) result = ColorJitter(result, draw);
        if (draw.Grayscale) result = PilOps.Grayscale(result);
        return result;
    }

    /// <summary>torchvision ColorJitter: the four adjustments in the drawn order, each with its drawn factor.</summary>
    public static RgbImage ColorJitter(RgbImage image, Draw draw)
    {
        foreach (int step in draw.JitterOrder)
        {
            image = step switch
            {
                0 => PilOps.Brightness(image, draw.Brightness),
                1 => PilOps.Contrast(image, draw.Contrast),
                2 => PilOps.Color(image, draw.Saturation),
                _ => PilOps.Hue(image, draw.Hue),
            };
        }
        return image;
    }
}
