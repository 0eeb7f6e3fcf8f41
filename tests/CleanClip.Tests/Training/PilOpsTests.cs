using CleanClip.Data;
using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

/// <summary>Each PIL op on tiny images whose expected pixels are worked out by hand in the comments.</summary>
public class PilOpsTests
{
    // A grey image (R = G = B) from row-major values.
    internal static RgbImage Gray(int width, int height, params int[] values)
    {
        Assert.Equal(width * height, values.Length);
        var pixels = new byte[3 * values.Length];
        for (int i = 0; i < values.Length; i++) pixels[3 * i] = pixels[3 * i + 1] = pixels[3 * i + 2] = (byte)values[i];
        return new RgbImage(width, height, pixels);
    }

    internal static int[] Channel(RgbImage image, int channel)
    {
        var values = new int[image.Width * image.Height];
        for (int i = 0; i < values.Length; i++) values[i] = image.Pixels[3 * i + channel];
        return values;
    }

    private static void AssertGray(RgbImage image, params int[] expected)
    {
        for (int c = 0; c < 3; c++) Assert.Equal(expected, Channel(image, c));
    }

    [Fact]
    public void Posterize_keeps_the_top_bits()
    {
        var image = Gray(3, 2, 0, 15, 16, 200, 255, 137);
        // 4 bits: mask 0xF0. 200 = 0xC8 → 0xC0 = 192; 137 = 0x89 → 0x80 = 128; 255 → 240.
        AssertGray(PilOps.Posterize(image, 4), 0, 0, 16, 192, 240, 128);
        // 7 bits: mask 0xFE clears bit 0.
        AssertGray(PilOps.Posterize(image, 7), 0, 14, 16, 200, 254, 136);
        AssertGray(PilOps.Posterize(image, 8), 0, 15, 16, 200, 255, 137);
    }

    [Fact]
    public void Solarize_inverts_values_at_or_above_the_threshold()
    {
        var image = Gray(3, 2, 0, 113, 114, 169, 170, 255);
        // Threshold 113.333: 113 stays, 114 → 141, 169 → 86, 170 → 85, 255 → 0.
        AssertGray(PilOps.Solarize(image, 113.33333587646484), 0, 113, 141, 86, 85, 0);
        // Threshold exactly 170: 170 itself is inverted (value >= threshold).
        AssertGray(PilOps.Solarize(image, 170.0), 0, 113, 114, 169, 85, 0);
        // Threshold 0 inverts everything; 255 only inverts 255.
        AssertGray(PilOps.Solarize(image, 0.0), 255, 142, 141, 86, 85, 0);
        AssertGray(PilOps.Solarize(image, 255.0), 0, 113, 114, 169, 170, 0);
    }

    [Fact]
    public void Invert_maps_v_to_255_minus_v()
    {
        AssertGray(PilOps.Invert(Gray(2, 2, 0, 1, 128, 255)), 255, 254, 127, 0);
    }

    [Fact]
    public void AutoContrast_stretches_each_channel_from_its_min_and_max()
    {
        // R takes 64, 100, 128, 192: scale = 255/128 = 1.9921875, offset = −127.5 (both exact).
        // 64 → 0; 100 → 199.21875 − 127.5 = 71.72 → 71; 128 → 127.5 → 127; 192 → 255.
        // G is constant (hi <= lo): unchanged. B takes 0 and 25: scale = 255/25 = 10.2, which is a double a hair
        // below 10.2, so 25·scale = 254.99999999999997 and PIL's int() gives 254, not 255.
        var pixels = new byte[] { 64, 7, 0, 100, 7, 25, 128, 7, 0, 192, 7, 25 };
        var result = PilOps.AutoContrast(new RgbImage(2, 2, pixels));
        Assert.Equal(new[] { 0, 71, 127, 255 }, Channel(result, 0));
        Assert.Equal(new[] { 7, 7, 7, 7 }, Channel(result, 1));
        Assert.Equal(new[] { 0, 254, 0, 254 }, Channel(result, 2));
    }

