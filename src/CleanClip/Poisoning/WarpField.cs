using System.Buffers.Binary;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Poisoning;

/// <summary>
/// WaNet's warp field: float32 offsets in logical NHWC order [1, S, S, 2], channel 0 the x (width) offset and
/// channel 1 the y offset, in units that <see cref="WaNetTrigger"/> divides by the image side. Immutable.
/// </summary>
public sealed class WarpField
{
    private readonly float[] _nhwc;

    /// <summary>S, the field's side.</summary>
    public int Size { get; }

    /// <summary>The .f32 file it came from, or <c>generated</c>.</summary>
    public string Source { get; }

    /// <summary>k and the seed of a generated field; null for a loaded one.</summary>
    public int? GridSize { get; }
    public ulong? Seed { get; }

    /// <summary>SHA-256 (hex) of the field as little-endian float32 NHWC bytes, i.e. of the .f32 file.</summary>
    public string Sha256 { get; }

    public ReadOnlySpan<float> Values => _nhwc;

    private WarpField(float[] nhwc, int size, string source, int? gridSize, ulong? seed)
    {
        (_nhwc, Size, Source, GridSize, Seed) = (nhwc, size, source, gridSize, seed);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(ToLittleEndianBytes(nhwc)));
    }

    /// <summary>
    /// Reads a raw little-endian float32 [1, S, S, 2] NHWC file, e.g. the reference field exported from
    /// <c>noise_grid_k=224_s=1_inputheight=224_gridrescale=1.pt</c>. A missing file is an error, never a reason to
    /// generate a new field (docs/reference-behaviour.md §14, defect 12).
    /// </summary>
    /// <exception cref="InvalidDataException">Wrong byte count for S, or a non-finite value; the message names the file.</exception>
    public static WarpField Load(string path, int size)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), $"warp field size must be at least 2, got {size}");
        if (!File.Exists(path)) throw new FileNotFoundException($"WaNet field file not found: {path}", path);
        var bytes = File.ReadAllBytes(path);
        long expected = 2L * size * size * sizeof(float);
        if (bytes.LongLength != expected)
            throw new InvalidDataException($"{path}: a WaNet field of size {size} is float32 [1,{size},{size},2] = {expected} bytes, the file has {bytes.LongLength}");
        var values = new float[2 * size * size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i, 4));
            if (!float.IsFinite(values[i]))
                throw new InvalidDataException($"{path}: value {i} of the WaNet field is {values[i]}");
        }
        return new WarpField(values, size, Path.GetFullPath(path), null, null);
    }

    /// <summary>
    /// The reference's (and WaNet's) generation, with <see cref="SplitMix64"/> instead of torch's generator:
    /// <c>ins = 2·U[0, 1) − 1</c> of shape [1, 2, k, k] (C,H,W draw order, float32), <c>ins /= mean(|ins|)</c>,
    /// bicubic upsampling with align_corners=True from k to S (skipped when k = S, where it is the identity), then
    /// permuted to NHWC. So mean |v| = 1 and, for k = S, |v| &lt; 1 / mean|ins| ≈ 2.
    /// </summary>
    public static WarpField Generate(int gridSize, int size, ulong seed)
    {
        if (gridSize < 2 || size < 2)
            throw new ArgumentOutOfRangeException(nameof(gridSize), $"WaNet grid size k and field size must be at least 2, got k={gridSize}, size={size}");
        var random = new SplitMix64(seed);
        var ins = new float[2 * gridSize * gridSize];
        double sumAbs = 0;
        for (int i = 0; i < ins.Length; i++)
        {
            ins[i] = random.NextFloat() * 2f - 1f;
            sumAbs += Math.Abs(ins[i]);
        }
        float meanAbs = (float)(sumAbs / ins.Length);
        for (int i = 0; i < ins.Length; i++) ins[i] /= meanAbs;
        using var scope = NewDisposeScope();
        var nchw = torch.tensor(ins, new long[] { 1, 2, gridSize, gridSize });
        if (gridSize != size)
            nchw = nn.functional.interpolate(nchw, new long[] { size, size }, mode: InterpolationMode.Bicubic, align_corners: true);
        return new WarpField(ToArray(nchw.permute(0, 2, 3, 1)), size, "generated", gridSize, seed);
    }

    /// <summary>A field of zeros: the identity warp (for tests and baselines).</summary>
    public static WarpField Zero(int size) => new(new float[2 * size * size], size, "zero", null, null);

    /// <summary>
    /// The field for an H×W image, NHWC [1, H, W, 2]: itself when H = W = S, otherwise resized per channel with
    /// bicubic interpolation, align_corners=True (the reference only ever uses S = 224 on 224×224 images; this keeps
    /// the same smooth-or-not character at other sizes instead of tiling or cropping the field).
    /// </summary>
    public float[] ForImage(int width, int height)
    {
        if (width == Size && height == Size) return (float[])_nhwc.Clone();
        using var scope = NewDisposeScope();
        var nchw = torch.tensor(_nhwc, new long[] { 1, Size, Size, 2 }).permute(0, 3, 1, 2);
        var resized = nn.functional.interpolate(nchw, new long[] { height, width }, mode: InterpolationMode.Bicubic, align_corners: true);
        return ToArray(resized.permute(0, 2, 3, 1));
    }

    private static float[] ToArray(Tensor t) => t.contiguous().data<float>().ToArray();

    private static byte[] ToLittleEndianBytes(float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}
