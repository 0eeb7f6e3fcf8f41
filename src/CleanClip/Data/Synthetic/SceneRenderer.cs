using System.Runtime.InteropServices;
using SkiaSharp;

namespace CleanClip.Data.Synthetic;

/// <summary>
/// Draws scenes: shapes are filled by Skia without anti-aliasing on a canvas <c>supersampling</c> times larger,
/// then each output pixel is the box average of its sub-pixels over a background gradient computed here, plus
/// noise. Skia only decides which sub-pixels a shape covers (integer scan conversion); every colour value is computed
/// in C# with exactly-rounded arithmetic, so a scene gives the same pixels on any machine.
/// Not thread-safe: it reuses one canvas; use one renderer per thread.
/// </summary>
public sealed class SceneRenderer : IDisposable
{
    private const double InverseSqrt2 = 0.70710678118654752;
    private const double Sqrt3 = 1.7320508075688772;

    private readonly int _size;
    private readonly int _supersampling;
    private readonly SKBitmap _canvasBitmap;
    private readonly SKCanvas _canvas;
    private readonly SKPaint _paint = new() { IsAntialias = false, Style = SKPaintStyle.Fill };
    // Skia caches bounds inside a path; one renderer per thread owning its paths keeps those caches unshared.
    private readonly Dictionary<string, SKPath> _outlines = new();
    private readonly SKPath _stroke = new();
    // Canvas pixels the shapes may have touched this scene; everything outside is plain background.
    private SKRectI _drawn;

    public SceneRenderer(int size, int supersampling = 4)
    {
        _size = size;
        _supersampling = supersampling;
        int side = size * supersampling;
        _canvasBitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
        _canvas = new SKCanvas(_canvasBitmap);
        _stroke.AddRect(new SKRect(-1f, -0.18f, 1f, 0.18f));
    }

    public RgbImage Render(Scene scene)
    {
        if (scene.Size != _size)
            throw new ArgumentException($"scene is {scene.Size} px but this renderer draws {_size} px", nameof(scene));
        _canvas.Clear(SKColors.Transparent);
        _drawn = SKRectI.Empty;
        foreach (var item in scene.Clutter)
            Fill(item.Shape == ClutterShape.Dot ? Outline("circle") : _stroke, item.Fill, item.CenterX, item.CenterY, item.Radius, item.Rotation);
        var o = scene.Object;
        Fill(Outline(o.Kind), o.Fill, o.CenterX, o.CenterY, o.Radius, o.Rotation);
        _canvas.Flush();
        var pixels = new byte[_size * _size * 3];
        Composite(scene.Background, pixels);
        if (scene.NoiseSigma > 0) AddNoise(pixels, scene.NoiseSigma, scene.NoiseSeed);
        return new RgbImage(_size, _size, pixels);
    }

    public byte[] RenderPng(Scene scene) => PngWriter.Encode(Render(scene));

    private SKPath Outline(string kind)
    {
        if (!_outlines.TryGetValue(kind, out var path))
            _outlines[kind] = path = ShapeCatalog.Get(kind).Outline();
        return path;
    }

    private void Fill(SKPath outline, Rgb fill, double centerX, double centerY, double radius, Rotation rotation)
    {
        double side = _size * _supersampling, scale = radius * side;
        var matrix = new SKMatrix(
            (float)(rotation.Cos * scale), (float)(-rotation.Sin * scale), (float)(centerX * side),
            (float)(rotation.Sin * scale), (float)(rotation.Cos * scale), (float)(centerY * side),
            0, 0, 1);
        _canvas.SetMatrix(in matrix);
        _paint.Color = new SKColor(fill.R, fill.G, fill.B, 255);
        _canvas.DrawPath(outline, _paint);
        _canvas.ResetMatrix();
        // Control-point bounds contain the filled pixels; one pixel of margin absorbs rounding.
        var bounds = SKRectI.Ceiling(matrix.MapRect(outline.Bounds));
        bounds.Inflate(1, 1);
        _drawn = _drawn.IsEmpty ? bounds : SKRectI.Union(_drawn, bounds);
    }

