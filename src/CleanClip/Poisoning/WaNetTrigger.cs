using System.Collections.Concurrent;
using CleanClip.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Poisoning;

/// <summary>
/// WaNet (Nguyen and Tran 2021) as the reference makes it (<c>patch_type=warped</c>, docs/reference-behaviour.md §2.2):
/// a fixed warp. Identity grid from <c>linspace(−1, 1)</c> meshed with "ij" indexing, channel 0 varying along the width
/// (the x of grid_sample) and channel 1 along the height;
/// <c>grid = clamp((identity + s·field / side)·rescale, −1, 1)</c>;
/// <c>grid_sample(image, grid, bilinear, zeros padding, align_corners=True)</c> on ToTensor values, then
/// ToPILImage's truncating cast. All of it runs in LibTorch, the same kernels the reference uses.
/// </summary>
/// <remarks>
/// The reference divides both channels by input_height = 224 on its 224×224 images; here the x channel is divided by
/// the width and the y channel by the height, which is the same on square images and keeps the displacement at
/// about one pixel along each axis of a non-square one. Because the float round trip through grid_sample is not
/// exact, even a zero field moves some bytes down by one (the reference does the same). LibTorch's linspace has
/// changed by one ulp at some points since torch 1.13, so versions can disagree by one level on about 1% of bytes.
/// No random draws per image.
/// </remarks>
public sealed class WaNetTrigger : ITrigger
{
    private readonly ConcurrentDictionary<(int W, int H), float[]> _grids = new();

    public WarpField Field { get; }
    public double Strength { get; }
    public double GridRescale { get; }
    public string Name => "wanet";

    public TriggerParameters Parameters =>
        new WaNetParameters(Field.Source, Field.Sha256, Field.Size, Field.GridSize, Field.Seed, Strength, GridRescale);

    /// <param name="strength">s: 1 in the reference.</param>
    /// <param name="gridRescale">1 in the reference.</param>
    public WaNetTrigger(WarpField field, double strength = 1, double gridRescale = 1)
    {
        if (!double.IsFinite(strength) || !double.IsFinite(gridRescale))
            throw new ArgumentOutOfRangeException(nameof(strength), $"WaNet strength and grid rescale must be finite, got {strength} and {gridRescale}");
        (Field, Strength, GridRescale) = (field, strength, gridRescale);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed)
    {
        int w = image.Width, h = image.Height;
        using var scope = NewDisposeScope();
        var grid = torch.tensor(CachedGrid(w, h), new long[] { 1, h, w, 2 });
        var x = image.ToTensor().unsqueeze(0).to(ScalarType.Float32).div(255f);
        var warped = nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true);
        return RgbImage.FromTensor(warped.mul(255f).to(ScalarType.Byte)[0]);
    }

    /// <summary>A copy of the grid_sample grid for a W×H image, NHWC [1, H, W, 2] float32.</summary>
    public float[] SamplingGrid(int width, int height) => (float[])CachedGrid(width, height).Clone();

    // Computed once per size and shared by every Apply; torch.tensor copies it, so nothing can write to it.
    private float[] CachedGrid(int width, int height)
    {
        if (width < 2 || height < 2)
            throw new ArgumentException($"WaNet needs an image of at least 2x2 pixels, got {width}x{height}");
        return _grids.GetOrAdd((width, height), size => ComputeGrid(size.W, size.H));
    }

    private float[] ComputeGrid(int width, int height)
    {
        using var scope = NewDisposeScope();
        var mesh = torch.meshgrid(new[] { torch.linspace(-1, 1, height), torch.linspace(-1, 1, width) }, indexing: "ij");
        var identity = torch.stack(new[] { mesh[1], mesh[0] }, 2).unsqueeze(0);
        var field = torch.tensor(Field.ForImage(width, height), new long[] { 1, height, width, 2 });
        var sides = torch.tensor(new float[] { width, height });
        var grid = identity.add(field.mul(Strength).div(sides)).mul(GridRescale).clamp(-1, 1);
        return grid.contiguous().data<float>().ToArray();
    }
}
