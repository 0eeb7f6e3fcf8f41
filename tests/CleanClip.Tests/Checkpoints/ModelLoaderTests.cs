using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Checkpoints;

public class ModelLoaderTests
{
    [Theory]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    public void SaveThenLoadIsBitExactAndKeepsTheConfig(string name)
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        // An odd config (not in the registry) must come back from our own metadata, heads included.
        var config = ModelRegistry.Get(name) with { Name = "custom", TextHeads = 2, VocabSize = 700 };
        torch.manual_seed(4);
        using var model = new ClipModel(config);
        var path = dir.File("model.safetensors");
        ModelLoader.Save(model, path);
        using var loaded = ModelLoader.Load(path);
        Assert.Equal(config, loaded.Config);
        var expected = model.state_dict();
        var actual = loaded.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected)
            Assert.True(value.equal(actual[key]).all().item<bool>(), $"{key} differs after a round trip");
    }

    [Fact]
    public void SavedFilesUseOpenAIKeyNamesWithoutPrefixes()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        using var model = new ClipModel(ModelRegistry.Get("tiny-rn"));
        var path = dir.File("m.safetensors");
        ModelLoader.Save(model, path);
        var keys = Safetensors.Read(path).Keys.ToList();
        Assert.Contains("visual.layer1.0.downsample.0.weight", keys);
        Assert.Contains("visual.attnpool.q_proj.weight", keys);
        Assert.Contains("transformer.resblocks.0.attn.in_proj_weight", keys);
        Assert.Contains("logit_scale", keys);
        Assert.Equal(model.state_dict().Count, keys.Count);
    }

    [Fact]
    public void AMismatchedCheckpointListsEveryProblemAndLeavesTheModelUntouched()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        using var source = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var tensors = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        tensors.Remove("ln_final.weight");
        tensors["visual.extra"] = torch.zeros(3);
        tensors["text_projection"] = torch.zeros(64, 16);
        using var target = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var before = target.state_dict()["visual.proj"].clone();
        var error = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(target, tensors, "x.safetensors"));
        Assert.Contains("x.safetensors", error.Message);
        Assert.Contains("1 missing keys: ln_final.weight", error.Message);
        Assert.Contains("1 unexpected keys: visual.extra", error.Message);
        Assert.Contains("text_projection (model [64, 32], file [64, 16])", error.Message);
        Assert.True(before.equal(target.state_dict()["visual.proj"]).all().item<bool>());
    }

    [Fact]
    public void AnUnknownNameThatIsNoFileSaysWhatItExpected()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelLoader.Load("RN5O"));
        Assert.Contains("neither a checkpoint file nor a known model", error.Message);
        Assert.Contains("ViT-B/32", error.Message);
    }

    [Fact]
    public void ATruncatedCheckpointIsAClearError()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        using var model = new ClipModel(ModelRegistry.Get("tiny-rn"));
        var path = dir.File("m.safetensors");
        ModelLoader.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path));
        Assert.Contains(path, error.Message);
    }
}
