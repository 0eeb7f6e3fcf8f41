using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// PIL's pixel operations on 8-bit RGB, to the last rounding, as torchvision applies them to a PIL image: the lookup
/// tables of <c>PIL.ImageOps</c> (posterize, solarize, invert, autocontrast, equalize), the blends of
/// <c>PIL.ImageEnhance</c> (<c>Image.blend(degenerate, image, factor)</c>, libImaging/Blend.c: float32
/// <c>in1 + alpha * (in2 - in1)</c>, clipped to [0, 255] and truncated), PIL's RGB→L conversion (libImaging/Convert.c
/// <c>L24</c>: <c>(R·19595 + G·38470 + B·7471 + 0x8000) &gt;&gt; 16</c>) and the HSV round trip behind torchvision's
/// <c>adjust_hue</c>. Each call returns a new image and leaves its input alone. Re-stated from reading Pillow's
/// sources (src/PIL/ImageOps.py, ImageEnhance.py, libImaging/Blend.c, Filter.c, Convert.c), not copied.
/// </summary>
public static class PilOps
{
    private static readonly byte[] InvertLut = BuildLut(i => 255 - i);

    // SMOOTH's float32 products v·(1/13) and v·(5/13), each rounded once as in C, looked up instead of multiplied.
    private static readonly float[] TimesOne13th = Enumerable.Range(0, 256).Select(v => v * (1f / 13f)).ToArray();
    private static readonly float[] TimesFive13ths = Enumerable.Range(0, 256).Select(v => v * (5f / 13f)).ToArray();

