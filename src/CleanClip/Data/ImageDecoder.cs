using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using SkiaSharp;

namespace CleanClip.Data;

/// <summary>
/// Decodes JPEG, PNG, BMP, GIF and WebP with SkiaSharp into <see cref="RgbImage"/>, matching PIL's
/// <c>Image.open(f).convert("RGB")</c>: gray replicated, palette expanded, alpha dropped (not composited),
/// EXIF orientation and embedded colour profiles ignored, first frame of animations.
/// Thread-safe: every call owns its codec and buffers.
/// </summary>
public static class ImageDecoder
{
    /// <summary>PIL refuses images above this many pixels (DecompressionBombError = 2 × MAX_IMAGE_PIXELS); so do we.</summary>
    public const long MaxPixels = 178_956_970;

    /// <exception cref="InvalidDataException">The file is empty, truncated, corrupt or not an image.</exception>
    public static RgbImage Decode(string path) =>
        Decode(File.ReadAllBytes(path), path);

    /// <summary>Reads <paramref name="stream"/> to its end; <paramref name="name"/> is used in error messages.</summary>
    public static RgbImage Decode(Stream stream, string name = "<stream>") =>
        Decode(ReadAll(stream), name);

    public static RgbImage Decode(ReadOnlySpan<byte> encoded, string name = "<bytes>") =>
        DecodeCore(encoded, out var reason) ?? throw new InvalidDataException($"cannot decode image: {name}: {reason}");

    /// <summary>Like <see cref="Decode(string)"/> but reports unreadable files too as a reason instead of throwing.</summary>
    public static bool TryDecode(string path, [NotNullWhen(true)] out RgbImage? image, [NotNullWhen(false)] out string? reason)
    {
        byte[] encoded;
        try
        {
            encoded = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            image = null;
            reason = $"cannot read file: {path}: {e.Message}";
            return false;
        }
        return TryDecode(encoded, path, out image, out reason);
    }

    public static bool TryDecode(ReadOnlySpan<byte> encoded, string name, [NotNullWhen(true)] out RgbImage? image, [NotNullWhen(false)] out string? reason)
    {
        image = DecodeCore(encoded, out var why);
        reason = image is null ? $"cannot decode image: {name}: {why}" : null;
        return image is not null;
    }

    private static RgbImage? DecodeCore(ReadOnlySpan<byte> encoded, out string? reason)
    {
        reason = null;
        if (encoded.IsEmpty)
        {
            reason = "empty file";
            return null;
        }
        // Decoding from an in-memory copy keeps Skia away from managed stream callbacks: no blocking reads, no rewinds.
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            reason = "unrecognised format or corrupt header";
            return null;
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            reason = $"invalid size {width}x{height}";
            return null;
        }
        if ((long)width * height > MaxPixels)
        {
            reason = $"{width}x{height} exceeds {MaxPixels} pixels";
            return null;
        }
        // Unpremultiplied RGBA with no colour space: the stored colours, untouched by alpha or ICC profiles, as PIL keeps them.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgbaLength = width * height * 4;
        var rgba = ArrayPool<byte>.Shared.Rent(rgbaLength);
        try
        {
            var result = codec.GetPixels(info, rgba);
            if (result != SKCodecResult.Success)
            {
                // IncompleteInput and ErrorInInput still yield pixels; a half image must not reach a dataset.
                reason = result switch
                {
                    SKCodecResult.IncompleteInput => "truncated data",
                    SKCodecResult.ErrorInInput => "corrupt data",
                    _ => $"decoder error {result}",
                };
                return null;
            }
            return new RgbImage(width, height, DropAlpha(rgba.AsSpan(0, rgbaLength)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static byte[] DropAlpha(ReadOnlySpan<byte> rgba)
    {
        var rgb = GC.AllocateUninitializedArray<byte>(rgba.Length / 4 * 3);
        for (int s = 0, d = 0; s < rgba.Length; s += 4, d += 3)
        {
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
        }
        return rgb;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
