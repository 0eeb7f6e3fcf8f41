using CleanClip.Data;
using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

public class AutoAugmentTests
{
    // docs/reference-behaviour.md §6.1, row by row: "op p bin" (bin "-" for none).
    private static readonly string[] ReferenceTable =
    [
        "Posterize 0.4 8 | Rotate 0.6 9", "Solarize 0.6 5 | AutoContrast 0.6 -", "Equalize 0.8 - | Equalize 0.6 -",
        "Posterize 0.6 7 | Posterize 0.6 6", "Equalize 0.4 - | Solarize 0.2 4", "Equalize 0.4 - | Rotate 0.8 8",
        "Solarize 0.6 3 | Equalize 0.6 -", "Posterize 0.8 5 | Equalize 1.0 -", "Rotate 0.2 3 | Solarize 0.6 8",
        "Equalize 0.6 - | Posterize 0.4 6", "Rotate 0.8 8 | Color 0.4 0", "Rotate 0.4 9 | Equalize 0.6 -",
        "Equalize 0.0 - | Equalize 0.8 -", "Invert 0.6 - | Equalize 1.0 -", "Color 0.6 4 | Contrast 1.0 8",
        "Rotate 0.8 8 | Color 1.0 2", "Color 0.8 8 | Solarize 0.8 7", "Sharpness 0.4 7 | Invert 0.6 -",
        "ShearX 0.6 5 | Equalize 1.0 -", "Color 0.4 0 | Equalize 0.6 -", "Equalize 0.4 - | Solarize 0.2 4",
        "Solarize 0.6 5 | AutoContrast 0.6 -", "Invert 0.6 - | Equalize 1.0 -", "Color 0.6 4 | Contrast 1.0 8",
        "Equalize 0.8 - | Equalize 0.6 -",
    ];

    private static string Describe(AutoAugmentStep step) =>
        $"{step.Op} {step.Probability.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} {(step.Bin is int b ? b.ToString() : "-")}";

    private static RgbImage Noise(int size, ulong seed)
    {
        var random = new CleanClip.SplitMix64(seed);
        var pixels = new byte[3 * size * size];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.NextInt(256);
        return new RgbImage(size, size, pixels);
    }

    [Fact]
    public void Policy_table_matches_the_reference()
    {
        Assert.Equal(25, AutoAugmentPolicy.ImageNet.Count);
        var table = AutoAugmentPolicy.ImageNet.Select(p => $"{Describe(p.First)} | {Describe(p.Second)}").ToArray();
        Assert.Equal(ReferenceTable, table);
    }

