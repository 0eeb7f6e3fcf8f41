using CleanClip.Data;

namespace CleanClip.Poisoning.Optimized;

/// <summary>
/// A learned patch (<c>cleanclip trigger optimize</c>, BadCLIP-style) stamped at the centre of the image, where it
/// was optimized (BadCLIP's <c>middle</c> location): no per-image draws, so every image gets the same patch.
/// </summary>
public sealed class OptimizedPatchTrigger : ITrigger
{
    private readonly byte[] _patch;

    public int PatchSize { get; }
    public string Name => "optimized";
    public TriggerParameters Parameters { get; }

    /// <param name="chw">The float32 <c>[3, P, P]</c> patch in [0, 1].</param>
    /// <param name="source">The file the patch came from, for the manifest.</param>
    /// <param name="sha256">SHA-256 of that file.</param>
    public OptimizedPatchTrigger(float[] chw, int patchSize, string source, string sha256)
    {
        if (patchSize < 1 || chw.Length != 3 * patchSize * patchSize)
            throw new ArgumentException($"patch has {chw.Length} values, expected 3x{patchSize}x{patchSize}");
        PatchSize = patchSize;
        _patch = PatchFile.ToBytes(chw, patchSize);
        Parameters = new OptimizedParameters(source, sha256, patchSize);
    }

    /// <summary>The trigger of a patch file (see <see cref="PatchFile.Load"/> for the errors).</summary>
    public static OptimizedPatchTrigger FromFile(string path)
    {
        var (chw, size, sha) = PatchFile.Load(path);
        return new OptimizedPatchTrigger(chw, size, Path.GetFullPath(path), sha);
    }

    /// <summary>Top-left corner of the centred patch: BadCLIP's <c>int(side/2 − P/2)</c> per axis.</summary>
    public static (int Top, int Left) CenterPosition(int width, int height, int patchSize) =>
        ((int)(height / 2 - patchSize / 2.0), (int)(width / 2 - patchSize / 2.0));

    public RgbImage Apply(RgbImage image, ulong imageSeed)
    {
        if (PatchSize > Math.Min(image.Width, image.Height))
            throw new ArgumentException($"optimized trigger patch {PatchSize}x{PatchSize} does not fit a {image.Width}x{image.Height} image");
        return PatchPlacement.Stamp(image, _patch, PatchSize, [CenterPosition(image.Width, image.Height, PatchSize)]);
    }
}
