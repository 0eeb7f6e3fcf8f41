namespace CleanClip.Data.Synthetic;

/// <summary>An 8-bit sRGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Euclidean distance in RGB: crude, but enough to keep "red on orange" out of the world.</summary>
    public double DistanceTo(Rgb other)
    {
        int dr = R - other.R, dg = G - other.G, db = B - other.B;
        return Math.Sqrt(dr * dr + dg * dg + db * db);
    }

    /// <summary>This colour with every channel moved by up to ±<paramref name="amount"/>, clamped to 0..255.</summary>
    internal Rgb Jitter(ref SplitMix64 random, int amount) =>
        new(Shift(R, ref random, amount), Shift(G, ref random, amount), Shift(B, ref random, amount));

    private static byte Shift(byte value, ref SplitMix64 random, int amount) =>
        (byte)Math.Clamp(value + random.NextInt(2 * amount + 1) - amount, 0, 255);

    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>A colour as captions name it, with the RGB it is drawn in (before jitter).</summary>
public sealed record NamedColour(string Name, Rgb Value);

/// <summary>The twelve colour words of the world and the contrast rule between an object and its background.</summary>
public static class Palette
{
    public static readonly IReadOnlyList<NamedColour> Colours =
    [
        new("red", new(220, 40, 40)),
        new("orange", new(245, 140, 30)),
        new("yellow", new(240, 220, 40)),
        new("green", new(50, 170, 60)),
        new("cyan", new(40, 200, 220)),
        new("blue", new(40, 80, 220)),
        new("purple", new(140, 60, 190)),
        new("pink", new(245, 130, 190)),
        new("brown", new(130, 80, 40)),
        new("white", new(245, 245, 245)),
        new("gray", new(128, 128, 128)),
        new("black", new(20, 20, 20)),
    ];

    /// <summary>
    /// Named colours closer than this are never object and background of one image. The margin covers the
    /// background gradient (up to ±<see cref="SceneSampler.GradientSpread"/> per channel), colour jitter and noise,
    /// so an object's pixels stay nearer its own colour than any background pixel; pairs like red/orange,
    /// orange/yellow or gray/brown are excluded.
    /// </summary>
    public const double MinContrast = 120;

    public static NamedColour Get(string name) =>
        Colours.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"unknown colour '{name}'");

    public static bool Contrasts(NamedColour a, NamedColour b) => a.Value.DistanceTo(b.Value) >= MinContrast;
}