    [Fact]
    public void Magnitude_bins_match_torchvision()
    {
        int[] posterize = Enumerable.Range(0, 10).Select(b => (int)AutoAugmentPolicy.Magnitude(AutoAugmentOp.Posterize, b, 224, 224)).ToArray();
        Assert.Equal(new[] { 8, 8, 7, 7, 6, 6, 5, 5, 4, 4 }, posterize);
        // Values printed by torch 1.13's linspace (float32) in Python, to the bit.
        Assert.Equal(113.33333587646484, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Solarize, 5, 224, 224));
        Assert.Equal(170.0, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Solarize, 3, 224, 224));
        Assert.Equal(255.0, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Solarize, 0, 224, 224));
        Assert.Equal(0.0, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Solarize, 9, 224, 224));
        Assert.Equal(0.1666666716337204, AutoAugmentPolicy.Magnitude(AutoAugmentOp.ShearX, 5, 224, 224));
        Assert.Equal(0.30000001192092896, AutoAugmentPolicy.Magnitude(AutoAugmentOp.ShearY, 9, 224, 224));
        Assert.Equal(26.66666603088379, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Rotate, 8, 224, 224));
        Assert.Equal(3.3333332538604736, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Rotate, 1, 224, 224));
        Assert.Equal(0.09999999403953552, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Color, 1, 224, 224));
        Assert.Equal(0.5, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Contrast, 5, 224, 224));
        Assert.Equal(0.7999999523162842, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Brightness, 8, 224, 224));
        Assert.Equal(101.51057434082031, AutoAugmentPolicy.Magnitude(AutoAugmentOp.TranslateX, 9, 224, 100));
        Assert.Equal(14.501510620117188, AutoAugmentPolicy.Magnitude(AutoAugmentOp.TranslateY, 9, 224, 32));
        Assert.Equal(0.0, AutoAugmentPolicy.Magnitude(AutoAugmentOp.Equalize, 3, 224, 224));
        Assert.True(AutoAugmentPolicy.IsSigned(AutoAugmentOp.Rotate));
        Assert.False(AutoAugmentPolicy.IsSigned(AutoAugmentOp.Solarize));
    }

    [Fact]
    public void A_drawn_sub_policy_applies_its_ops_in_order()
    {
        // Sub-policy 2 (index 1): Solarize bin 5 (threshold 113.33) then AutoContrast, both firing.
        // Solarize: 200 → 55, 100 → 100, 50 → 50, 120 → 135. AutoContrast on {50, 55, 100, 135}: scale 3, offset −150:
        // 55 → 15, 100 → 150, 50 → 0, 135 → 255.
        var image = PilOpsTests.Gray(2, 2, 200, 100, 50, 120);
        var both = AutoAugment.Apply(image, new AutoAugment.Draw(1, 0.6, 0.0, true, true));
        Assert.Equal(new[] { 15, 150, 0, 255 }, PilOpsTests.Channel(both, 0));
        // u just above p: the op does not fire.
        var solarizeOnly = AutoAugment.Apply(image, new AutoAugment.Draw(1, 0.3, 0.61, true, true));
        Assert.Equal(new[] { 55, 100, 50, 135 }, PilOpsTests.Channel(solarizeOnly, 0));
        var none = AutoAugment.Apply(image, new AutoAugment.Draw(1, 0.9, 0.9, true, true));
        Assert.Same(image, none);
        // Posterize bin 7 (5 bits, mask 0xF8) firing, second posterize not: 200 → 200, 100 → 96, 50 → 48, 120 → 120.
        var posterize = AutoAugment.Apply(image, new AutoAugment.Draw(3, 0.1, 0.9, true, true));
        Assert.Equal(new[] { 200, 96, 48, 120 }, PilOpsTests.Channel(posterize, 0));
    }

    [Fact]
    public void A_cleared_sign_bit_negates_the_rotation()
    {
        // Sub-policy 1: Posterize p .4 (not firing at u = 0.5), Rotate bin 9 = 30° firing.
        var image = Noise(9, 3);
        var negative = AutoAugment.Apply(image, new AutoAugment.Draw(0, 0.5, 0.1, true, false));
        var positive = AutoAugment.Apply(image, new AutoAugment.Draw(0, 0.5, 0.1, true, true));
        Assert.Equal(PilGeometry.Rotate(image, -30).Pixels.ToArray(), negative.Pixels.ToArray());
        Assert.Equal(PilGeometry.Rotate(image, 30).Pixels.ToArray(), positive.Pixels.ToArray());
        Assert.NotEqual(negative.Pixels.ToArray(), positive.Pixels.ToArray());
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_the_input_is_untouched()
    {
        var image = Noise(32, 11);
        var before = image.Pixels.ToArray();
        var augmentation = ImageAugmentations.Create("autoaugment");
        int changed = 0;
        for (ulong seed = 0; seed < 60; seed++)
        {
            var first = augmentation.Apply(image, seed);
            var second = augmentation.Apply(image, seed);
            Assert.Equal(first.Pixels.ToArray(), second.Pixels.ToArray());
            Assert.Equal((32, 32), (first.Width, first.Height));
            if (!first.Pixels.SequenceEqual(before)) changed++;
        }
        Assert.Equal(before, image.Pixels.ToArray());
        Assert.InRange(changed, 30, 60);
    }

    [Fact]
    public void Seeds_cover_every_sub_policy_and_ops_fire_at_their_probability()
    {
        var chosen = new int[25];
        var fired = new Dictionary<double, (int Fired, int Total)>();
        int positive = 0, draws = 20_000;
        for (ulong seed = 0; seed < (ulong)draws; seed++)
        {
            var draw = AutoAugment.Sample(seed);
            chosen[draw.SubPolicy]++;
            var (first, second) = AutoAugmentPolicy.ImageNet[draw.SubPolicy];
            Count(first.Probability, draw.U0);
            Count(second.Probability, draw.U1);
            if (draw.Positive0) positive++;
        }
        // 1000 seeds already reach every sub-policy.
        var early = new HashSet<int>();
        for (ulong seed = 0; seed < 1000; seed++) early.Add(AutoAugment.Sample(seed).SubPolicy);
        Assert.Equal(25, early.Count);
        Assert.All(chosen, n => Assert.InRange(n, 650, 950)); // 800 expected, sd ≈ 28
        foreach (var (p, (firedCount, total)) in fired)
            Assert.InRange((double)firedCount / total, p - 0.03, p + 0.03);
        Assert.Equal(0, fired[0.0].Fired);
        Assert.Equal(fired[1.0].Total, fired[1.0].Fired);
        Assert.InRange((double)positive / draws, 0.48, 0.52);

        void Count(double p, double u)
        {
            var (f, t) = fired.GetValueOrDefault(p);
            fired[p] = (f + (u <= p ? 1 : 0), t + 1);
        }
    }

    [Fact]
    public void Factory_knows_its_names()
    {
        Assert.Equal(new[] { "autoaugment", "simclr", "par", "none" }, ImageAugmentations.Names);
        Assert.Equal("autoaugment", ImageAugmentations.Default);
        foreach (var name in ImageAugmentations.Names) Assert.Equal(name, ImageAugmentations.Create(name).Name);
        var image = Noise(4, 1);
        Assert.Same(image, ImageAugmentations.Create("none").Apply(image, 5));
        var error = Assert.Throws<ArgumentException>(() => ImageAugmentations.Create("randaugment"));
        Assert.Contains("simclr", error.Message);
    }
}
