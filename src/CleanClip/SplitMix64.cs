namespace CleanClip;

/// <summary>
/// The project's one seeded random generator: SplitMix64 (Steele, Lea, Flood 2014). Its output is defined by the
/// algorithm, not by a .NET version, so a seed reproduces the same data, triggers and orders everywhere.
/// Not thread-safe: derive one generator per item with <see cref="Derive"/> instead of sharing.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;
    private double? spareNormal;

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, maxExclusive), without modulo bias (rejection sampling).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        ulong bound = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % bound);
    }

    /// <summary>Uniform in [minInclusive, maxInclusive], like Python's random.randint.</summary>
    public int NextInt(int minInclusive, int maxInclusive) => minInclusive + NextInt(maxInclusive - minInclusive + 1);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box–Muller, both values used).</summary>
    public double NextNormal()
    {
        if (spareNormal is { } spare) { spareNormal = null; return spare; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = radius * Math.Sin(2 * Math.PI * u2);
        return radius * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A seed for item <paramref name="index"/> of a stream, independent of the order items are made in.</summary>
    public static ulong Derive(ulong seed, ulong stream, ulong index) =>
        new SplitMix64(new SplitMix64(seed ^ (stream * 0xD1B54A32D192ED03UL)).NextUInt64() ^ index).NextUInt64();
}
