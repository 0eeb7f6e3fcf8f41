using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Models;

[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class ParameterCountTests
{
    // OpenAI's published models: parameter count and state-dict key count (without the three scalar keys that
    // OpenAI's TorchScript files add).
    [Theory]
    [InlineData("RN50", 102_007_137, 489)]
    [InlineData("RN101", 119_688_033, 795)]
    [InlineData("RN50x4", 178_300_601, 669)]
    [InlineData("ViT-B/32", 151_277_313, 302)]
    [InlineData("ViT-B/16", 149_620_737, 302)]
    [InlineData("ViT-L/14", 427_616_513, 446)]
    public void FullSizeConfigsMatchOpenAI(string name, long parameters, int keys)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ClipModel(ModelRegistry.Get(name));
        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
        Assert.Equal(keys, model.state_dict().Count);
    }
}
