using CleanClip.Data;
using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Poisoning;

public class TriggerInputTests
{
    [Fact]
    public void CropIsClipsResizeAndCenterCrop()
    {
        var image = TriggerImages.Gradient(100, 60);
        var expected = new ClipPreprocessor(new PreprocessOptions { Resolution = 48 }).ResizeAndCrop(image);
        var prepared = TriggerInput.Prepare(image, 48, ResizeMode.Crop);
        Assert.Equal(expected.Pixels.ToArray(), prepared.Pixels.ToArray());
    }

    [Fact]
    public void SquashMatchesPilResizeIgnoringTheAspectRatio()
    {
        var prepared = TriggerInput.Prepare(TriggerImages.Gradient(100, 60), 48, ResizeMode.Squash);
        Assert.Equal((48, 48), (prepared.Width, prepared.Height));
        var (max, _) = TriggerImages.Diff(TriggerImages.Fixture("squash_100x60_to_48.png"), prepared);
        Assert.InRange(max, 0, 1);
        // Squash keeps the whole width; crop cuts the sides, so the two differ.
        Assert.NotEqual(TriggerInput.Prepare(TriggerImages.Gradient(100, 60), 48, ResizeMode.Crop).Pixels.ToArray(), prepared.Pixels.ToArray());
    }

    [Fact]
    public void ImageAlreadyAtTheResolutionIsUnchanged()
    {
        var image = TriggerImages.Gradient(48, 48);
        Assert.Equal(image.Pixels.ToArray(), TriggerInput.Prepare(image, 48, ResizeMode.Squash).Pixels.ToArray());
        Assert.Equal(image.Pixels.ToArray(), TriggerInput.Prepare(image, 48, ResizeMode.Crop).Pixels.ToArray());
    }
}
