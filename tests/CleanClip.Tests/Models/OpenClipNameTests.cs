using CleanClip.Checkpoints;
using CleanClip.Models;
using Xunit;

namespace CleanClip.Tests.Models;

/// <summary>OpenCLIP's <c>--model</c> names map onto the registry: "-quickgelu" names are OpenAI's architectures, plain-GELU ones are refused.</summary>
public class OpenClipNameTests
{
    [Theory]
    // OpenCLIP name, embed dim, resolution, vision layers, vision width, patch (0: ResNet), text width
    [InlineData("RN50-quickgelu", 1024, 224, new[] { 3, 4, 6, 3 }, 64, 0, 512)]
    [InlineData("RN101-quickgelu", 512, 224, new[] { 3, 4, 23, 3 }, 64, 0, 512)]
    [InlineData("RN50x4-quickgelu", 640, 288, new[] { 4, 6, 10, 6 }, 80, 0, 640)]
    [InlineData("RN50x16-quickgelu", 768, 384, new[] { 6, 8, 18, 8 }, 96, 0, 768)]
    [InlineData("RN50x64-quickgelu", 1024, 448, new[] { 3, 15, 36, 10 }, 128, 0, 1024)]
    [InlineData("ViT-B-32-quickgelu", 512, 224, new[] { 12 }, 768, 32, 512)]
    [InlineData("ViT-B-16-quickgelu", 512, 224, new[] { 12 }, 768, 16, 512)]
    [InlineData("ViT-L-14-quickgelu", 768, 224, new[] { 24 }, 1024, 14, 768)]
    [InlineData("ViT-L-14-336-quickgelu", 768, 336, new[] { 24 }, 1024, 14, 768)]
    public void EachQuickGeluNameIsOpenClipsArchitecture(string name, int embed, int resolution, int[] layers, int width, int patch, int textWidth)
    {
        // The numbers are those of OpenCLIP's model_configs/<name>.json (heads: width/64, OpenAI's rule, as OpenCLIP's head_width 64).
        var config = ModelRegistry.Get(name);
        Assert.Equal(embed, config.EmbedDim);
        Assert.Equal(resolution, config.ImageResolution);
        Assert.Equal(layers, config.VisionLayers);
        Assert.Equal(width, config.VisionWidth);
        Assert.Equal(patch == 0 ? null : patch, config.VisionPatchSize);
        Assert.Equal(textWidth, config.TextWidth);
        Assert.Equal(12, config.TextLayers);
        Assert.Equal(77, config.ContextLength);
        Assert.Equal(49408, config.VocabSize);
        Assert.Equal(textWidth / 64, config.ResolvedTextHeads);
        Assert.Equal(patch == 0 ? width * 32 / 64 : width / 64, config.ResolvedVisionHeads);
        Assert.True(ModelRegistry.TryGet(name.ToUpperInvariant(), out _), "names match case-insensitively, as the registry's do");
    }

    [Theory]
    [InlineData("ViT-B-32")]
    [InlineData("ViT-B-16")]
    [InlineData("ViT-L-14")]
    [InlineData("ViT-L-14-336")]
    public void PlainGeluOpenClipNamesAreRefusedInOneLineThatSaysWhy(string name)
    {
        Assert.False(ModelRegistry.TryGet(name, out _));
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Get(name));
        Assert.Contains("exact GELU", error.Message);
        Assert.Contains($"'{name}-quickgelu'", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        var fromLoader = Assert.Throws<ArgumentException>(() => ModelLoader.Load(name));
        Assert.Contains($"'{name}-quickgelu'", fromLoader.Message);
    }

    [Fact]
    public void OpenAiNamesKeepMeaningOpenAisModels()
    {
        // "RN50" is also an OpenCLIP config (with GELU); here it stays OpenAI's model, the same as RN50-quickgelu.
        Assert.Equal(ModelRegistry.Get("RN50"), ModelRegistry.Get("RN50-quickgelu"));
        Assert.Equal(ModelRegistry.Get("ViT-B/32"), ModelRegistry.Get("ViT-B-32-quickgelu"));
    }

    [Fact]
    public void AnUnknownNameListsEveryAcceptedName()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Get("ViT-H-14-quickgelu"));
        Assert.Contains("unknown model 'ViT-H-14-quickgelu'", error.Message);
        foreach (var accepted in ModelRegistry.AcceptedNames)
            Assert.Contains(accepted, error.Message);
        Assert.Contains("RN50-quickgelu", error.Message);
        Assert.Contains("tiny-rn", error.Message);
    }
}