    [Fact]
    public void Equalize_follows_PILs_cumulative_histogram_lut()
    {
        // 40×40 = 1600 pixels. R: 10 ×400, 50 ×400, 90 ×800. step = (1600 − 800) // 255 = 3, n starts at 3 // 2 = 1:
        // lut[10] = 1 // 3 = 0; lut[50] = (1 + 400) // 3 = 133; lut[90] = (1 + 800) // 3 = 267 → clipped to 255.
        // G: a single value 77 → unchanged. B: 5 ×1599, 250 ×1: step = (1600 − 1) // 255 = 6, n = 3:
        // lut[5] = 0, lut[250] = (3 + 1599) // 6 = 267 → 255.
        var pixels = new byte[3 * 1600];
        for (int i = 0; i < 1600; i++)
        {
            pixels[3 * i] = (byte)(i < 400 ? 10 : i < 800 ? 50 : 90);
            pixels[3 * i + 1] = 77;
            pixels[3 * i + 2] = (byte)(i == 1599 ? 250 : 5);
        }
        var result = PilOps.Equalize(new RgbImage(40, 40, pixels));
        var r = Channel(result, 0);
        Assert.Equal(0, r[0]);
        Assert.Equal(133, r[400]);
        Assert.Equal(255, r[800]);
        Assert.All(Channel(result, 1), v => Assert.Equal(77, v));
        var b = Channel(result, 2);
        Assert.Equal(0, b[0]);
        Assert.Equal(255, b[1599]);
    }

    [Fact]
    public void Equalize_leaves_a_channel_alone_when_step_is_zero()
    {
        // 4 pixels, two values: step = (4 − 2) // 255 = 0 → identity.
        AssertGray(PilOps.Equalize(Gray(2, 2, 10, 10, 200, 200)), 10, 10, 200, 200);
    }

    [Fact]
    public void Brightness_truncates_factor_times_value()
    {
        var image = Gray(2, 2, 3, 100, 171, 255);
        // ×1.5: 4.5 → 4, 150, 256.5 → 255, 382.5 → 255.
        AssertGray(PilOps.Brightness(image, 1.5), 4, 150, 255, 255);
        // ×0.5: 1.5 → 1, 50, 85.5 → 85, 127.5 → 127.
        AssertGray(PilOps.Brightness(image, 0.5), 1, 50, 85, 127);
    }

    [Fact]
    public void Luma_is_PILs_rounded_fixed_point_L()
    {
        // (255,0,0): (255·19595 + 32768) >> 16 = 5029493 >> 16 = 76.
        Assert.Equal(76, PilOps.Luma(255, 0, 0));
        // (0,255,0): 9842618 >> 16 = 150 (ITU 0.587·255 = 149.7: rounded, not truncated).
        Assert.Equal(150, PilOps.Luma(0, 255, 0));
        // (0,0,255): 1937873 >> 16 = 29.
        Assert.Equal(29, PilOps.Luma(0, 0, 255));
        // Grey stays grey: the weights sum to 65536.
        Assert.Equal(200, PilOps.Luma(200, 200, 200));
    }

    [Fact]
    public void Contrast_blends_with_the_rounded_mean_of_L()
    {
        // Grey values 10, 20, 30, 41: mean 25.25 → int(25.75) = 25.
        var image = Gray(2, 2, 10, 20, 30, 41);
        // ×2: 25 + 2(v − 25) = 2v − 25 → −5 → 0, 15, 35, 57.
        AssertGray(PilOps.Contrast(image, 2.0), 0, 15, 35, 57);
        // ×0.5: 17.5 → 17, 22.5 → 22, 27.5 → 27, 33.
        AssertGray(PilOps.Contrast(image, 0.5), 17, 22, 27, 33);
    }

    [Fact]
    public void Contrast_mean_uses_L_of_coloured_pixels()
    {
        // L of (0,255,0) is 150 and of (0,0,0) is 0: mean 75 → grey 75. Factor 0 gives the flat grey.
        var image = new RgbImage(2, 1, new byte[] { 0, 255, 0, 0, 0, 0 });
        Assert.Equal(new byte[] { 75, 75, 75, 75, 75, 75 }, PilOps.Contrast(image, 0.0).Pixels.ToArray());
    }

