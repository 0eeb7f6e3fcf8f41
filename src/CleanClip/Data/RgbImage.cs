using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data;

/// <summary>
/// An immutable 8-bit RGB image: rows top to bottom, pixels interleaved R,G,B (HWC), the layout of PIL's "RGB" mode.
/// </summary>
public sealed class RgbImage
{
    private readonly byte[] _pixels;

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pixels, <c>Height * Width * 3</c> bytes in HWC order.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Copies <paramref name="pixels"/> (HWC, <c>height * width * 3</c> bytes).</summary>
    public RgbImage(int width, int height, ReadOnlySpan<byte> pixels)
        : this(width, height, pixels.ToArray())
    {
    }

    // Takes ownership of the buffer: only for callers that just filled it and drop their reference.
    internal RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        if (pixels.LongLength != 3L * width * height)
            throw new ArgumentException($"expected {3L * width * height} bytes for {width}x{height} RGB, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
                throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x},{y}) outside {Width}x{Height}");
            var i = 3 * (y * Width + x);
            return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
        }
    }

    /// <summary>A new uint8 tensor <c>[3, H, W]</c> on the CPU (a channels-first view of one HWC copy).</summary>
    public Tensor ToTensor()
    {
        using var hwc = empty(new long[] { Height, Width, 3 }, ScalarType.Byte);
        hwc.bytes = _pixels;
        return hwc.permute(2, 0, 1);
    }

    /// <summary>Copies a uint8 <c>[3, H, W]</c> tensor (any device, any strides) into an image.</summary>
    public static RgbImage FromTensor(Tensor chw)
    {
        if (chw.dtype != ScalarType.Byte || chw.dim() != 3 || chw.shape[0] != 3)
            throw new ArgumentException($"expected a uint8 [3,H,W] tensor, got {chw.dtype} [{string.Join(",", chw.shape)}]", nameof(chw));
        using var scope = NewDisposeScope();
        var hwc = chw.permute(1, 2, 0).cpu().contiguous();
        return new RgbImage((int)chw.shape[2], (int)chw.shape[1], hwc.bytes.ToArray());
    }
}
