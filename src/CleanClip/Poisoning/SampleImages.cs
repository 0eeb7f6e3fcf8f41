using CleanClip.Data;
using SkiaSharp;

namespace CleanClip.Poisoning;

/// <summary>Three simple synthetic pictures for a contact sheet when no photos are given: a landscape, a checkerboard, rings.</summary>
public static class SampleImages
{
    public static IReadOnlyList<RgbImage> Create(int size)
    {
        if (size < 8) throw new ArgumentOutOfRangeException(nameof(size), $"sample images need at least 8 pixels, got {size}");
        return [Draw(size, Landscape), Draw(size, Checkerboard), Draw(size, Rings)];
    }

    private static RgbImage Draw(int size, Action<SKCanvas, float> paint)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap)) paint(canvas, size);
        return SkiaRaster.FromBitmap(bitmap);
    }

    private static void Landscape(SKCanvas canvas, float s)
    {
        using var sky = new SKPaint
        {
            Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, s),
                [new SKColor(40, 90, 200), new SKColor(190, 225, 250)], SKShaderTileMode.Clamp),
        };
        canvas.DrawRect(0, 0, s, s, sky);
        using var sun = new SKPaint { Color = new SKColor(255, 210, 60), IsAntialias = true };
        canvas.DrawCircle(0.72f * s, 0.28f * s, 0.12f * s, sun);
        using var hill = new SKPaint { Color = new SKColor(60, 140, 70), IsAntialias = true };
        canvas.DrawOval(new SKRect(-0.3f * s, 0.62f * s, 1.3f * s, 1.4f * s), hill);
    }

    private static void Checkerboard(SKCanvas canvas, float s)
    {
        float cell = s / 8;
        using var light = new SKPaint { Color = new SKColor(240, 160, 80) };
        using var dark = new SKPaint { Color = new SKColor(30, 110, 120) };
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
                canvas.DrawRect(SKRect.Create(j * cell, i * cell, cell, cell), (i + j) % 2 == 0 ? light : dark);
        using var band = new SKPaint { Color = new SKColor(200, 30, 40), StrokeWidth = 0.08f * s, IsAntialias = true };
        canvas.DrawLine(0, 0, s, s, band);
    }

    private static void Rings(SKCanvas canvas, float s)
    {
        canvas.Clear(new SKColor(245, 240, 230));
        SKColor[] colours = [new(220, 60, 60), new(240, 200, 40), new(60, 170, 90), new(50, 100, 210), new(140, 60, 170)];
        using var ring = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = 0.05f * s, IsAntialias = true };
        for (int k = 0; k < colours.Length; k++)
        {
            ring.Color = colours[k];
            canvas.DrawCircle(s / 2, s / 2, (0.08f + 0.08f * k) * s, ring);
        }
    }
}