    [Fact]
    public void Color_blends_each_channel_with_the_pixels_L()
    {
        // (100,150,200): L = (1959500 + 5770500 + 1494200 + 32768) >> 16 = 141.
        var image = new RgbImage(1, 1, new byte[] { 100, 150, 200 });
        // ×1.5: 141 − 61.5 = 79.5 → 79; 141 + 13.5 → 154; 141 + 88.5 → 229.
        Assert.Equal(new byte[] { 79, 154, 229 }, PilOps.Color(image, 1.5).Pixels.ToArray());
        // ×0.5: 120.5 → 120; 145.5 → 145; 170.5 → 170.
        Assert.Equal(new byte[] { 120, 145, 170 }, PilOps.Color(image, 0.5).Pixels.ToArray());
        // ×0: the L grey.
        Assert.Equal(new byte[] { 141, 141, 141 }, PilOps.Color(image, 0.0).Pixels.ToArray());
    }

    [Fact]
    public void Sharpness_blends_with_the_smooth_filter_and_keeps_the_border()
    {
        // 3×3: centre 23 among 10s. SMOOTH = (8·10 + 5·23)/13 = 15 (+0.5, truncated: 15).
        var small = Gray(3, 3, 10, 10, 10, 10, 23, 10, 10, 10, 10);
        // ×2: 15 + 2(23 − 15) = 31. ×0: 15. Border unchanged.
        AssertGray(PilOps.Sharpness(small, 2.0), 10, 10, 10, 10, 31, 10, 10, 10, 10);
        AssertGray(PilOps.Sharpness(small, 0.0), 10, 10, 10, 10, 15, 10, 10, 10, 10);

        // 4×4 with 130 at (1,1): SMOOTH(1,1) = 5·130/13 = 50; its interior neighbours see 130/13 = 10.
        var single = Gray(4, 4, 0, 0, 0, 0, 0, 130, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // ×2: (1,1) = 50 + 2·80 = 210; (2,1), (1,2), (2,2) = 10 + 2·(0 − 10) → 0; the 12 border pixels stay
        // (0, and the 130 is not on the border).
        AssertGray(PilOps.Sharpness(single, 2.0), 0, 0, 0, 0, 0, 210, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // ×0.5: (1,1) = 50 + 40 = 90; neighbours 10 − 5 = 5.
        AssertGray(PilOps.Sharpness(single, 0.5), 0, 0, 0, 0, 0, 90, 5, 0, 0, 5, 5, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void Grayscale_sets_every_channel_to_L()
    {
        var image = new RgbImage(2, 1, new byte[] { 0, 255, 0, 100, 150, 200 });
        Assert.Equal(new byte[] { 150, 150, 150, 141, 141, 141 }, PilOps.Grayscale(image).Pixels.ToArray());
    }

    [Fact]
    public void Hue_shifts_a_pure_red_by_hand()
    {
        // Red → HSV (0, 255, 255). +0.1: shift int(25.5) = 25 → H = 25: sector i = floor(150/255) = 0,
        // f = 150/255, t = round(255·f) = 150 → (255, 150, 0).
        var red = new RgbImage(1, 1, new byte[] { 255, 0, 0 });
        Assert.Equal(new byte[] { 255, 150, 0 }, PilOps.Hue(red, 0.1).Pixels.ToArray());
        // −0.1: shift int(−25.5) = −25 ≡ 231 → sector floor(1386/255) = 5, f = 0.43529,
        // q = round(255·(1 − f)) = 144 → (v, p, q) = (255, 0, 144).
        Assert.Equal(new byte[] { 255, 0, 144 }, PilOps.Hue(red, -0.1).Pixels.ToArray());
        // Grey has no hue: unchanged.
        var grey = new RgbImage(1, 1, new byte[] { 90, 90, 90 });
        Assert.Equal(new byte[] { 90, 90, 90 }, PilOps.Hue(grey, 0.3).Pixels.ToArray());
    }

    [Fact]
    public void Ops_leave_their_input_unchanged()
    {
        var image = Gray(3, 3, 1, 50, 90, 120, 130, 140, 200, 230, 255);
        var before = image.Pixels.ToArray();
        _ = PilOps.Equalize(image);
        _ = PilOps.Sharpness(image, 1.9);
        _ = PilOps.Color(image, 0.1);
        _ = PilGeometry.Rotate(image, 30);
        Assert.Equal(before, image.Pixels.ToArray());
    }
}
