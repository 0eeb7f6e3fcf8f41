using SkiaSharp;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>Small files for dataset tests, written under a <see cref="TempDir"/> (folders made as needed).</summary>
internal static class DatasetFiles
{
    private static readonly Lazy<byte[]> RedPng = new(() =>
    {
        using var bitmap = new SKBitmap(8, 8);
        bitmap.Erase(SKColors.Red);
        return bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    });

    /// <summary>An 8×8 PNG at <paramref name="relative"/>; returns its full path.</summary>
    public static string Png(this TempDir dir, string relative) => dir.Bytes(relative, RedPng.Value);

    /// <summary>A text file written byte for byte (no newline translation); returns its full path.</summary>
    public static string Text(this TempDir dir, string relative, string content) =>
        dir.Bytes(relative, System.Text.Encoding.UTF8.GetBytes(content));

    public static string Bytes(this TempDir dir, string relative, byte[] bytes)
    {
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
