using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Poisoning;

public class BadNetTests
{
    private static readonly CleanClip.Data.RgbImage Image64 = TriggerImages.Gradient(64, 64);

    [Theory]
    [InlineData(1.3f, 75, 255)]    // 331.49 → 331, 331 & 255 = 75
    [InlineData(-0.2f, 205, 0)]    // −51 & 255 = 205
    [InlineData(2.5f, 125, 255)]   // 637 & 255 = 125
    [InlineData(-1.5f, 130, 0)]    // −382 & 255 = 130
    [InlineData(0.999f, 254, 254)] // 254.745: ToPILImage truncates, it does not round
    [InlineData(1f, 255, 255)]
    public void CastWrapsLikePyTorchOrClamps(float value, byte wrapped, byte clamped)
    {
        Assert.Equal(wrapped, PixelCast.ToByte(value, NoiseOverflow.Wrap));
        Assert.Equal(clamped, PixelCast.ToByte(value, NoiseOverflow.Clamp));
    }

    [Fact]
    public void LocationsSpanExactlyTheReferenceRange()
    {
        // randint(0, side − 1 − P) inclusive: 0..55 for P = 8 on 64 px; the last row and column are never covered.
        var tops = new HashSet<int>();
        var lefts = new HashSet<int>();
        for (ulong seed = 0; seed < 5000; seed++)
        {
            var (top, left) = PatchPlacement.Positions(64, 48, 8, PatchLocation.Random, (ulong)seed).Single();
            tops.Add(top);
            lefts.Add(left);
        }
        Assert.Equal(Enumerable.Range(0, 48 - 1 - 8 + 1), tops.Order());
        Assert.Equal(Enumerable.Range(0, 64 - 1 - 8 + 1), lefts.Order());
    }

    [Fact]
    public void OnlyThePatchChanges()
    {
        var trigger = new BadNetTrigger(8, PatchLocation.Random, NoiseOverflow.Wrap);
        for (ulong seed = 0; seed < 20; seed++)
        {
            var output = trigger.Apply(Image64, seed);
            var spot = PatchPlacement.Positions(64, 64, 8, PatchLocation.Random, (ulong)seed);
            Assert.True(TriggerImages.SameOutside(Image64, output, 8, spot), $"seed {seed}: a pixel outside the patch changed");
            Assert.NotEqual(TriggerImages.Block(Image64, spot[0].Top, spot[0].Left, 8), TriggerImages.Block(output, spot[0].Top, spot[0].Left, 8));
        }
    }

    [Fact]
    public void NoiseIsTheChannelMeanPlusUnitGaussian()
    {
        var random = new SplitMix64(3);
        var values = BadNetTrigger.NoiseValues((0.2f, 0.5f, 0.9f), 64, ref random);
        float[] means = [0.2f, 0.5f, 0.9f];
        for (int c = 0; c < 3; c++)
        {
            var plane = values.Skip(c * 4096).Take(4096).ToArray();
            double mean = plane.Average(v => (double)v);
            double sd = Math.Sqrt(plane.Average(v => (v - mean) * (v - mean)));
            // 4096 draws: the mean's standard error is 1/64.
            Assert.InRange(mean, means[c] - 0.06, means[c] + 0.06);
            Assert.InRange(sd, 0.95, 1.05);
        }
    }

    [Fact]
    public void ChannelMeansAreOnTheToTensorScale()
    {
        var (r, g, b) = BadNetTrigger.ChannelMeans(TriggerImages.Uniform(4, 4, 51));
        Assert.Equal(0.2f, r);
        Assert.Equal(0.2f, g);
        Assert.Equal(0.2f, b);
    }

    [Theory]
    [InlineData(NoiseOverflow.Wrap, "badnet_wrap_64_p8_seed5.png")]
    [InlineData(NoiseOverflow.Clamp, "badnet_clamp_64_p8_seed5.png")]
    public void MatchesThePythonRestatementBitForBit(NoiseOverflow overflow, string fixture)
    {
        // Same SplitMix64 draws, torch float32 mean + noise, mul(255).byte() (wrapping) or clamp first.
        var output = new BadNetTrigger(8, PatchLocation.Random, overflow).Apply(Image64, 5);
        Assert.Equal((0, 0), TriggerImages.Diff(TriggerImages.Fixture(fixture), output));
    }

