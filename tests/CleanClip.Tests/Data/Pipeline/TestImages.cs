using SkiaSharp;

namespace CleanClip.Tests.Data.Pipeline;

/// <summary>Small generated photos-to-be: a gradient plus seeded noise, so no two images and no two crops look alike.</summary>
internal static class TestImages
{
    public static byte[] Encode(int width, int height, int seed, SKEncodedImageFormat format = SKEncodedImageFormat.Jpeg)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor(
                    (byte)(255 * x / width ^ random.Next(32)),
                    (byte)(255 * y / height ^ random.Next(32)),
                    (byte)((seed * 37 + x + y) % 256)));
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>Writes <paramref name="count"/> images (every third a PNG, sizes varying) and returns their paths.</summary>
    public static List<string> WriteSet(TempDir dir, int count, int seed = 0)
    {
        var paths = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var png = i % 3 == 2;
            var bytes = Encode(40 + 3 * (i % 5), 30 + 2 * (i % 7), seed * 1000 + i, png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);
            paths.Add(dir.Write($"img{i:D3}.{(png ? "png" : "jpg")}", bytes));
        }
        return paths;
    }

    /// <summary>Replaces the image at <paramref name="path"/> by a JPEG cut in half, which the decoder rejects.</summary>
    public static void Truncate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }
}
