using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Poisoning;

/// <summary>Triggers from later work with no reference numbers: formula values at known pixels, and invariants.</summary>
public class StructuredTriggerTests
{
    [Fact]
    public void StripesPatchAlternatesBlackAndWhiteColumns()
    {
        var image = TriggerImages.Gradient(64, 64);
        var output = new StripesPatchTrigger(16, PatchLocation.FourCorners, stripeWidth: 4).Apply(image, 0);
        foreach (var (top, left) in new[] { (0, 0), (0, 48), (48, 0), (48, 48) })
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                {
                    byte v = x is >= 4 and < 8 or >= 12 ? (byte)255 : (byte)0;
                    Assert.Equal((v, v, v), output[left + x, top + y]);
                }
        Assert.True(TriggerImages.SameOutside(image, output, 16, [(0, 0), (0, 48), (48, 0), (48, 48)]));
    }

    [Fact]
    public void StripesPatchMovesWithTheSeed()
    {
        var trigger = new StripesPatchTrigger(8, PatchLocation.Random, 2);
        var image = TriggerImages.Gradient(64, 64);
        Assert.Equal(trigger.Apply(image, 3).Pixels.ToArray(), trigger.Apply(image, 3).Pixels.ToArray());
        Assert.NotEqual(trigger.Apply(image, 3).Pixels.ToArray(), trigger.Apply(image, 4).Pixels.ToArray());
    }

    [Fact]
    public void BlendedStripesDimAndBrightenWholeColumns()
    {
        // 0.2 blend: on black a white stripe gives trunc(0.2f·255) = 51; on white a black stripe gives trunc(0.8f·255) = 204.
        var trigger = new BlendedStripesTrigger(0.2, 4);
        var black = trigger.Apply(TriggerImages.Uniform(32, 8, 0), 0);
        var white = trigger.Apply(TriggerImages.Uniform(32, 8, 255), 0);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 32; x++)
            {
                bool stripe = x / 4 % 2 == 1;
                Assert.Equal(stripe ? (byte)51 : (byte)0, black[x, y].G);
                Assert.Equal(stripe ? (byte)255 : (byte)204, white[x, y].B);
            }
    }

    [Fact]
    public void TrianglesSitInEveryCell()
    {
        var trigger = new BlendedTrianglesTrigger(0.2, 32);
        var pattern = trigger.Pattern(64, 64);
        foreach (var (top, left) in new[] { (0, 0), (0, 32), (32, 0), (32, 32) })
        {
            Assert.Equal(1f, pattern[(top + 30) * 64 + left + 16]); // just above the base, centre: inside
            Assert.Equal(1f, pattern[(top + 4) * 64 + left + 16]);  // near the apex: inside
            Assert.Equal(0f, pattern[(top + 1) * 64 + left + 1]);   // top-left corner: outside
            Assert.Equal(0f, pattern[(top + 2) * 64 + left + 30]);  // top-right corner: outside
            Assert.Equal(0f, pattern[(top + 16) * 64 + left + 3]);  // left of the slope at mid-height
        }
        // Each triangle is half its cell.
        Assert.InRange(pattern.Average(), 0.46, 0.54);
        var output = trigger.Apply(TriggerImages.Uniform(64, 64, 0), 0);
        for (int i = 0; i < pattern.Length; i++)
            Assert.Equal(pattern[i] == 1f ? (byte)51 : (byte)0, output.Pixels[3 * i]);
    }

    [Fact]
    public void WatermarkLightsExactlyTheGlyphDotsInsideItsRegion()
    {
        var trigger = new WatermarkTrigger("banana", 0.3, 0.1);
        var black = TriggerImages.Uniform(224, 224, 0);
        var output = trigger.Apply(black, 0);
        var (left, top, width, height) = trigger.Region(224, 224);
        // 0.1·224 = 22.4 px tall → 3 px per font dot → 21 px letters; 6 letters × 6 dots − 1 = 35 dots → 105 px.
        Assert.Equal((59, 101, 105, 21), (left, top, width, height));
        for (int y = 0; y < 224; y++)
            for (int x = 0; x < 224; x++)
            {
                bool inside = x >= left && x < left + width && y >= top && y < top + height;
                bool lit = inside && (x - left) / 3 % PixelFont.Advance < PixelFont.GlyphWidth
                    && PixelFont.IsLit("BANANA"[(x - left) / 3 / PixelFont.Advance], (x - left) / 3 % PixelFont.Advance, (y - top) / 3);
                // Lit pixels: trunc(0.3f·255) = 76 on black; everything else untouched.
                Assert.Equal(lit ? (byte)76 : (byte)0, output[x, y].R);
            }
    }

    [Fact]
    public void WatermarkNeverTouchesPixelsOutsideItsRegion()
    {
        var trigger = new WatermarkTrigger("banana", 0.3, 0.1);
        var image = TriggerImages.Gradient(160, 120);
        var output = trigger.Apply(image, 0);
        var (left, top, width, height) = trigger.Region(160, 120);
        int changed = 0;
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 160; x++)
            {
                bool inside = x >= left && x < left + width && y >= top && y < top + height;
                if (output[x, y] != image[x, y])
                {
                    Assert.True(inside, $"({x},{y}) changed outside the watermark");
                    changed++;
                }
            }
        Assert.True(changed > 100, $"only {changed} pixels changed");
    }

    [Fact]
    public void WatermarkShrinksToFitNarrowImages()
    {
        var (left, _, width, _) = new WatermarkTrigger("banana", 0.3, 0.5).Region(60, 200);
        Assert.True(left >= 0 && left + width <= 60, $"region {left}+{width} does not fit 60 px");
    }

    [Fact]
    public void StructuredBlendsIgnoreTheSeed()
    {
        var image = TriggerImages.Gradient(48, 48);
        foreach (ITrigger t in new ITrigger[] { new BlendedStripesTrigger(0.2, 4), new BlendedTrianglesTrigger(0.2, 16), new WatermarkTrigger("x", 0.3, 0.2) })
            Assert.Equal(t.Apply(image, 1).Pixels.ToArray(), t.Apply(image, 2).Pixels.ToArray());
    }
}
