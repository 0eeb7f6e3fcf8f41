using System.Collections.Concurrent;
using CleanClip.Data;
using SkiaSharp;

namespace CleanClip.Poisoning;

/// <summary>
/// A structured Blended trigger from later CLIP-poisoning benchmarks: a fixed tiling of white upward triangles on
/// black, blended like the reference's Blended: <c>clip((1 − α)·image + α·t)</c>. Cell (i, j) of side C holds the
/// triangle with corners (jC, (i+1)C), (jC + C/2, iC), ((j+1)C, (i+1)C); SkiaSharp fills it without antialiasing, so
/// t is exactly 0 or 1 per pixel. Not in the reference; no random draws.
/// </summary>
public sealed class BlendedTrianglesTrigger : ITrigger
{
    private readonly ConcurrentDictionary<(int W, int H), float[]> _patterns = new();

    public double Alpha { get; }
    public int Cell { get; }
    public string Name => "blended-triangles";
    public TriggerParameters Parameters => new BlendedTrianglesParameters(Alpha, Cell);

    public BlendedTrianglesTrigger(double alpha, int cell)
    {
        Blend.Weights(alpha);
        if (cell < 2) throw new ArgumentOutOfRangeException(nameof(cell), $"triangle cell must be at least 2 pixels, got {cell}");
        (Alpha, Cell) = (alpha, cell);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed) =>
        Blend.Apply(image, _patterns.GetOrAdd((image.Width, image.Height), size => Pattern(size.W, size.H)), Alpha);

    /// <summary>The H,W pattern t (0 or 1) for an image of this size.</summary>
    public float[] Pattern(int width, int height)
    {
        var mask = SkiaRaster.RenderMask(width, height, (canvas, paint) =>
        {
            using var path = new SKPath();
            for (int top = 0; top < height; top += Cell)
                for (int left = 0; left < width; left += Cell)
                {
                    path.MoveTo(left, top + Cell);
                    path.LineTo(left + Cell / 2f, top);
                    path.LineTo(left + Cell, top + Cell);
                    path.Close();
                }
            canvas.DrawPath(path, paint);
        });
        return Array.ConvertAll(mask, m => m >= 128 ? 1f : 0f);
    }
}
