using System.Runtime.InteropServices;
using CleanClip.Data;
using SkiaSharp;

namespace CleanClip.Poisoning;

/// <summary>Between <see cref="RgbImage"/> and SkiaSharp: rendered masks, RGBA canvases and PNG bytes.</summary>
internal static class SkiaRaster
{
    /// <summary>
    /// Draws with a white, non-antialiased paint on a black Gray8 bitmap and returns its H·W bytes (0 or 255):
    /// coverage is decided by pixel centres only, so the mask is exact and independent of Skia's antialiasing.
    /// </summary>
    public static byte[] RenderMask(int width, int height, Action<SKCanvas, SKPaint> draw)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = false, Style = SKPaintStyle.Fill })
        {
            canvas.Clear(SKColors.Black);
            draw(canvas, paint);
        }
        var mask = new byte[width * height];
        var src = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
            src.Slice(y * bitmap.RowBytes, width).CopyTo(mask.AsSpan(y * width, width));
        return mask;
    }

    /// <summary>An opaque RGBA copy of the image for drawing on.</summary>
    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[bitmap.RowBytes * image.Height];
        var rgb = image.Pixels;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                int s = 3 * (y * image.Width + x), d = y * bitmap.RowBytes + 4 * x;
                (rgba[d], rgba[d + 1], rgba[d + 2], rgba[d + 3]) = (rgb[s], rgb[s + 1], rgb[s + 2], (byte)255);
            }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

    /// <summary>The RGB bytes of an RGBA bitmap (alpha dropped, as PIL's convert("RGB") does).</summary>
    public static RgbImage FromBitmap(SKBitmap bitmap)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888)
            throw new ArgumentException($"expected an Rgba8888 bitmap, got {bitmap.ColorType}", nameof(bitmap));
        var src = bitmap.GetPixelSpan();
        var rgb = new byte[3 * bitmap.Width * bitmap.Height];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                int s = y * bitmap.RowBytes + 4 * x, d = 3 * (y * bitmap.Width + x);
                (rgb[d], rgb[d + 1], rgb[d + 2]) = (src[s], src[s + 1], src[s + 2]);
            }
        return new RgbImage(bitmap.Width, bitmap.Height, rgb);
    }
}