    private void Composite(SceneBackground background, byte[] pixels)
    {
        // Little-endian RGBA: the alpha byte is the top byte of each 32-bit sub-pixel.
        ReadOnlySpan<uint> canvas = MemoryMarshal.Cast<byte, uint>(_canvasBitmap.GetPixelSpan());
        int ss = _supersampling, stride = _size * ss;
        double samples = ss * ss;
        var (from, to) = (background.From, background.To);
        // Output pixels that may hold shape sub-pixels; the rest skip the sub-pixel loop.
        int x0 = Math.Max(0, _drawn.Left / ss), x1 = Math.Min(_size, (_drawn.Right + ss - 1) / ss);
        int y0 = Math.Max(0, _drawn.Top / ss), y1 = Math.Min(_size, (_drawn.Bottom + ss - 1) / ss);
        for (int y = 0; y < _size; y++)
        for (int x = 0; x < _size; x++)
        {
            // Position along the gradient, 0..1 across the image's diagonal extent.
            double along = 0.5 + (((x + 0.5) / _size - 0.5) * background.DirectionX + ((y + 0.5) / _size - 0.5) * background.DirectionY) * InverseSqrt2;
            int uncovered = ss * ss, r = 0, g = 0, b = 0;
            if (x >= x0 && x < x1 && y >= y0 && y < y1)
            {
                for (int sy = 0; sy < ss; sy++)
                {
                    var row = canvas.Slice((y * ss + sy) * stride + x * ss, ss);
                    foreach (uint p in row)
                    {
                        // Fills are opaque and aliased, so a sub-pixel is either untouched (alpha 0) or one shape's colour.
                        if (p >> 24 == 0) continue;
                        uncovered--;
                        r += (int)(p & 0xFF); g += (int)((p >> 8) & 0xFF); b += (int)((p >> 16) & 0xFF);
                    }
                }
            }
            int o = (y * _size + x) * 3;
            pixels[o] = Average(r, uncovered, Lerp(from.R, to.R, along), samples);
            pixels[o + 1] = Average(g, uncovered, Lerp(from.G, to.G, along), samples);
            pixels[o + 2] = Average(b, uncovered, Lerp(from.B, to.B, along), samples);
        }
    }

    private static double Lerp(byte a, byte b, double t) => a + (b - a) * t;

    private static byte Average(int covered, int uncovered, double background, double samples) =>
        ToByte((covered + uncovered * background) / samples);

    // Irwin–Hall sum of four 16-bit uniforms, scaled in 32.32 fixed point: close to Gaussian, bounded, all integer
    // (no log/cos whose last bit varies by platform) and several times cheaper than Box–Muller.
    private static void AddNoise(byte[] pixels, double sigma, ulong seed)
    {
        var random = new SplitMix64(seed);
        // The sum has mean 2·65535.5 and standard deviation 65536/√3; scale maps it to sigma levels.
        long scale = (long)Math.Round(sigma * Sqrt3 / 65536.0 * 4294967296.0);
        foreach (ref byte p in pixels.AsSpan())
        {
            ulong bits = random.NextUInt64();
            long centred = 2 * (long)((bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48)) - 4 * 65535;
            long offset = (centred * scale + (1L << 32)) >> 33;  // centred is doubled: halve and round in one shift
            p = (byte)Math.Clamp(p + offset, 0, 255);
        }
    }

    private static byte ToByte(double value) => (byte)Math.Clamp(Math.Round(value, MidpointRounding.ToEven), 0, 255);

    public void Dispose()
    {
        foreach (var path in _outlines.Values) path.Dispose();
        _stroke.Dispose();
        _paint.Dispose();
        _canvas.Dispose();
        _canvasBitmap.Dispose();
    }
}
