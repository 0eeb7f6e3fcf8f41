using System.Security.Cryptography;
using CleanClip.Data;
using static TorchSharp.torch;

namespace CleanClip.Poisoning.Optimized;

/// <summary>
/// A learned trigger patch on disk: <c>.npy</c> holds float32 <c>[3, P, P]</c> (channels, rows, columns) in [0, 1],
/// readable with <c>numpy.load</c>; <c>.png</c> holds the P×P RGB patch as 8-bit pixels.
/// </summary>
public static class PatchFile
{
    /// <summary>The extensions a patch file may have.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".npy", ".png"];

    /// <exception cref="ArgumentException">An extension other than .npy or .png.</exception>
    public static void CheckExtension(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (!Extensions.Contains(ext))
            throw new ArgumentException($"{path}: a trigger patch file must end in .npy or .png, not '{ext}'");
    }

    /// <summary>The patch as P×P×3 bytes (row-major RGB): each value clamped to [0, 1], times 255, rounded.</summary>
    public static byte[] ToBytes(float[] chw, int patchSize)
    {
        int plane = patchSize * patchSize;
        var hwc = new byte[3 * plane];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                hwc[3 * i + c] = (byte)Math.Round(255 * Math.Clamp(chw[c * plane + i], 0f, 1f));
        return hwc;
    }

    /// <summary>Writes the float32 <c>[3, P, P]</c> patch atomically as .npy (exact) or .png (8-bit).</summary>
    public static void Save(string path, float[] chw, int patchSize)
    {
        CheckExtension(path);
        if (chw.Length != 3 * patchSize * patchSize)
            throw new ArgumentException($"patch has {chw.Length} values, expected 3x{patchSize}x{patchSize}");
        if (Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            var png = PngWriter.Encode(new RgbImage(patchSize, patchSize, ToBytes(chw, patchSize)));
            AtomicFile.Write(path, stream => stream.Write(png));
            return;
        }
        using var tensor = TorchSharp.torch.tensor(chw, new long[] { 3, patchSize, patchSize });
        NpyFile.Write(path, tensor);
    }

    /// <summary>
    /// Reads a patch file: the float32 <c>[3, P, P]</c> values and the SHA-256 of the file's bytes (its identity in
    /// manifests).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a readable patch: another dtype or shape, values outside [0, 1], a non-square image.</exception>
    public static (float[] Chw, int PatchSize, string Sha256) Load(string path)
    {
        CheckExtension(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"trigger file not found: {path}", path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        if (Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            if (!ImageDecoder.TryDecode(path, out var image, out var reason))
                throw new InvalidDataException($"{path}: not a readable trigger image ({reason})");
            if (image.Width != image.Height)
                throw new InvalidDataException($"{path}: a trigger patch must be square, got {image.Width}x{image.Height} pixels");
            int p = image.Width, plane = p * p;
            var values = new float[3 * plane];
            var pixels = image.Pixels;
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++)
                    values[c * plane + i] = pixels[3 * i + c] / 255f;
            return (values, p, sha);
        }
        using var tensor = NpyFile.Read(path);
        var shape = tensor.shape;
        if (tensor.dtype != ScalarType.Float32 || shape.Length != 3 || shape[0] != 3 || shape[1] != shape[2] || shape[1] < 1)
            throw new InvalidDataException(
                $"{path}: expected a float32 patch of shape (3, P, P), got {tensor.dtype} ({string.Join(", ", shape)})");
        var chw = tensor.data<float>().ToArray();
        int bad = Array.FindIndex(chw, v => !(v >= 0f && v <= 1f));
        if (bad >= 0)
            throw new InvalidDataException($"{path}: patch values must lie in [0, 1]; value {bad} is {chw[bad]}");
        return (chw, (int)shape[1], sha);
    }
}
