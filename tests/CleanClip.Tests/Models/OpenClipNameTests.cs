using CleanClip.Checkpoints;
using CleanClip.Models;
using Xunit;

namespace CleanClip.Tests.Models;

/// <summary>OpenCLIP's <c>--model</c> names map onto the registry: "-quickgelu" names are OpenAI's architectures, plain ones the same tensors with exact GELU.</summary>
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
    [InlineData("ViT-B-32", "ViT-B-32-quickgelu")]
    [InlineData("ViT-B-16", "ViT-B-16-quickgelu")]
    [InlineData("ViT-L-14", "ViT-L-14-quickgelu")]
    [InlineData("ViT-L-14-336", "ViT-L-14-336-quickgelu")]
    [InlineData("RN50-gelu", "RN50-quickgelu")]
    [InlineData("RN101-gelu", "RN101-quickgelu")]
    [InlineData("RN50x4-gelu", "RN50x4-quickgelu")]
    [InlineData("RN50x16-gelu", "RN50x16-quickgelu")]
    [InlineData("RN50x64-gelu", "RN50x64-quickgelu")]
    public void PlainGeluConfigsAreTheQuickGeluTensorsWithExactGelu(string name, string quickGeluName)
    {
        var gelu = ModelRegistry.Get(name);
        var quick = ModelRegistry.Get(quickGeluName);
        Assert.Equal(MlpActivation.Gelu, gelu.Activation);
        Assert.Equal(MlpActivation.QuickGelu, quick.Activation);
        Assert.True(gelu.SameShapes(quick));
        Assert.NotEqual(gelu, quick);
        Assert.Equal(name, gelu.Name);
        Assert.Equal(gelu, ClipConfig.FromJson(gelu.ToJson()));
        Assert.Contains("\"Activation\":\"Gelu\"", gelu.ToJson());
    }

    [Fact]
    public void AConfigWithoutAnActivationIsOpenAisQuickGelu()
    {
        // Configs stored before the field existed read as QuickGELU, the only activation there was.
        var json = ModelRegistry.Get("tiny-rn").ToJson().Replace(",\"Activation\":\"QuickGelu\"", "");
        Assert.DoesNotContain("Activation", json);
        Assert.Equal(MlpActivation.QuickGelu, ClipConfig.FromJson(json).Activation);
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