    /// <summary><c>ImageOps.posterize</c>: keep the top <paramref name="bits"/> bits (lut <c>i &amp; ~(2^(8−bits) − 1)</c>).</summary>
    public static RgbImage Posterize(RgbImage image, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 8);
        int mask = ~((1 << (8 - bits)) - 1);
        return ApplyLut(image, BuildLut(i => i & mask));
    }

    /// <summary><c>ImageOps.solarize</c>: a value <c>&gt;= threshold</c> becomes <c>255 − value</c> (the threshold may be fractional).</summary>
    public static RgbImage Solarize(RgbImage image, double threshold) =>
        ApplyLut(image, BuildLut(i => i < threshold ? i : 255 - i));

    public static RgbImage Invert(RgbImage image) => ApplyLut(image, InvertLut);

    /// <summary>
    /// <c>ImageOps.autocontrast</c> with cutoff 0: per channel, lo/hi = lowest/highest occupied histogram bin; when
    /// hi &gt; lo, lut[i] = clamp(int(i·scale + offset)) with scale = 255/(hi−lo), offset = −lo·scale in double, so
    /// truncation can map hi to 254; a single-valued channel is left as it is.
    /// </summary>
    public static RgbImage AutoContrast(RgbImage image)
    {
        Span<int> histogram = stackalloc int[768];
        Histogram(image.Pixels, histogram);
        var lut = new byte[768];
        for (int channel = 0; channel < 3; channel++)
        {
            var h = histogram.Slice(channel * 256, 256);
            var table = lut.AsSpan(channel * 256, 256);
            int lo = 0, hi = 255;
            while (lo < 255 && h[lo] == 0) lo++;
            while (hi > 0 && h[hi] == 0) hi--;
            if (hi <= lo)
            {
                Identity(table);
                continue;
            }
            double scale = 255.0 / (hi - lo), offset = -lo * scale;
            for (int i = 0; i < 256; i++)
                table[i] = (byte)Math.Clamp((int)(i * scale + offset), 0, 255);
        }
        return ApplyChannelLuts(image, lut);
    }

    /// <summary>
    /// <c>ImageOps.equalize</c>: per channel, step = (pixel count − count of the highest occupied bin) // 255; with fewer
    /// than two occupied bins or step 0 the channel is unchanged; otherwise lut[i] = (step // 2 + Σ_{j&lt;i} h[j]) // step.
    /// </summary>
    public static RgbImage Equalize(RgbImage image)
    {
        Span<int> histogram = stackalloc int[768];
        Histogram(image.Pixels, histogram);
        var lut = new byte[768];
        for (int channel = 0; channel < 3; channel++)
        {
            var h = histogram.Slice(channel * 256, 256);
            var table = lut.AsSpan(channel * 256, 256);
            int occupied = 0, last = 0;
            long total = 0;
            for (int i = 0; i < 256; i++)
            {
                if (h[i] == 0) continue;
                occupied++;
                last = h[i];
                total += h[i];
            }
            long step = (total - last) / 255;
            if (occupied <= 1 || step == 0)
            {
                Identity(table);
                continue;
            }
            long n = step / 2;
            for (int i = 0; i < 256; i++)
            {
                // n // step never exceeds 255 here, so no clip, as in PIL (whose point() would clip anyway).
                table[i] = (byte)Math.Min(255, n / step);
                n += h[i];
            }
        }
        return ApplyChannelLuts(image, lut);
    }

    /// <summary><c>ImageEnhance.Brightness</c>: blend with black, i.e. lut[v] = clip(trunc(factor·v)) in float32.</summary>
    public static RgbImage Brightness(RgbImage image, double factor)
    {
        float alpha = (float)factor;
        return ApplyLut(image, BuildLut(v => Blend(0, v, alpha)));
    }

    /// <summary>
    /// <c>ImageEnhance.Contrast</c>: blend with a flat grey of value int(mean(L) + 0.5), the mean of PIL's L image
    /// (<c>ImageStat</c>: Σ i·h[i] / count in double).
    /// </summary>
    public static RgbImage Contrast(RgbImage image, double factor)
    {
        var pixels = image.Pixels;
        long sum = 0;
        for (int i = 0; i < pixels.Length; i += 3) sum += Luma(pixels[i], pixels[i + 1], pixels[i + 2]);
        double mean = (double)sum / (pixels.Length / 3);
        int grey = (int)(mean + 0.5);
        float alpha = (float)factor;
        return ApplyLut(image, BuildLut(v => Blend(grey, v, alpha)));
    }

    /// <summary><c>ImageEnhance.Color</c> (torchvision's <c>adjust_saturation</c>): blend each channel with the pixel's L value.</summary>
    public static RgbImage Color(RgbImage image, double factor)
    {
        float alpha = (float)factor;
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int i = 0; i < source.Length; i += 3)
        {
            int l = Luma(source[i], source[i + 1], source[i + 2]);
            output[i] = Blend(l, source[i], alpha);
            output[i + 1] = Blend(l, source[i + 1], alpha);
            output[i + 2] = Blend(l, source[i + 2], alpha);
        }
        return new RgbImage(image.Width, image.Height, output);
    }

    /// <summary>
    /// <c>ImageEnhance.Sharpness</c>: blend with <c>ImageFilter.SMOOTH</c>, the 3×3 kernel [[1,1,1],[1,5,1],[1,1,1]]/13
    /// (Filter.c ImagingFilter3x3: float32 weights 1/13 and 5/13, sum started at 0.5, rows y+1, y, y−1 each summed
    /// left to right, then truncated and clipped). The filter copies the border pixels, so blending leaves them as they are.
    /// </summary>
    public static RgbImage Sharpness(RgbImage image, double factor)
    {
        float alpha = (float)factor;
        int width = image.Width, height = image.Height, stride = 3 * width;
        var source = image.Pixels;
        var output = source.ToArray();
        if (width < 3 || height < 3) return new RgbImage(width, height, output);
        for (int y = 1; y < height - 1; y++)
        {
            var below = source.Slice((y + 1) * stride, stride);
            var row = source.Slice(y * stride, stride);
            var above = source.Slice((y - 1) * stride, stride);
            for (int i = 3; i < stride - 3; i++)
            {
                float sum = 0.5f;
                sum += TimesOne13th[below[i - 3]] + TimesOne13th[below[i]] + TimesOne13th[below[i + 3]];
                sum += TimesOne13th[row[i - 3]] + TimesFive13ths[row[i]] + TimesOne13th[row[i + 3]];
                sum += TimesOne13th[above[i - 3]] + TimesOne13th[above[i]] + TimesOne13th[above[i + 3]];
                int smooth = sum <= 0f ? 0 : sum >= 255f ? 255 : (int)sum;
                output[y * stride + i] = Blend(smooth, row[i], alpha);
            }
        }
        return new RgbImage(width, height, output);
    }

    /// <summary>PIL's <c>convert("L")</c> then back to RGB (torchvision's <c>rgb_to_grayscale(img, 3)</c>): R = G = B = L.</summary>
    public static RgbImage Grayscale(RgbImage image)
    {
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int i = 0; i < source.Length; i += 3)
            output[i] = output[i + 1] = output[i + 2] = (byte)Luma(source[i], source[i + 1], source[i + 2]);
        return new RgbImage(image.Width, image.Height, output);
    }

    /// <summary>PIL's ITU-R 601-2 luma in 16.16 fixed point with rounding (Convert.c <c>L24</c>).</summary>
    public static int Luma(int r, int g, int b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

    /// <summary>
    /// torchvision's PIL <c>adjust_hue</c>: convert to PIL's HSV, add <c>uint8(hue·255)</c> to H with wrap-around, convert
    /// back. The shift is truncated toward zero and taken mod 256 (what numpy's cast does on x86 for negative factors).
    /// </summary>
    public static RgbImage Hue(RgbImage image, double hueFactor)
    {
        if (hueFactor is < -0.5 or > 0.5)
            throw new ArgumentOutOfRangeException(nameof(hueFactor), $"hue factor must be in [-0.5, 0.5], got {hueFactor}");
        int shift = (int)(hueFactor * 255) & 0xFF;
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int i = 0; i < source.Length; i += 3)
        {
            var (h, s, v) = PilHsv.FromRgb(source[i], source[i + 1], source[i + 2]);
            (output[i], output[i + 1], output[i + 2]) = PilHsv.ToRgb((byte)(h + shift), s, v);
        }
        return new RgbImage(image.Width, image.Height, output);
    }

    /// <summary>Image.blend of one value: float32 <c>in1 + alpha·(in2 − in1)</c>, clipped to [0, 255], truncated (Blend.c).</summary>
    internal static byte Blend(int degenerate, int value, float alpha)
    {
        float t = degenerate + alpha * (value - degenerate);
        return t <= 0f ? (byte)0 : t >= 255f ? (byte)255 : (byte)t;
    }

    private static byte[] BuildLut(Func<int, int> map)
    {
        var lut = new byte[256];
        for (int i = 0; i < 256; i++) lut[i] = (byte)map(i);
        return lut;
    }

    private static void Identity(Span<byte> table)
    {
        for (int i = 0; i < 256; i++) table[i] = (byte)i;
    }

    private static void Histogram(ReadOnlySpan<byte> pixels, Span<int> histogram)
    {
        for (int i = 0; i < pixels.Length; i += 3)
        {
            histogram[pixels[i]]++;
            histogram[256 + pixels[i + 1]]++;
            histogram[512 + pixels[i + 2]]++;
        }
    }

    private static RgbImage ApplyLut(RgbImage image, byte[] lut)
    {
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int i = 0; i < source.Length; i++) output[i] = lut[source[i]];
        return new RgbImage(image.Width, image.Height, output);
    }

    private static RgbImage ApplyChannelLuts(RgbImage image, byte[] lut)
    {
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int i = 0; i < source.Length; i += 3)
        {
            output[i] = lut[source[i]];
            output[i + 1] = lut[256 + source[i + 1]];
            output[i + 2] = lut[512 + source[i + 2]];
        }
        return new RgbImage(image.Width, image.Height, output);
    }
}
