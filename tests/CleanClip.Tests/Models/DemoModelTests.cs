using CleanClip.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;

namespace CleanClip.Tests.Models;

public class DemoModelTests
{
    // oneDNN's CPU conv backward returns sporadic NaN gradients on narrow convolutions, most often below 8 channels
    // (docs/experiments/onednn-conv-nan.md), so a model meant to be trained on CPU has no convolution narrower than 8.
    [Fact]
    public void DemoResNetHasNoConvolutionNarrowerThanEightChannels()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ClipModel(ModelRegistry.Get("demo-rn"));
        var convolutions = model.named_modules().Where(m => m.module is Conv2d).ToList();
        Assert.Equal(3 + 4 * 4, convolutions.Count);   // stem 3; each of the 4 bottlenecks 3 + 1 shortcut
        foreach (var (name, module) in convolutions)
        {
            var shape = ((Conv2d)module).weight!.shape;   // [out, in, kh, kw]
            Assert.True(shape[0] >= 8, $"{name} has {shape[0]} output channels");
            Assert.True(shape[1] == 3 || shape[1] >= 8, $"{name} has {shape[1]} input channels");
        }
    }

    [Fact]
    public void DemoResNetShapes()
    {
        var config = ModelRegistry.Get("demo-rn");
        Assert.False(config.IsVit);
        Assert.Equal(32, config.ImageResolution);
        using var scope = torch.NewDisposeScope();
        using var model = new ClipModel(config);
        using var _ = torch.no_grad();
        model.eval();
        var (images, texts) = model.forward(torch.zeros(2, 3, 32, 32), torch.tensor(new long[,] { { 1021, 5, 1022, 0 }, { 1021, 1022, 0, 0 } }));
        Assert.Equal(new long[] { 2, 128 }, images.shape);
        Assert.Equal(new long[] { 2, 128 }, texts.shape);
        // The stem is 3 → 8 → 8 → 16 channels: stem width 16, halved for the first two convolutions.
        var stem = model.named_modules().Where(m => m.module is Conv2d).Take(3).Select(m => ((Conv2d)m.module).weight!.shape[0]).ToArray();
        Assert.Equal(new long[] { 8, 8, 16 }, stem);
    }
}
