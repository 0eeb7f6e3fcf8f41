using CleanClip.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Data;

public class ClipPreprocessorTests
{
    private static RgbImage Gradient(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 37 + seed * 101 + i / (3 * width) * 13) % 256);
        return new RgbImage(width, height, pixels);
    }

    private static RgbImage Constant(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (r, g, b);
        return new RgbImage(width, height, pixels);
    }

    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    [Theory]
    [InlineData(640, 427, 224, 335, 224)] // int(224 * 640 / 427) = int(335.7)
    [InlineData(427, 640, 224, 224, 335)]
    [InlineData(512, 512, 224, 224, 224)]
    [InlineData(100, 50, 224, 448, 224)]  // upscale
    [InlineData(600, 400, 288, 432, 288)]
    public void Resized_size_follows_torchvision(int w, int h, int r, int ew, int eh) =>
        Assert.Equal((ew, eh), ClipPreprocessor.ResizedSize(w, h, r));

    [Theory]
    [InlineData(335, 224, 224, 56, 0)]  // (335-224)/2 = 55.5 -> 56 (even)
    [InlineData(333, 224, 224, 54, 0)]  // 54.5 -> 54 (even): Python's round, not away from zero
    [InlineData(224, 229, 224, 0, 2)]   // 2.5 -> 2
    [InlineData(224, 224, 224, 0, 0)]
    public void Center_crop_offsets_round_half_to_even(int w, int h, int r, int left, int top) =>
        Assert.Equal((left, top), ClipPreprocessor.CenterCropOffset(w, h, r));

    [Fact]
    public void ToTensor_is_channels_first_with_the_same_pixels()
    {
        var image = Gradient(5, 4, 1);
        using var t = image.ToTensor();
        Assert.Equal(new long[] { 3, 4, 5 }, t.shape);
        Assert.Equal(ScalarType.Byte, t.dtype);
        var (r, g, b) = image[3, 2];
        Assert.Equal(r, t[0, 2, 3].item<byte>());
        Assert.Equal(g, t[1, 2, 3].item<byte>());
        Assert.Equal(b, t[2, 2, 3].item<byte>());
        Assert.Equal(image.Pixels.ToArray(), RgbImage.FromTensor(t).Pixels.ToArray());
    }

    [Fact]
    public void Normalization_of_a_constant_image_matches_hand_computed_values()
    {
        var p = new ClipPreprocessor();
        using var x = p.Preprocess(Constant(300, 250, 255, 0, 128));
        Assert.Equal(new long[] { 3, 224, 224 }, x.shape);
        Assert.Equal(ScalarType.Float32, x.dtype);
        // (v/255 - mean) / std with CLIP's mean/std.
        var expected = new[]
        {
            (1.0 - 0.48145466) / 0.26862954,            //  1.930336
            (0.0 - 0.4578275) / 0.26130258,             // -1.752100
            (128 / 255.0 - 0.40821073) / 0.27577711,    //  0.339949
        };
        for (var c = 0; c < 3; c++)
        {
            using var plane = x[c];
            Assert.Equal(expected[c], plane.min().item<float>(), tolerance: 1e-5);
            Assert.Equal(expected[c], plane.max().item<float>(), tolerance: 1e-5);
        }
        Assert.Equal(1.930336, expected[0], tolerance: 1e-5);
        Assert.Equal(-1.752100, expected[1], tolerance: 1e-5);
        Assert.Equal(0.339949, expected[2], tolerance: 1e-5);
    }

    [Fact]
    public void Batch_has_shape_N3RR_and_rows_equal_single_calls()
    {
        var p = new ClipPreprocessor(new PreprocessOptions { Resolution = 64 });
        var images = new[] { Gradient(100, 80, 1), Gradient(50, 90, 2), Gradient(64, 64, 3), Gradient(30, 20, 4) };
        using var batch = p.Preprocess(images);
        Assert.Equal(new long[] { 4, 3, 64, 64 }, batch.shape);
        for (var i = 0; i < images.Length; i++)
        {
            using var single = p.Preprocess(images[i]);
            using var row = batch[i];
            Assert.True(Same(row, single), $"batch row {i} differs from the single-image result");
        }
        using var none = p.Preprocess(Array.Empty<RgbImage>());
        Assert.Equal(new long[] { 0, 3, 64, 64 }, none.shape);
    }

    [Fact]
    public void Normalize_of_the_uint8_stage_equals_Preprocess()
    {
        var p = new ClipPreprocessor(new PreprocessOptions { Resolution = 32 });
        var image = Gradient(90, 45, 5);
        var crop = p.ResizeAndCrop(image);
        Assert.Equal((32, 32), (crop.Width, crop.Height));
        using var u8 = p.ResizeAndCropTensor(image);
        Assert.Equal(crop.Pixels.ToArray(), RgbImage.FromTensor(u8).Pixels.ToArray());
        using var viaNormalize = p.Normalize(u8);
        using var direct = p.Preprocess(image);
        Assert.True(Same(viaNormalize, direct));
    }

    [Fact]
    public void Image_already_at_resolution_passes_through_unchanged()
    {
        var p = new ClipPreprocessor(new PreprocessOptions { Resolution = 16 });
        var image = Gradient(16, 16, 6);
        Assert.Equal(image.Pixels.ToArray(), p.ResizeAndCrop(image).Pixels.ToArray());
        // Long side only is cropped, not resampled, when the short side already equals R: columns 2..17 of 20.
        var wide = Gradient(20, 16, 7);
        var cropped = p.ResizeAndCrop(wide);
        Assert.Equal(wide[2, 5], cropped[0, 5]);
        Assert.Equal(wide[17, 9], cropped[15, 9]);
    }

    [Fact]
    public void Preprocessing_leaves_no_live_tensors_behind()
    {
        var p = new ClipPreprocessor(new PreprocessOptions { Resolution = 32 });
        var images = new[] { Gradient(70, 40, 8), Gradient(40, 70, 9) };
        DisposeScopeManager.Statistics.Reset();
        var batch = p.Preprocess(images);
        Assert.Equal(1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        batch.Dispose();
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Rejects_wrong_inputs()
    {
        var p = new ClipPreprocessor();
        using var f = zeros(3, 8, 8);
        Assert.Throws<ArgumentException>(() => p.Normalize(f));
        using var fourChannels = zeros(new long[] { 4, 8, 8 }, ScalarType.Byte);
        Assert.Throws<ArgumentException>(() => p.Normalize(fourChannels));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipPreprocessor(new PreprocessOptions { Resolution = 0 }));
        Assert.Throws<ArgumentException>(() => new RgbImage(4, 4, new byte[47]));
    }
}
