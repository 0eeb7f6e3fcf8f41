using CleanClip.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Poisoning;

/// <summary>Brings an image to the square the triggers work on, the way the caller's evaluation sees images.</summary>
public static class TriggerInput
{
    /// <summary>
    /// <see cref="ResizeMode.Crop"/>: <see cref="ClipPreprocessor.ResizeAndCrop"/> at <paramref name="resolution"/>, so
    /// triggered and clean images share one preprocessing. <see cref="ResizeMode.Squash"/>: the reference's PIL
    /// <c>image.resize((R, R))</c> (bicubic, aspect ratio ignored), using the same PIL-compatible antialiased uint8
    /// bicubic kernel as the preprocessor; an image already R×R is returned as it is, as PIL copies it.
    /// </summary>
    public static RgbImage Prepare(RgbImage image, int resolution, ResizeMode mode)
    {
        if (resolution <= 0) throw new ArgumentOutOfRangeException(nameof(resolution), $"resolution must be positive, got {resolution}");
        if (mode == ResizeMode.Crop)
            return new ClipPreprocessor(new PreprocessOptions { Resolution = resolution }).ResizeAndCrop(image);
        if (image.Width == resolution && image.Height == resolution) return image;
        using var scope = NewDisposeScope();
        var squashed = nn.functional.interpolate(image.ToTensor().unsqueeze(0), new long[] { resolution, resolution },
            mode: InterpolationMode.Bicubic, align_corners: false, antialias: true);
        return RgbImage.FromTensor(squashed[0]);
    }
}
