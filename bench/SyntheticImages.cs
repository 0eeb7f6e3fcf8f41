using SkiaSharp;

namespace CleanClip.Bench;

/// <summary>Photo-like JPEGs: two gradients plus per-pixel noise (smooth gradients alone compress and decode unrealistically fast).</summary>
internal static class SyntheticImages
{
    public static List<string> Write(string folder, int count, int width, int height)
    {
        Directory.CreateDirectory(folder);
        var paths = new string[count];
        Parallel.For(0, count, i =>
        {
            paths[i] = Path.Combine(folder, $"synthetic-{i:D5}.jpg");
            File.WriteAllBytes(paths[i], Jpeg(width, height, seed: i));
        });
        return [.. paths];
    }

    private static byte[] Jpeg(int width, int height, int seed)
    {
        var random = new Random(seed);
        SKColor Color(byte alpha = 255) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), alpha);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var linear = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [Color(), Color(), Color()], SKShaderTileMode.Clamp) };
            canvas.DrawRect(0, 0, width, height, linear);
            using var radial = new SKPaint { Shader = SKShader.CreateRadialGradient(new SKPoint(random.Next(width), random.Next(height)), width / 3f, [Color(200), SKColors.Transparent], SKShaderTileMode.Clamp) };
            canvas.DrawRect(0, 0, width, height, radial);
        }
        var pixels = bitmap.GetPixelSpan();
        var noise = new byte[pixels.Length];
        random.NextBytes(noise);
        for (var i = 0; i < pixels.Length; i++)
            if (i % 4 != 3) pixels[i] = (byte)Math.Clamp(pixels[i] + (noise[i] >> 3) - 16, 0, 255);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
