using Xunit;

namespace CleanClip.Tests;

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
    [Fact]
    public void MatchesTheReferenceSequenceFromAnotherSeed()
    {
        var random = new SplitMix64(1234567);
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL],
            [random.NextUInt64(), random.NextUInt64(), random.NextUInt64()]);
    }

    [Fact]
    public void NormalsHaveUnitVarianceAndIntegersStayInTheirInclusiveRange()
    {
        var random = new SplitMix64(9);
        var xs = Enumerable.Range(0, 100_000).Select(_ => random.NextGaussian()).ToArray();
        double mean = xs.Average(), variance = xs.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.98, 1.02);
        var seen = Enumerable.Range(0, 1000).Select(_ => random.NextInt(3, 5)).Distinct().Order();
        Assert.Equal([3, 4, 5], seen);
    }

    [Fact]
    public void ShuffleIsAPermutationFixedByTheSeed()
    {
        int[] Shuffled(ulong seed) { var a = Enumerable.Range(0, 50).ToArray(); var r = new SplitMix64(seed); r.Shuffle(a); return a; }
        Assert.Equal(Enumerable.Range(0, 50), Shuffled(3).Order());
        Assert.Equal(Shuffled(3), Shuffled(3));
        Assert.NotEqual(Shuffled(3), Shuffled(4));
    }

    [Fact]
    public void FloatsUseTheTop24BitsAndStayBelowOne()
    {
        // 0xE220A8397B1DCDAF >> 40 = 0xE220A8.
        Assert.Equal(0xE220A8 / 16777216f, new SplitMix64(0).NextFloat());
        var random = new SplitMix64(99);
        for (int i = 0; i < 100_000; i++) Assert.InRange(random.NextFloat(), 0f, 0.99999994f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1).NextInt(5, 4));
    }
}
