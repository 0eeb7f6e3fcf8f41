using SkiaSharp;

namespace CleanClip.Data;

/// <summary>
/// Encodes RGB images as 8-bit RGB PNG with Skia's encoder at fixed settings (Paeth row filter, zlib level 6, no
/// colour profile, no timestamps), so equal pixels give equal files with a given SkiaSharp build. One fixed filter
/// instead of trying all five per row: faster on noisy images, slightly larger (docs/experiments/runtime-settings.md).
/// </summary>
public static class PngWriter
{
    private static readonly SKPngEncoderOptions Settings = new(SKPngEncoderFilterFlags.Paeth, 6);

    public static unsafe byte[] Encode(RgbImage image)
    {
        // Skia has no packed 3-byte format; Rgb888x with an opaque alpha type is written as PNG colour type 2 (RGB).
        var rgbx = new byte[image.Width * image.Height * 4];
        var rgb = image.Pixels;
        for (int s = 0, d = 0; s < rgb.Length; s += 3, d += 4)
        {
            rgbx[d] = rgb[s];
            rgbx[d + 1] = rgb[s + 1];
            rgbx[d + 2] = rgb[s + 2];
            rgbx[d + 3] = 255;
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgb888x, SKAlphaType.Opaque);
        fixed (byte* address = rgbx)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)address, info.RowBytes);
            using var data = pixmap.Encode(Settings)
                ?? throw new InvalidOperationException($"Skia could not encode a {image.Width}x{image.Height} PNG");
            return data.ToArray();
        }
    }
}
