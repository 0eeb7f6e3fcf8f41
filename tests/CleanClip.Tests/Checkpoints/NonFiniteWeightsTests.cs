using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

/// <summary>Weights holding NaN or infinities are refused at load, by tensor name, and the model is left as it was.</summary>
public class NonFiniteWeightsTests
{
    [Fact]
    public void NonFiniteWeightsAreRefusedNamingTheTensors()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("nan.safetensors"), model =>
        {
            model.LogitScale.fill_(double.NaN);
            model.state_dict()["visual.attnpool.c_proj.weight"][0, 0].fill_(double.PositiveInfinity);
        });
        var error = Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains("2 tensor(s) holding NaN or infinite values", error.Message);
        Assert.Contains("visual.attnpool.c_proj.weight", error.Message);
        Assert.Contains("logit_scale", error.Message);
    }

    [Fact]
    public void ManyNonFiniteTensorsAreCountedWithTheFirstNamesAndTheModelIsUntouched()
    {
        using var scope = NewDisposeScope();
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var source = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().fill_(double.NaN));
        var error = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(model, source, "all-nan.safetensors"));
        Assert.Contains($"{source.Count} tensor(s) holding NaN or infinite values", error.Message);
        Assert.Contains($"({source.Count - 12} more)", error.Message);
        Assert.True(model.parameters().All(p => p.isfinite().all().item<bool>()), "the model was changed by a refused load");
    }
}
