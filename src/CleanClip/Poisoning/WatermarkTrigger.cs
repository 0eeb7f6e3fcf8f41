using System.Collections.Concurrent;
using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// A visible watermark trigger from later CLIP-poisoning benchmarks: a word in white <see cref="PixelFont"/> letters,
/// blended at opacity α (<c>(1 − α)·x + α·1</c> on lit pixels only), centred in the image. Letter height is
/// <c>height·H</c> rounded down to a whole number of pixels per font dot (at least 1), reduced until the word fits
/// the width. Pixels outside the letters are never changed. Not in the reference; no random draws.
/// </summary>
public sealed class WatermarkTrigger : ITrigger
{
    private readonly ConcurrentDictionary<(int W, int H), byte[]> _masks = new();

    public string Text { get; }
    public double Alpha { get; }
    public double Height { get; }
    public string Name => "watermark";
    public TriggerParameters Parameters => new WatermarkParameters(Text, Alpha, Height);

    public WatermarkTrigger(string text, double alpha, double height)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("watermark text must not be empty", nameof(text));
        Blend.Weights(alpha);
        if (!(height > 0 && height <= 1)) throw new ArgumentOutOfRangeException(nameof(height), $"watermark height must be in (0, 1], got {height}");
        (Text, Alpha, Height) = (text, alpha, height);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed) =>
        Blend.Masked(image, _masks.GetOrAdd((image.Width, image.Height), size => Mask(size.W, size.H)), Alpha, (255, 255, 255));

    /// <summary>The rectangle the word occupies in a W×H image (it may be clipped when even scale 1 is too wide).</summary>
    public (int Left, int Top, int Width, int Height) Region(int width, int height)
    {
        int scale = Math.Max(1, (int)(Height * height / PixelFont.GlyphHeight));
        while (scale > 1 && PixelFont.Measure(Text, scale).Width > width) scale--;
        var (w, h) = PixelFont.Measure(Text, scale);
        return ((width - w) / 2, (height - h) / 2, w, h);
    }

    private byte[] Mask(int width, int height)
    {
        var (left, top, _, h) = Region(width, height);
        int scale = h / PixelFont.GlyphHeight;
        return SkiaRaster.RenderMask(width, height, (canvas, paint) => PixelFont.Draw(canvas, Text, left, top, scale, paint));
    }
}
