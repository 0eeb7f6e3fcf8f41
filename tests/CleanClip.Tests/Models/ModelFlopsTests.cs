using Xunit;
using CleanClip.Models;

namespace CleanClip.Tests.Models;

public class ModelFlopsTests
{
    [Fact]
    public void TinyResNetImageTowerMatchesALayerByLayerHandCount()
    {
        // tiny-rn at 32 px, 2 FLOPs per multiply-add (sums worked out by hand, layer by layer):
        // stem 16x16: 3→4, 4→4, 4→8 (3x3) = 55,296 + 73,728 + 147,456; then 8x8 after the pool;
        // stage 1 (8→8→32, 8x8, downsample) 147,456; stages 2-4 (stride 2) 458,752 each;
        // attention pool on 1+1 tokens of width 256: k, v 524,288, q 131,072, QKᵀ+AV 2,048, c_proj 16,384.
        Assert.Equal(2_473_984, ModelFlops.ImageForward(ModelRegistry.Get("tiny-rn")));
    }

    [Fact]
    public void TextTowerCountsOnlyThePositionsItRuns()
    {
        // Width 64, 2 layers, 10 positions: QKV 245,760 + QKᵀ/AV 25,600 + out 81,920 + MLP 655,360 per layer; projection 4,096.
        var tiny = ModelRegistry.Get("tiny-rn");
        Assert.Equal(2_021_376, ModelFlops.TextForward(tiny, 10));
        Assert.True(ModelFlops.TextForward(tiny, 77) > 7 * ModelFlops.TextForward(tiny, 10));
    }

    [Fact]
    public void VitB32MatchesTheArchitectureArithmetic()
    {
        // 7x7 patches + class token = 50 tokens of width 768, 12 layers: 12·768²·50 + 2·50²·768 multiply-adds per layer,
        // the 32x32 patch convolution and the 768→512 projection: 4.41 G multiply-adds.
        double macs = 12 * (12.0 * 768 * 768 * 50 + 2.0 * 50 * 50 * 768) + 3.0 * 768 * 32 * 32 * 49 + 768 * 512;
        Assert.Equal(2 * macs, ModelFlops.ImageForward(ModelRegistry.Get("ViT-B/32")), 1e-6);
        Assert.InRange(macs / 1e9, 4.40, 4.42);
    }

    [Fact]
    public void TrainingStepIsThreeForwardPasses()
    {
        var c = ModelRegistry.Get("tiny-rn");
        Assert.Equal(3 * 4 * (ModelFlops.ImageForward(c) + ModelFlops.TextForward(c, 20)), ModelFlops.TrainingStep(c, 4, 20));
    }
}
