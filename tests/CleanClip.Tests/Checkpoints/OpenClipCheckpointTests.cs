using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Checkpoints;

/// <summary>
/// OpenCLIP's epoch_N.pt (tools/golden/openclip_checkpoint.py): {"epoch", "name", "state_dict" with DDP's "module."
/// prefix, "optimizer" (AdamW), "scaler" (AMP)} loads through <see cref="ModelLoader"/> to exactly the weights the
/// same script saved plainly with torch.save(model.state_dict()).
/// </summary>
public class OpenClipCheckpointTests
{
    /// <summary>The micro models' head counts, which a state dict does not hold (2 everywhere, as the script builds them).</summary>
    private static readonly HeadCounts Heads = new(Text: 2, Vision: 2);

    [Theory]
    [InlineData("micro-vit")]
    [InlineData("micro-rn")]
    public void AnOpenClipEpochCheckpointLoadsToTheSameWeightsAsThePlainStateDict(string name)
    {
        using var scope = torch.NewDisposeScope();
        var epochFile = TestPaths.Fixture("openclip", $"{name}.epoch_2.pt");
        using var fromEpoch = ModelLoader.Load(epochFile, heads: Heads);
        using var fromPlain = ModelLoader.Load(TestPaths.Fixture("openclip", $"{name}.plain.pt"), heads: Heads);
        Assert.Equal(fromPlain.Config, fromEpoch.Config);
        var expected = fromPlain.state_dict();
        var actual = fromEpoch.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected)
            Assert.True(value.equal(actual[key]).all().item<bool>(), $"{key} differs between {name}.epoch_2.pt and {name}.plain.pt");
    }

    [Fact]
    public void TheReaderKeepsEpochNameAndOptimizerAndDropsThePrefix()
    {
        using var checkpoint = CheckpointReader.Read(TestPaths.Fixture("openclip", "micro-vit.epoch_2.pt"));
        Assert.Equal(2, checkpoint.Epoch);
        Assert.Equal("openclip-micro-vit", checkpoint.Name);
        Assert.NotNull(checkpoint.Optimizer);
        Assert.Contains("visual.conv1.weight", checkpoint.StateDict.Keys);
        Assert.DoesNotContain(checkpoint.StateDict.Keys, k => k.StartsWith("module.", StringComparison.Ordinal));
    }
}
