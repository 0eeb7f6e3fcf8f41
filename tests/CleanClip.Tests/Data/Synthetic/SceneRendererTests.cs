using CleanClip.Data;
using CleanClip.Data.Synthetic;
using SkiaSharp;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

public class SceneRendererTests
{
    private static readonly NamedColour Gray = Palette.Get("gray");

    private static Scene Plain(string kind, double noise, SizeClass size = SizeClass.Large, int imageSize = 32) => new(
        imageSize,
        new SceneBackground(Gray, Gray.Value, Gray.Value, 1, 0),
        new SceneObject(kind, Palette.Get("yellow"), Palette.Get("yellow").Value, size, SceneSampler.Radius[size],
            new GridCell(1, 1), 0.5, 0.5, Rotation.None),
        [], noise, 42);

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void EveryKindStandsOutFromItsBackground(int imageSize)
    {
        using var renderer = new SceneRenderer(imageSize);
        foreach (var kind in ShapeCatalog.DefaultKinds)
        {
            var image = renderer.Render(Plain(kind, noise: 6, SizeClass.Small, imageSize));
            // Gray background plus noise has a channel variance near 36; a yellow object adds far more in blue.
            var blue = Enumerable.Range(0, imageSize * imageSize).Select(i => (double)image.Pixels[3 * i + 2]).ToList();
            double mean = blue.Average(), variance = blue.Average(v => (v - mean) * (v - mean));
            Assert.True(variance > 150, $"{kind} at {imageSize} px: blue variance {variance:0}");
        }
    }

    [Fact]
    public void NoiseHasTheRequestedSpreadAndNoBias()
    {
        using var renderer = new SceneRenderer(64);
        var clean = renderer.Render(Plain("circle", noise: 0, SizeClass.Small, 64) with { Object = Plain("circle", 0).Object with { Radius = 0 } });
        var noisy = renderer.Render(Plain("circle", noise: 6, SizeClass.Small, 64) with { Object = Plain("circle", 0).Object with { Radius = 0 } });
        Assert.All(Enumerable.Range(0, clean.Pixels.Length), i => Assert.Equal(128, clean.Pixels[i]));
        var diff = Enumerable.Range(0, noisy.Pixels.Length).Select(i => noisy.Pixels[i] - 128.0).ToList();
        double mean = diff.Average(), sd = Math.Sqrt(diff.Average(d => (d - mean) * (d - mean)));
        Assert.InRange(mean, -0.3, 0.3);
        Assert.InRange(sd, 5.6, 6.4);
        Assert.InRange(diff.Max(d => Math.Abs(d)), 12, 21);   // bounded: the sum of four uniforms never reaches 2√3σ ≈ 20.8
    }

    [Fact]
    public void SupersamplingSoftensEdges()
    {
        using var renderer = new SceneRenderer(32);
        var image = renderer.Render(Plain("circle", noise: 0));
        var blues = Enumerable.Range(0, 32 * 32).Select(i => image.Pixels[3 * i + 2]).ToHashSet();
        // Pure background (128), pure yellow (40) and partial-coverage mixes in between.
        Assert.Contains((byte)128, blues);
        Assert.Contains((byte)40, blues);
        Assert.True(blues.Count(b => b is > 40 and < 128) >= 5, $"only {blues.Count} distinct blue levels");
    }

    [Fact]
    public void ImagesArePngsOfTheirPixels()
    {
        using var renderer = new SceneRenderer(32);
        var scene = Plain("banana", noise: 6);
        var decoded = ImageDecoder.Decode(renderer.RenderPng(scene));
        Assert.True(decoded.Pixels.SequenceEqual(renderer.Render(scene).Pixels));
        using var another = new SceneRenderer(32);
        Assert.Equal(renderer.RenderPng(scene), another.RenderPng(scene));
    }

    [Fact]
    public void OutlinesStayWithinTheirReachUnderRotation()
    {
        foreach (var kind in ShapeCatalog.All)
        foreach (var t in new[] { -0.2217, 0, 0.2217 })
        {
            using var path = kind.Outline();
            var r = Rotation.FromHalfAngleTangent(t);
            path.Transform(new SKMatrix((float)r.Cos, (float)-r.Sin, 0, (float)r.Sin, (float)r.Cos, 0, 0, 0, 1));
            var bounds = path.TightBounds;
            float reach = (float)ShapeCatalog.Reach + 1e-3f;
            Assert.True(bounds.Left >= -reach && bounds.Right <= reach && bounds.Top >= -reach && bounds.Bottom <= reach,
                $"{kind.Name} rotated by t={t} spans {bounds}");
        }
    }

    [Fact]
    public void RejectsAsceneOfAnotherSize()
    {
        using var renderer = new SceneRenderer(32);
        Assert.Throws<ArgumentException>(() => renderer.Render(Plain("circle", 0, imageSize: 64)));
    }
}
