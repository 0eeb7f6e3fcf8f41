using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Poisoning;

public class SplitMix64Tests
{
    [Fact]
    public void SeedZeroGivesThePublishedSplitMix64Outputs()
    {
        var random = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void FloatsUseTheTop24BitsAndStayBelowOne()
    {
        // 0xE220A8397B1DCDAF >> 40 = 0xE220A8.
        Assert.Equal(0xE220A8 / 16777216f, new SplitMix64(0).NextFloat());
        var random = new SplitMix64(99);
        for (int i = 0; i < 100_000; i++)
        {
            float f = random.NextFloat();
            Assert.InRange(f, 0f, 0.99999994f);
        }
    }

    [Fact]
    public void IntsCoverTheInclusiveRangeEvenly()
    {
        var random = new SplitMix64(5);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[random.NextInt(3, 9) - 3]++;
        // Each of the 7 values expects 10,000; 5 standard deviations is about 475.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Equal(4, new SplitMix64(1).NextInt(4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1).NextInt(5, 4));
    }

    [Fact]
    public void GaussiansHaveMeanZeroAndUnitVariance()
    {
        var random = new SplitMix64(11);
        const int n = 200_000;
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            double z = random.NextGaussian();
            sum += z;
            sumSquares += z * z;
        }
        double mean = sum / n;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(sumSquares / n - mean * mean, 0.98, 1.02);
    }

    [Fact]
    public void DerivedSeedsDifferPerIndexAndRepeat()
    {
        var seeds = Enumerable.Range(0, 1000).Select(i => SplitMix64.DeriveSeed(1, (ulong)i)).ToList();
        Assert.Equal(1000, seeds.Distinct().Count());
        Assert.Equal(seeds[17], SplitMix64.DeriveSeed(1, 17));
        Assert.NotEqual(SplitMix64.DeriveSeed(1, 17), SplitMix64.DeriveSeed(2, 17));
    }
}
