using System.Numerics;
using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Poisoning;

/// <summary>Blended and SIG: <c>clip(0.8·x + 0.2·t)</c> in float32, truncated to uint8.</summary>
public class BlendTests
{
    private static readonly CleanClip.Data.RgbImage Image64 = TriggerImages.Gradient(64, 64);

    [Fact]
    public void BlendedMatchesThePythonRestatementBitForBit()
    {
        var output = new BlendedTrigger(0.2).Apply(Image64, 3);
        Assert.Equal((0, 0), TriggerImages.Diff(TriggerImages.Fixture("blended_64_seed3.png"), output));
    }

    [Fact]
    public void BlendedFormulaAtGivenPixels()
    {
        // Fixed noise, so t is known: out = trunc(clip(0.8f·x/255f + 0.2f·t)·255f).
        const ulong seed = 12;
        var output = new BlendedTrigger(0.2, seed).Apply(Image64, 0);
        var noise = BlendedTrigger.Noise(64, 64, seed);
        foreach (var (x, y, c) in new[] { (0, 0, 0), (63, 0, 0), (10, 20, 1), (31, 47, 2), (63, 63, 2) })
        {
            float t = noise[c * 64 * 64 + y * 64 + x];
            byte input = Image64.Pixels[3 * (y * 64 + x) + c];
            byte expected = (byte)(Math.Clamp(0.8f * (input / 255f) + 0.2f * t, 0f, 1f) * 255f);
            Assert.Equal(expected, output.Pixels[3 * (y * 64 + x) + c]);
        }
    }

    [Fact]
    public void BlendedNoiseIsPerImageUnlessFixed()
    {
        var perImage = new BlendedTrigger(0.2);
        Assert.Equal(perImage.Apply(Image64, 1).Pixels.ToArray(), perImage.Apply(Image64, 1).Pixels.ToArray());
        Assert.NotEqual(perImage.Apply(Image64, 1).Pixels.ToArray(), perImage.Apply(Image64, 2).Pixels.ToArray());
        var fixedNoise = new BlendedTrigger(0.2, 5);
        Assert.Equal(fixedNoise.Apply(Image64, 1).Pixels.ToArray(), fixedNoise.Apply(Image64, 2).Pixels.ToArray());
        Assert.NotEqual(fixedNoise.Apply(Image64, 1).Pixels.ToArray(), new BlendedTrigger(0.2, 6).Apply(Image64, 1).Pixels.ToArray());
    }

    [Fact]
    public void SigMatchesThePythonRestatementBitForBit()
    {
        var output = new SigTrigger(0.2, 60.0 / 255, 6).Apply(Image64, 0);
        Assert.Equal((0, 0), TriggerImages.Diff(TriggerImages.Fixture("sig_64.png"), output));
    }

    [Theory]
    [InlineData(224)]
    [InlineData(100)]
    public void SigHasSixPeriodsAcrossTheWidthAndIsTheSameOnEveryRow(int width)
    {
        var gray = TriggerImages.Uniform(width, 16, 128);
        var output = new SigTrigger(0.2, 60.0 / 255, 6).Apply(gray, 0);
        var row = Enumerable.Range(0, width).Select(x => (double)output[x, 0].R).ToArray();
        for (int y = 1; y < 16; y++)
            for (int x = 0; x < width; x++)
                Assert.Equal(output[x, 0], output[x, y]);
        // The strongest non-zero frequency of the row is its number of periods.
        double mean = row.Average();
        int best = Enumerable.Range(1, width / 2 - 1)
            .MaxBy(k => Enumerable.Range(0, width).Aggregate(Complex.Zero,
                (sum, j) => sum + (row[j] - mean) * Complex.FromPolarCoordinates(1, -2 * Math.PI * k * j / width)).Magnitude);
        Assert.Equal(6, best);
        // Column 0 has sin(0) = 0: 0.8·128/255 → 102; the crest adds 0.2·60/255 ≈ 12/255.
        Assert.Equal(102, output[0, 0].R);
        Assert.InRange(row.Max() - 102, 11, 12);
    }

    [Fact]
    public void AlphaOutsideTheUnitIntervalIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlendedTrigger(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SigTrigger(-0.1, 0.2, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlendedStripesTrigger(double.NaN, 4));
    }
}
