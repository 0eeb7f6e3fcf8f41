using CleanClip;

namespace DemoRecipe;

/// <summary>
/// A stand-in for AutoAugment (being written elsewhere) for the in-modal image view: random translation by up to
/// 1/8 of the side (edge padding), horizontal flip, brightness, contrast and saturation jitter of ±strength, on uint8 CHW.
/// </summary>
public static class ImageAugment
{
    public static byte[] Apply(byte[] chw, int size, ulong seed, double strength)
    {
        var random = new SplitMix64(seed);
        int pad = size / 8;
        int dx = random.NextInt(2 * pad + 1) - pad, dy = random.NextInt(2 * pad + 1) - pad;
        bool flip = random.NextBool(0.5);
        double brightness = random.NextDouble(1 - strength, 1 + strength);
        double contrast = random.NextDouble(1 - strength, 1 + strength);
        double saturation = random.NextDouble(1 - strength, 1 + strength);
        int plane = size * size;
        var values = new double[3 * plane];
        double mean = 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sx = Math.Clamp((flip ? size - 1 - x : x) + dx, 0, size - 1), sy = Math.Clamp(y + dy, 0, size - 1);
                for (int c = 0; c < 3; c++)
                {
                    double v = chw[c * plane + sy * size + sx] * brightness;
                    values[c * plane + y * size + x] = v;
                    mean += v;
                }
            }
        mean /= 3 * plane;
        var output = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            double r = values[i], g = values[plane + i], b = values[2 * plane + i];
            double gray = 0.299 * r + 0.587 * g + 0.114 * b;
            for (int c = 0; c < 3; c++)
            {
                double v = gray + (values[c * plane + i] - gray) * saturation;
                v = mean + (v - mean) * contrast;
                output[c * plane + i] = (byte)Math.Clamp(Math.Round(v), 0, 255);
            }
        }
        return output;
    }
}
