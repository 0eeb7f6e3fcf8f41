namespace CleanClip;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output is fixed by its published constants, so a
/// seed means the same world on every .NET version and platform, unlike <see cref="Random"/>, whose algorithm is an
/// implementation detail. Every value is derived with integer operations or exact IEEE division by a power of two.
/// The project's one seeded generator (data, triggers, poisoning, orders). A struct: pass it by <c>ref</c>, and derive
/// one per item with <see cref="Derive(ulong, ulong, ulong)"/> instead of sharing it between threads.
/// </summary>
public struct SplitMix64(ulong state)
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state = state;

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform in [0, count), without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ulong bound = (ulong)count;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            var product = (UInt128)NextUInt64() * bound;
            if ((ulong)product >= threshold) return (int)(ulong)(product >> 64);
        }
    }

    /// <summary>Uniform in [minInclusive, maxInclusive], like Python's random.randint.</summary>
    public int NextInt(int minInclusive, int maxInclusive) => minInclusive + NextInt(maxInclusive - minInclusive + 1);

    /// <summary>Standard normal by Box–Muller (one value per call; log, sqrt and cos are correctly rounded in .NET's
    /// math library on the platforms we run, so this is reproducible there).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
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

    public bool NextBool(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// <summary>An independent stream for sub-task <paramref name="index"/> of <paramref name="seed"/>: the seed of
    /// image i of a split never depends on how many values earlier images used, nor on which thread draws it.</summary>
    public static ulong Derive(ulong seed, ulong index) => Mix(Mix(seed + Golden) ^ Mix(index * Golden + 0x632BE59BD9B4E019));

    public static ulong Derive(ulong seed, ulong stream, ulong index) => Derive(Derive(seed, stream), index);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
