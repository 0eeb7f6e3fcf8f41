using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// PIL's <c>crop(box).resize(size, BILINEAR)</c> (torchvision's <c>resized_crop</c> on a PIL image), restated from
/// libImaging/Resample.c: a triangle filter whose support widens with the downscale factor (antialiasing), output
/// pixel centres mapped as (x + ½)·scale, weights normalised per output pixel and held in fixed point with 22
/// fractional bits, a horizontal pass then a vertical pass, each rounded to 8 bits.
/// </summary>
public static class PilResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static RgbImage CropResizeBilinear(RgbImage image, int left, int top, int cropWidth, int cropHeight, int width, int height)
    {
        if (left < 0 || top < 0 || cropWidth <= 0 || cropHeight <= 0 || left + cropWidth > image.Width || top + cropHeight > image.Height)
            throw new ArgumentOutOfRangeException(nameof(left), $"crop ({left},{top},{cropWidth}x{cropHeight}) outside {image.Width}x{image.Height}");
        var source = image.Pixels;
        int stride = 3 * image.Width;
        // Horizontal pass over the crop's rows: cropHeight × width.
        var horizontal = new byte[3 * width * cropHeight];
        if (width == cropWidth)
        {
            for (int y = 0; y < cropHeight; y++)
                source.Slice((top + y) * stride + 3 * left, 3 * width).CopyTo(horizontal.AsSpan(3 * width * y));
        }
        else
        {
            var (starts, counts, weights, size) = Coefficients(cropWidth, width);
            for (int y = 0; y < cropHeight; y++)
            {
                var row = source.Slice((top + y) * stride + 3 * left, 3 * cropWidth);
                for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    int sum = 1 << (PrecisionBits - 1);
                    for (int k = 0; k < counts[x]; k++) sum += row[3 * (starts[x] + k) + c] * weights[x * size + k];
                    horizontal[3 * (y * width + x) + c] = Clip(sum);
                }
            }
        }
        if (height == cropHeight) return new RgbImage(width, height, horizontal);
        var output = new byte[3 * width * height];
        var (ystarts, ycounts, yweights, ysize) = Coefficients(cropHeight, height);
        int outStride = 3 * width;
        for (int y = 0; y < height; y++)
        for (int i = 0; i < outStride; i++)
        {
            int sum = 1 << (PrecisionBits - 1);
            for (int k = 0; k < ycounts[y]; k++) sum += horizontal[(ystarts[y] + k) * outStride + i] * yweights[y * ysize + k];
            output[y * outStride + i] = Clip(sum);
        }
        return new RgbImage(width, height, output);
    }

    private static byte Clip(int sum)
    {
        int v = sum >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static (int[] Starts, int[] Counts, int[] Weights, int Size) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale, inverseScale = 1.0 / filterScale;
        int size = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var counts = new int[outSize];
        var weights = new int[outSize * size];
        var k = new double[size];
        for (int x = 0; x < outSize; x++)
        {
            double center = (x + 0.5) * scale;
            int min = Math.Max(0, (int)(center - support + 0.5));
            int max = Math.Min(inSize, (int)(center + support + 0.5)) - min;
            double total = 0;
            for (int j = 0; j < max; j++)
            {
                double t = Math.Abs((j + min - center + 0.5) * inverseScale);
                k[j] = t < 1.0 ? 1.0 - t : 0.0;
                total += k[j];
            }
            for (int j = 0; j < max; j++)
            {
                double w = total != 0.0 ? k[j] / total : k[j];
                weights[x * size + j] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
            }
            starts[x] = min;
            counts[x] = max;
        }
        return (starts, counts, weights, size);
    }
}