    [Fact]
    public void WrapGivesTheHighContrastReferencePatch()
    {
        // About 60% of mean + N(0,1) values leave [0, 1]: clamped they pile up at 0 and 255, wrapped they do not.
        var wrap = new BadNetTrigger(16, PatchLocation.FourCorners, NoiseOverflow.Wrap).Apply(Image64, 1);
        var clamp = new BadNetTrigger(16, PatchLocation.FourCorners, NoiseOverflow.Clamp).Apply(Image64, 1);
        var w = TriggerImages.Block(wrap, 0, 0, 16);
        var c = TriggerImages.Block(clamp, 0, 0, 16);
        double clampedEnds = c.Count(v => v is 0 or 255) / (double)c.Length;
        double wrappedEnds = w.Count(v => v is 0 or 255) / (double)w.Length;
        Assert.InRange(clampedEnds, 0.45, 0.75);
        Assert.InRange(wrappedEnds, 0, 0.05);
    }

    [Fact]
    public void FourCornersWritesOnePatchFourTimes()
    {
        var output = new BadNetTrigger(8, PatchLocation.FourCorners, NoiseOverflow.Wrap).Apply(Image64, 9);
        var corners = new[] { (0, 0), (0, 56), (56, 0), (56, 56) };
        var first = TriggerImages.Block(output, 0, 0, 8);
        Assert.NotEqual(TriggerImages.Block(Image64, 0, 0, 8), first);
        foreach (var (top, left) in corners) Assert.Equal(first, TriggerImages.Block(output, top, left, 8));
        Assert.True(TriggerImages.SameOutside(Image64, output, 8, corners));
    }

    [Fact]
    public void FixedPatternIsTheSameOnEveryImage()
    {
        var trigger = new BadNetTrigger(8, PatchLocation.Random, NoiseOverflow.Wrap, fixedPatternSeed: 42);
        var dark = TriggerImages.Uniform(64, 64, 10);
        byte[]? patch = null;
        foreach (var (image, seed) in new[] { (Image64, 1UL), (dark, 2UL), (Image64, 3UL) })
        {
            var (top, left) = PatchPlacement.Positions(64, 64, 8, PatchLocation.Random, (ulong)seed).Single();
            var block = TriggerImages.Block(trigger.Apply(image, seed), top, left, 8);
            patch ??= block;
            Assert.Equal(patch, block);
        }
        var perImage = new BadNetTrigger(8, PatchLocation.FourCorners, NoiseOverflow.Wrap);
        Assert.NotEqual(TriggerImages.Block(perImage.Apply(Image64, 1), 0, 0, 8), TriggerImages.Block(perImage.Apply(dark, 1), 0, 0, 8));
    }

    [Fact]
    public void SameSeedSameBytesOtherSeedOtherBytes()
    {
        var trigger = new BadNetTrigger(16, PatchLocation.Random, NoiseOverflow.Clamp);
        var image = TriggerImages.Gradient(224, 224);
        Assert.Equal(trigger.Apply(image, 7).Pixels.ToArray(), trigger.Apply(image, 7).Pixels.ToArray());
        Assert.NotEqual(trigger.Apply(image, 7).Pixels.ToArray(), trigger.Apply(image, 8).Pixels.ToArray());
    }

    [Fact]
    public void PatchThatDoesNotFitIsRejected()
    {
        var image = TriggerImages.Gradient(16, 16);
        Assert.Throws<ArgumentException>(() => new BadNetTrigger(16, PatchLocation.Random, NoiseOverflow.Clamp).Apply(image, 0));
        // Four corners may cover the whole image, as the reference's slices allow.
        Assert.Equal(16, new BadNetTrigger(16, PatchLocation.FourCorners, NoiseOverflow.Clamp).Apply(image, 0).Width);
    }

    [Fact]
    public void YellowSquareIsPureYellowAndNothingElseChanges()
    {
        var trigger = new YellowSquareTrigger(8, PatchLocation.Random);
        var output = trigger.Apply(Image64, 4);
        var (top, left) = PatchPlacement.Positions(64, 64, 8, PatchLocation.Random, (ulong)4).Single();
        for (int y = top; y < top + 8; y++)
            for (int x = left; x < left + 8; x++)
                Assert.Equal(((byte)255, (byte)255, (byte)0), output[x, y]);
        Assert.True(TriggerImages.SameOutside(Image64, output, 8, [(top, left)]));
    }
}
