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
    private double _spare;
    private bool _hasSpare;

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform in [0, count), unbiased: the 2^64 mod count lowest outputs are rejected, then modulo.</summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return NextInt(0, count - 1);
    }

    /// <summary>Uniform in [minInclusive, maxInclusive], like Python's random.randint (tools/golden re-states it).</summary>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxInclusive), $"empty range [{minInclusive}, {maxInclusive}]");
        ulong n = (ulong)((long)maxInclusive - minInclusive + 1);
        ulong reject = (0UL - n) % n;
        ulong x;
        do x = NextUInt64(); while (x < reject);
        return (int)((long)minInclusive + (long)(x % n));
    }

    /// <summary>Uniform in [0, 1) with 24 random bits, the resolution of float32, so the cast never rounds up to 1.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>
    /// Standard normal by Box–Muller, both values of a pair used (cosine first). log, sqrt, sin and cos come from the
    /// platform's libm (glibc on Linux, as for CPython, so tools/golden reproduces the draws bit for bit).
    /// </summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1)), theta = 2.0 * Math.PI * u2;
        _spare = radius * Math.Sin(theta);
        _hasSpare = true;
        return radius * Math.Cos(theta);
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
