using CleanClip.Data.Synthetic;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

public class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequence()
    {
        // Vigna's splitmix64.c from state 0.
        var random = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void NextIntCoversItsRangeEvenly()
    {
        var random = new SplitMix64(5);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[random.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void DoublesAreInTheHalfOpenUnitInterval()
    {
        var random = new SplitMix64(9);
        var values = Enumerable.Range(0, 10_000).Select(_ => random.NextDouble()).ToList();
        Assert.All(values, v => Assert.InRange(v, 0.0, Math.BitDecrement(1.0)));
        Assert.InRange(values.Average(), 0.49, 0.51);
    }

    [Fact]
    public void DerivedStreamsDifferBySeedStreamAndIndex()
    {
        var seeds = new HashSet<ulong>();
        for (ulong seed = 0; seed < 4; seed++)
        for (ulong stream = 1; stream <= 3; stream++)
        for (ulong index = 0; index < 500; index++)
            seeds.Add(SplitMix64.Derive(seed, stream, index));
        Assert.Equal(4 * 3 * 500, seeds.Count);
        Assert.Equal(SplitMix64.Derive(1, 2, 3), SplitMix64.Derive(1, 2, 3));
    }
}
