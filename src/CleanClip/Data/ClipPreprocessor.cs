using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data;

/// <summary>
/// CLIP's image transform as torchvision applies it to a PIL image: Resize(R, BICUBIC) of the shorter side,
/// CenterCrop(R), ToTensor, Normalize. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Resampling is LibTorch's antialiased bicubic run on the uint8 image itself: a = -0.5 and PIL's support, and the
/// uint8 CPU kernel (PyTorch 2.1+) follows PIL's scheme of fixed-point weights and a uint8 intermediate between
/// the horizontal and the vertical pass.
/// So it matches PIL to within one level on under 1% of values (PreprocessGoldenTests), which a float32 resize does not;
/// accuracy and speed against the alternatives: docs/experiments/runtime-settings.md.
/// </remarks>
public sealed class ClipPreprocessor
{
    public PreprocessOptions Options { get; }

    public int Resolution => Options.Resolution;

    public ClipPreprocessor(PreprocessOptions? options = null)
    {
        Options = options ?? new PreprocessOptions();
        if (Options.Resolution <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"Resolution must be positive, got {Options.Resolution}");
        if (Options.Std.R <= 0 || Options.Std.G <= 0 || Options.Std.B <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"Std must be positive, got {Options.Std}");
    }

    /// <summary>torchvision's Resize(int): the shorter side becomes R, the longer <c>int(R * long / short)</c> (truncated).</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int resolution)
    {
        var (shortSide, longSide) = width <= height ? (width, height) : (height, width);
        var newLong = (int)((double)resolution * longSide / shortSide);
        return width <= height ? (resolution, newLong) : (newLong, resolution);
    }

    /// <summary>torchvision's CenterCrop offsets: <c>int(round((size - R) / 2.0))</c>, Python's round-half-to-even.</summary>
    public static (int Left, int Top) CenterCropOffset(int width, int height, int resolution) =>
        ((int)Math.Round((width - resolution) / 2.0, MidpointRounding.ToEven),
         (int)Math.Round((height - resolution) / 2.0, MidpointRounding.ToEven));

    /// <summary>Resize + center crop, still uint8: a new CPU tensor <c>[3, R, R]</c> (for augmentations and triggers).</summary>
    public Tensor ResizeAndCropTensor(RgbImage image)
    {
        var r = Resolution;
        var (w, h) = ResizedSize(image.Width, image.Height, r);
        var (left, top) = CenterCropOffset(w, h, r);
        using var scope = NewDisposeScope();
        var x = image.ToTensor().unsqueeze(0);
        // PIL copies an image already at size; skipping the call also avoids resize handing back its input.
        if (w != image.Width || h != image.Height)
            x = nn.functional.interpolate(x, new long[] { h, w }, mode: InterpolationMode.Bicubic, align_corners: false, antialias: true);
        return x[0, .., top..(top + r), left..(left + r)].contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Resize + center crop as an image: the uint8 stage PIL hands to ToTensor.</summary>
    public RgbImage ResizeAndCrop(RgbImage image)
    {
        using var chw = ResizeAndCropTensor(image);
        return RgbImage.FromTensor(chw);
    }

    /// <summary>ToTensor + Normalize on uint8 <c>[3,H,W]</c> or <c>[N,3,H,W]</c>: float32 <c>(x/255 - mean)/std</c>, same shape and device.</summary>
    public Tensor Normalize(Tensor images)
    {
        if (images.dtype != ScalarType.Byte || images.dim() is not (3 or 4) || images.shape[^3] != 3)
            throw new ArgumentException($"expected uint8 [3,H,W] or [N,3,H,W], got {images.dtype} [{string.Join(",", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        // float32 divide, subtract, divide in torchvision's order so values agree bit for bit.
        var mean = tensor(new[] { (float)Options.Mean.R, (float)Options.Mean.G, (float)Options.Mean.B }, device: images.device).view(3, 1, 1);
        var std = tensor(new[] { (float)Options.Std.R, (float)Options.Std.G, (float)Options.Std.B }, device: images.device).view(3, 1, 1);
        return images.to(ScalarType.Float32).div_(255f).sub_(mean).div_(std).MoveToOuterDisposeScope();
    }

    /// <summary>The model input for one image: float32 <c>[3, R, R]</c>.</summary>
    public Tensor Preprocess(RgbImage image)
    {
        using var scope = NewDisposeScope();
        return Normalize(ResizeAndCropTensor(image)).MoveToOuterDisposeScope();
    }

    /// <summary>The model input for a batch: float32 <c>[N, 3, R, R]</c>, row i equal to <c>Preprocess(images[i])</c>.</summary>
    public Tensor Preprocess(IReadOnlyList<RgbImage> images)
    {
        var r = Resolution;
        if (images.Count == 0) return empty(new long[] { 0, 3, r, r }, ScalarType.Float32);
        using var scope = NewDisposeScope();
        var crops = new Tensor[images.Count];
        for (var i = 0; i < crops.Length; i++) crops[i] = ResizeAndCropTensor(images[i]);
        return Normalize(stack(crops)).MoveToOuterDisposeScope();
    }
}
