using CleanClip.Data;
using SkiaSharp;
using Xunit;

namespace CleanClip.Tests.Data;

public class ImageDecoderTests
{
    private const int W = 7, H = 5;

    // Distinct values per pixel and channel, so a swapped channel, a flipped row or an off-by-one shows.
    private static (byte R, byte G, byte B, byte A) Expected(int x, int y) =>
        ((byte)(30 * x + 7), (byte)(40 * y + 3), (byte)(11 * x + 17 * y + 100), (byte)(255 - 36 * x));

    private static byte[] Encode(SKColorType colorType, SKEncodedImageFormat format, int quality, bool withAlpha)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(W, H, colorType, withAlpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque));
        for (var y = 0; y < H; y++)
            for (var x = 0; x < W; x++)
            {
                var (r, g, b, a) = Expected(x, y);
                bitmap.SetPixel(x, y, colorType == SKColorType.Gray8 ? new SKColor(r, r, r) : new SKColor(r, g, b, withAlpha ? a : (byte)255));
            }
        using var data = bitmap.Encode(format, quality);
        Assert.NotNull(data);
        return data.ToArray();
    }

    private static void AssertExact(RgbImage image, bool gray)
    {
        Assert.Equal((W, H), (image.Width, image.Height));
        for (var y = 0; y < H; y++)
            for (var x = 0; x < W; x++)
            {
                var (r, g, b, _) = Expected(x, y);
                Assert.Equal(gray ? (r, r, r) : (r, g, b), image[x, y]);
            }
    }

    [Fact]
    public void Png_rgb_decodes_exactly()
    {
        var png = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Png, 100, withAlpha: false);
        Assert.Equal(2, png[25]); // IHDR colour type 2: truecolour without alpha
        AssertExact(ImageDecoder.Decode(png), gray: false);
    }

    [Fact]
    public void Png_rgba_drops_alpha_without_compositing()
    {
        var png = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Png, 100, withAlpha: true);
        Assert.Equal(6, png[25]); // truecolour with alpha
        // Premultiplying or compositing on black/white would change every pixel whose alpha is below 255.
        AssertExact(ImageDecoder.Decode(png), gray: false);
    }

    [Fact]
    public void Png_grayscale_is_replicated_to_three_channels()
    {
        var png = Encode(SKColorType.Gray8, SKEncodedImageFormat.Png, 100, withAlpha: false);
        Assert.Equal(0, png[25]); // greyscale
        AssertExact(ImageDecoder.Decode(png), gray: true);
    }

    [Fact]
    public void Webp_lossless_decodes_exactly()
    {
        var webp = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Webp, 100, withAlpha: false);
        Assert.Equal("WEBP", System.Text.Encoding.ASCII.GetString(webp, 8, 4));
        AssertExact(ImageDecoder.Decode(webp), gray: false);
    }

    [Fact]
    public void Bmp_bottom_up_24bit_decodes_exactly()
    {
        // Skia cannot encode BMP, so write the 54-byte header by hand: BGR rows, bottom row first, 4-byte padding.
        var stride = (3 * W + 3) & ~3;
        var bmp = new byte[54 + stride * H];
        void I32(int at, int v) => BitConverter.TryWriteBytes(bmp.AsSpan(at), v);
        bmp[0] = (byte)'B'; bmp[1] = (byte)'M';
        I32(2, bmp.Length); I32(10, 54); I32(14, 40); I32(18, W); I32(22, H);
        bmp[26] = 1; bmp[28] = 24; I32(34, stride * H);
        for (var y = 0; y < H; y++)
            for (var x = 0; x < W; x++)
            {
                var (r, g, b, _) = Expected(x, y);
                var at = 54 + (H - 1 - y) * stride + 3 * x;
                (bmp[at], bmp[at + 1], bmp[at + 2]) = (b, g, r);
            }
        AssertExact(ImageDecoder.Decode(bmp), gray: false);
    }

    [Fact]
    public void Jpeg_decodes_close_to_source()
    {
        var jpeg = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Jpeg, 100, withAlpha: false);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
        var image = ImageDecoder.Decode(new MemoryStream(jpeg), "in-memory.jpg");
        Assert.Equal((W, H), (image.Width, image.Height));
        long sum = 0;
        for (var y = 0; y < H; y++)
            for (var x = 0; x < W; x++)
            {
                var (r, g, b, _) = Expected(x, y);
                var p = image[x, y];
                sum += Math.Abs(p.R - r) + Math.Abs(p.G - g) + Math.Abs(p.B - b);
            }
        // Lossy (4:2:0 chroma on a 7x5 rainbow); a channel swap or flip would be off by tens.
        Assert.True(sum / (3.0 * W * H) < 8, $"JPEG MAD {sum / (3.0 * W * H):F2}");
    }

    [Fact]
    public void Exif_orientation_is_not_applied()
    {
        // The fixture is 32x16 with orientation 6 ("rotate 90° to display"); PIL's Image.open reports 32x16 too.
        var image = ImageDecoder.Decode(TestPaths.Fixture("preprocess", "exif_orientation6_32x16.jpg"));
        Assert.Equal((32, 16), (image.Width, image.Height));
    }

    public static TheoryData<string, byte[]> BadFiles()
    {
        var png = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Png, 100, withAlpha: false);
        var jpeg = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Jpeg, 90, withAlpha: false);
        var corrupt = (byte[])png.Clone();
        for (var i = 41; i < corrupt.Length - 12; i++) corrupt[i] ^= 0x5A; // header intact, compressed data garbage
        return new TheoryData<string, byte[]>
        {
            { "empty.png", Array.Empty<byte>() },
            { "text.jpg", "this is not an image\n"u8.ToArray() },
            { "truncated.png", png[..(png.Length / 2)] },
            { "truncated.jpg", jpeg[..(jpeg.Length * 2 / 3)] },
            { "header-only.jpg", jpeg[..20] },
            { "corrupt.png", corrupt },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_file_throws_InvalidDataException_naming_it(string name, byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cleanclip-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, content);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(path));
            Assert.StartsWith("cannot decode image: ", e.Message);
            Assert.Contains(path, e.Message);

            Assert.False(ImageDecoder.TryDecode(path, out var image, out var reason));
            Assert.Null(image);
            Assert.Contains(path, reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TryDecode_reports_missing_file_and_succeeds_on_good_bytes()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"cleanclip-{Guid.NewGuid():N}.png");
        Assert.False(ImageDecoder.TryDecode(missing, out _, out var reason));
        Assert.StartsWith("cannot read file: ", reason);

        var png = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Png, 100, withAlpha: false);
        Assert.True(ImageDecoder.TryDecode(png, "good.png", out var image, out var none));
        Assert.Null(none);
        AssertExact(image, gray: false);
    }

    [SkippableFact]
    public void Skimage_truncated_jpeg_is_rejected()
    {
        var path = SkimageData.Find("truncated.jpg");
        Skip.If(path is null, SkimageData.Missing("truncated.jpg"));
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(path!));
        Assert.Contains("truncated.jpg", e.Message);
    }

    [Fact]
    public void Parallel_decodes_agree_with_a_serial_decode()
    {
        var png = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Png, 100, withAlpha: true);
        var jpeg = Encode(SKColorType.Rgba8888, SKEncodedImageFormat.Jpeg, 90, withAlpha: false);
        var bad = jpeg[..(jpeg.Length / 2)];
        var files = Enumerable.Range(0, 96).Select(i => (i % 3) switch { 0 => png, 1 => jpeg, _ => bad }).ToArray();
        var serial = files.Select(f => ImageDecoder.TryDecode(f, "f", out var im, out _) ? im.Pixels.ToArray() : null).ToArray();
        var parallel = new byte[]?[files.Length];
        Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i] = ImageDecoder.TryDecode(files[i], "f", out var im, out _) ? im.Pixels.ToArray() : null);
        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(i % 3 == 2, serial[i] is null);
            Assert.Equal(serial[i], parallel[i]);
        }
    }
}
