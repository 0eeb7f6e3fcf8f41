namespace CleanClip.Poisoning;

/// <summary>
/// The triggers' only source of randomness: Steele, Lea and Flood's SplitMix64 (2014), written out here so the
/// stream is fixed by this file alone. <see cref="Random"/> is not used because its algorithm is an
/// implementation detail that .NET has changed before; a trigger's bytes must not change with the runtime.
/// Not thread-safe: make one per image (they are cheap, 8 bytes of state).
/// </summary>
/// <remarks>
/// Draws: <see cref="NextFloat"/> = top 24 bits × 2⁻²⁴ (exact in float32, in [0, 1));
/// <see cref="NextDouble"/> = top 53 bits × 2⁻⁵³; <see cref="NextInt"/> = rejection sampling on the modulo, unbiased;
/// <see cref="NextGaussian"/> = Box–Muller, both values of a pair used (cosine first). Box–Muller's log, sqrt, cos and
/// sin come from the platform's libm (glibc on Linux, the same one CPython uses, so tools/golden reproduces them
/// bit for bit); another libm may differ in the last bit of a double, which changes a float32 trigger value only
/// when it sits on a rounding boundary.
/// </remarks>
public sealed class SplitMix64
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state;
    private double _spare;
    private bool _hasSpare;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        _state += Golden;
        return Finalize(_state);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits, the resolution of float32, so the cast never rounds up to 1.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>], like Python's <c>random.randint</c>.</summary>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxInclusive), $"empty range [{minInclusive}, {maxInclusive}]");
        ulong n = (ulong)((long)maxInclusive - minInclusive + 1);
        // 2^64 mod n values at the bottom are rejected so every residue is equally likely.
        ulong reject = (0UL - n) % n;
        ulong x;
        do x = NextUInt64(); while (x < reject);
        return (int)((long)minInclusive + (long)(x % n));
    }

    /// <summary>Standard normal by Box–Muller: u1 in (0, 1] keeps the log finite.</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spare = r * Math.Sin(theta);
        _hasSpare = true;
        return r * Math.Cos(theta);
    }

    /// <summary>
    /// A seed for item <paramref name="index"/> of a run seeded with <paramref name="seed"/> (e.g. the image seed of
    /// row i of a poisoned set): hashed, so neighbouring indices and seeds give unrelated streams.
    /// </summary>
    public static ulong DeriveSeed(ulong seed, ulong index) => Finalize(Finalize(seed) ^ (index * Golden + Golden));

    // SplitMix64's output function (a variant of MurmurHash3's 64-bit finaliser).
    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
