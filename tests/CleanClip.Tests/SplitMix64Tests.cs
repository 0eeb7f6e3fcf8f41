using Xunit;

namespace CleanClip.Tests;

public class SplitMix64Tests
{
    [Fact]
    public void MatchesThePublishedSequence()
    {
        // Vigna's reference splitmix64.c: seed 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4;
        // seed 1234567 starts 6457827717110365317, 3203168211198807973, 9817491932198370423.
        var zero = new SplitMix64(0);
        Assert.Equal(0xe220a8397b1dcdafUL, zero.NextUInt64());
        Assert.Equal(0x6e789e6aa1b965f4UL, zero.NextUInt64());
        var other = new SplitMix64(1234567);
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL],
            [other.NextUInt64(), other.NextUInt64(), other.NextUInt64()]);
    }

    [Fact]
    public void IntegersAreUniformAndInRange()
    {
        var rng = new SplitMix64(7);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        for (int i = 0; i < 1000; i++) Assert.InRange(rng.NextInt(3, 5), 3, 5);
    }

    [Fact]
    public void NormalsHaveUnitVariance()
    {
        var rng = new SplitMix64(9);
        var xs = Enumerable.Range(0, 100_000).Select(_ => rng.NextNormal()).ToArray();
        double mean = xs.Average(), variance = xs.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [Fact]
    public void DerivedSeedsDifferByStreamAndIndex()
    {
        var seeds = new HashSet<ulong>();
        for (ulong stream = 0; stream < 4; stream++)
            for (ulong i = 0; i < 1000; i++)
                Assert.True(seeds.Add(SplitMix64.Derive(1, stream, i)));
        Assert.Equal(SplitMix64.Derive(5, 2, 3), SplitMix64.Derive(5, 2, 3));
    }
}
