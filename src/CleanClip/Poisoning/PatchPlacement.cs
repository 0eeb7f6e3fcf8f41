using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>Where patch triggers (BadNet, yellow, stripes) go, and writing a patch into a copy of the image.</summary>
public static class PatchPlacement
{
    /// <summary>
    /// Top-left corners (row, column) of the patch copies. Random: the row is drawn first, then the column, each
    /// with <c>NextInt(0, side − 1 − P)</c>: the reference's <c>random.randint(0, 223 − patch_size)</c> generalised,
    /// so like the reference the last row and column are never covered. Four corners: the image's corners (the
    /// reference's <c>[:P, :P]</c>, <c>[:P, −P:]</c>, <c>[−P:, :P]</c>, <c>[−P:, −P:]</c>), no draws.
    /// </summary>
    public static IReadOnlyList<(int Top, int Left)> Positions(int width, int height, int patchSize, PatchLocation location, ref SplitMix64 random)
    {
        Validate(width, height, patchSize, location);
        if (location == PatchLocation.FourCorners)
        {
            int bottom = height - patchSize, right = width - patchSize;
            return [(0, 0), (0, right), (bottom, 0), (bottom, right)];
        }
        int top = random.NextInt(0, height - 1 - patchSize);
        int left = random.NextInt(0, width - 1 - patchSize);
        return [(top, left)];
    }

    /// <summary>The same, drawing from a generator seeded with <paramref name="seed"/>.</summary>
    public static IReadOnlyList<(int Top, int Left)> Positions(int width, int height, int patchSize, PatchLocation location, ulong seed)
    {
        var random = new SplitMix64(seed);
        return Positions(width, height, patchSize, location, ref random);
    }

    /// <exception cref="ArgumentException">The patch does not fit: random needs P ≤ side − 1 (the reference's range), four corners P ≤ side.</exception>
    public static void Validate(int width, int height, int patchSize, PatchLocation location)
    {
        int limit = Math.Min(width, height) - (location == PatchLocation.Random ? 1 : 0);
        if (patchSize < 1 || patchSize > limit)
            throw new ArgumentException($"patch size {patchSize} does not fit a {width}x{height} image at location {KebabCaseEnumConverter<PatchLocation>.Format(location)} (1..{limit})");
    }

    /// <summary>A copy of <paramref name="image"/> with <paramref name="patchHwc"/> (P×P×3 bytes) written at each position, in order.</summary>
    public static RgbImage Stamp(RgbImage image, ReadOnlySpan<byte> patchHwc, int patchSize, IReadOnlyList<(int Top, int Left)> positions)
    {
        var pixels = image.Pixels.ToArray();
        int row = 3 * patchSize;
        foreach (var (top, left) in positions)
            for (int y = 0; y < patchSize; y++)
                patchHwc.Slice(y * row, row).CopyTo(pixels.AsSpan(3 * ((top + y) * image.Width + left), row));
        return new RgbImage(image.Width, image.Height, pixels);
    }
}
