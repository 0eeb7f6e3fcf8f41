using CleanClip.Data;
using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

/// <summary>PAR's light augmentation: noise that only brightens, a small mean-coloured square, each half the time.</summary>
public class ParAugmentationTests
{
    private static RgbImage Random(int width, int height, ulong seed)
    {
        var random = new SplitMix64(seed);
        var pixels = new byte[3 * width * height];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.NextInt(256);
        return new RgbImage(width, height, pixels);
    }

    [Fact]
    public void TheErasingColourIsClipsMeanInEightBits()
    {
        // 0.48145466·255 = 122.77, 0.4578275·255 = 116.75, 0.40821073·255 = 104.09.
        Assert.Equal(new byte[] { 123, 117, 104 }, new ParAugmentation().Fill.ToArray());
    }

    [Fact]
    public void SquaresCoverHalfToOnePercentOfTheImageAndFitInside()
    {
        int drawn = 0;
        for (ulong seed = 0; seed < 2000; seed++)
        {
            var random = new SplitMix64(seed);
            var (left, top, side) = ParAugmentation.SampleSquare(224, 224, ref random)!.Value;
            // √(0.005·224²) = 15.8 and √(0.01·224²) = 22.4, rounded: sides 16 to 22.
            Assert.InRange(side, 16, 22);
            Assert.True(left >= 0 && top >= 0 && left + side <= 224 && top + side <= 224, $"square ({left},{top},{side})");
            drawn++;
        }
        Assert.Equal(2000, drawn);
        // An image no wider than the margin fits no square: every try fails.
        var small = new SplitMix64(1);
        Assert.Null(ParAugmentation.SampleSquare(4, 4, ref small));
    }

    [Fact]
    public void NoiseAndErasingEachApplyAboutHalfTheTime()
    {
        int n = 4000, noise = 0, erase = 0;
        for (ulong seed = 0; seed < (ulong)n; seed++)
        {
            var draw = ParAugmentation.Sample(seed, 32, 32);
            if (draw.Noise) noise++;
            if (draw.Erase is not null) erase++;
        }
        // Binomial(4000, ½) has a standard deviation of 32: ±150 is more than 4.5 of them.
        Assert.InRange(noise, n / 2 - 150, n / 2 + 150);
        Assert.InRange(erase, n / 2 - 150, n / 2 + 150);
    }

    [Fact]
    public void TheNoiseOnlyBrightensAndTheSquareIsTheMeanColour()
    {
        var image = Random(32, 32, 3);
        var augmentation = new ParAugmentation();
        var draw = new ParAugmentation.Draw(Noise: true, NoiseSeed: 11, Erase: (5, 7, 3));
        var result = augmentation.Apply(image, draw);
        int brighter = 0;
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                var (r, g, b) = result[x, y];
                if (x is >= 5 and < 8 && y is >= 7 and < 10)
                {
                    Assert.Equal(((byte)123, (byte)117, (byte)104), (r, g, b));
                    continue;
                }
                var (r0, g0, b0) = image[x, y];
                Assert.True(r >= r0 && g >= g0 && b >= b0, $"pixel ({x},{y}) got darker");
                brighter += (r > r0 ? 1 : 0) + (g > g0 ? 1 : 0) + (b > b0 ? 1 : 0);
            }
        // About half of the N(0, 0.2²) draws are positive and most of those move a value by at least 1/255.
        int values = 3 * (32 * 32 - 9);
        Assert.InRange(brighter, values * 0.4, values * 0.55);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBytesAndNothingDrawnReturnsTheImage()
    {
        var image = Random(32, 32, 5);
        var augmentation = new ParAugmentation();
        for (ulong seed = 0; seed < 20; seed++)
            Assert.Equal(augmentation.Apply(image, seed).Pixels.ToArray(), augmentation.Apply(image, seed).Pixels.ToArray());
        Assert.Same(image, augmentation.Apply(image, new ParAugmentation.Draw(false, 0, null)));
        Assert.Equal("par", ImageAugmentations.Create("par").Name);
    }
}
