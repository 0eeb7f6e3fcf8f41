using CleanClip.Data;
using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

public class SimClrAugmentationTests
{
    private static RgbImage Noise(int width, int height, ulong seed)
    {
        var random = new CleanClip.SplitMix64(seed);
        var pixels = new byte[3 * width * height];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.NextInt(256);
        return new RgbImage(width, height, pixels);
    }

    [Fact]
    public void Crop_boxes_respect_scale_ratio_and_image_bounds()
    {
        double minArea = 1, maxArea = 0, sumArea = 0;
        int n = 3000;
        for (ulong seed = 0; seed < (ulong)n; seed++)
        {
            var random = new CleanClip.SplitMix64(seed);
            var (left, top, w, h) = SimClrAugmentation.SampleCrop(224, 224, ref random);
            Assert.True(left >= 0 && top >= 0 && left + w <= 224 && top + h <= 224, $"box ({left},{top},{w},{h})");
            double area = (double)w * h / (224 * 224);
            // Rounding w and h to integers moves the area and ratio a little beyond the continuous bounds.
            Assert.InRange(area, 0.08 * 0.97, 1.0);
            Assert.InRange((double)w / h, 0.75 * 0.98, 4.0 / 3.0 * 1.02);
            minArea = Math.Min(minArea, area);
            maxArea = Math.Max(maxArea, area);
            sumArea += area;
        }
        Assert.True(minArea < 0.1 && maxArea > 0.9, $"areas {minArea:F3}..{maxArea:F3} do not span the range");
        // Accepted boxes: area ~ U(0.08, 1) conditioned on fitting, so the mean sits a bit below 0.54.
        Assert.InRange(sumArea / n, 0.4, 0.56);
    }

    [Fact]
    public void A_crop_that_never_fits_falls_back_to_the_ratio_clamped_centre()
    {
        // 1000×2: every attempt needs h >= √(160/(4/3)) ≈ 11 > 2, so all 10 fail. Ratio 500 > 4/3:
        // h = 2, w = round(2·4/3) = round(2.67) = 3, left = (1000 − 3) // 2 = 498, top = 0.
        var random = new CleanClip.SplitMix64(7);
        Assert.Equal((498, 0, 3, 2), SimClrAugmentation.SampleCrop(1000, 2, ref random));
    }

    [Fact]
    public void Flip_jitter_and_grayscale_fire_at_their_rates()
    {
        int n = 4000, flips = 0, jitters = 0, grays = 0;
        var orders = new HashSet<string>();
        for (ulong seed = 0; seed < (ulong)n; seed++)
        {
            var draw = SimClrAugmentation.Sample(seed, 32, 32);
            flips += draw.Flip ? 1 : 0;
            jitters += draw.Jitter ? 1 : 0;
            grays += draw.Grayscale ? 1 : 0;
            orders.Add(string.Join(",", draw.JitterOrder));
            Assert.InRange(draw.Brightness, 0.6, 1.4);
            Assert.InRange(draw.Contrast, 0.6, 1.4);
            Assert.InRange(draw.Saturation, 0.6, 1.4);
            Assert.InRange(draw.Hue, -0.1, 0.1);
        }
        Assert.InRange((double)flips / n, 0.46, 0.54);
        Assert.InRange((double)jitters / n, 0.77, 0.83);
        Assert.InRange((double)grays / n, 0.17, 0.23);
        Assert.Equal(24, orders.Count);
    }

    [Fact]
    public void Full_crop_with_flip_mirrors_the_image_by_hand()
    {
        // 3×1 pixels a, b, c → c, b, a.
        var image = new RgbImage(3, 1, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        var draw = new SimClrAugmentation.Draw((0, 0, 3, 1), true, false, [0, 1, 2, 3], 1, 1, 1, 0, false);
        Assert.Equal(new byte[] { 7, 8, 9, 4, 5, 6, 1, 2, 3 }, SimClrAugmentation.Apply(image, draw).Pixels.ToArray());
    }

    [Fact]
    public void Crop_is_resized_bilinearly_back_to_the_input_size()
    {
        // A 2×1 crop (values 0 and 100) of a 4×1 image resized to 4×1: scale 0.5, output centres map to
        // 0.25, 0.75, 1.25, 1.75 → weights (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) after PIL's edge normalisation
        // → 0, 25, 75, 100.
        var image = PilOpsTests.Gray(4, 1, 0, 100, 200, 250);
        var draw = new SimClrAugmentation.Draw((0, 0, 2, 1), false, false, [0, 1, 2, 3], 1, 1, 1, 0, false);
        Assert.Equal(new[] { 0, 25, 75, 100 }, PilOpsTests.Channel(SimClrAugmentation.Apply(image, draw), 0));
    }

    [Fact]
    public void Grayscale_gives_equal_channels()
    {
        var image = Noise(16, 16, 5);
        var draw = new SimClrAugmentation.Draw((0, 0, 16, 16), false, true, [3, 2, 1, 0], 1.2, 0.8, 1.3, 0.05, true);
        var result = SimClrAugmentation.Apply(image, draw);
        for (int i = 0; i < result.Pixels.Length; i += 3)
        {
            Assert.Equal(result.Pixels[i], result.Pixels[i + 1]);
            Assert.Equal(result.Pixels[i], result.Pixels[i + 2]);
        }
    }

    [Fact]
    public void Same_seed_same_bytes_same_size_and_input_untouched()
    {
        var image = Noise(24, 20, 9);
        var before = image.Pixels.ToArray();
        var augmentation = ImageAugmentations.Create("simclr");
        for (ulong seed = 0; seed < 30; seed++)
        {
            var first = augmentation.Apply(image, seed);
            var second = augmentation.Apply(image, seed);
            Assert.Equal((24, 20), (first.Width, first.Height));
            Assert.Equal(first.Pixels.ToArray(), second.Pixels.ToArray());
        }
        Assert.Equal(before, image.Pixels.ToArray());
        Assert.NotEqual(augmentation.Apply(image, 1).Pixels.ToArray(), augmentation.Apply(image, 2).Pixels.ToArray());
    }
}
