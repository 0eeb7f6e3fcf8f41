using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Training.Checkpointing;
using CleanClip.Optimization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Training;

/// <summary>
/// --restore-optimizer on a reference checkpoint: its AdamW state, keyed by position in the reference's two groups,
/// lands on the right parameters (fixture: tools/golden/reference_optimizer.py, torch.optim.AdamW after 2 steps).
/// </summary>
public class ReferenceOptimizerTests
{
    private static string Fixture(string name) => TestPaths.Fixture("reference_optimizer", name);

    // The micro ModifiedResNet CLIP of the fixture script.
    private static readonly ClipConfig Micro = new()
    {
        Name = "micro-rn", EmbedDim = 16, ImageResolution = 32, VisionLayers = [1, 1, 1, 1], VisionWidth = 4, VisionHeads = 2,
        ContextLength = 8, VocabSize = 64, TextWidth = 16, TextHeads = 2, TextLayers = 1,
    };

    [Fact]
    public void PositionsOfTheReferenceGroupsMapToParameterNames()
    {
        using var scope = NewDisposeScope();
        using var model = new ClipModel(Micro);
        var path = Fixture("reference_epoch_2.pt");
        using (var checkpoint = CheckpointReader.Read(path)) StateDictLoader.Load(model, checkpoint.StateDict, path);

        var named = TrainingCheckpoint.ReadOptimizerFor(path, model);
        var picked = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json"))).RootElement.GetProperty("picked")
            .EnumerateArray().Select(e => e.GetString()!).ToList();
        foreach (var name in picked)
        {
            var expected = NpyFile.Read(Fixture($"{name}.exp_avg_sq.npy"));
            Assert.True(named[$"optimizer.{name}.exp_avg_sq"].equal(expected).all().item<bool>(), $"{name}.exp_avg_sq");
            Assert.True(named[$"optimizer.{name}.exp_avg"].equal(NpyFile.Read(Fixture($"{name}.exp_avg.npy"))).all().item<bool>(), $"{name}.exp_avg");
            Assert.Equal(2, named[$"optimizer.{name}.step"].item<long>());
        }
        // Every parameter got its state, and the optimizer accepts it.
        Assert.Equal(3 * model.parameters().Count(), named.Count);
        using var optimizer = WeightDecayGroups.AdamW(model, DecayRule.Role, 1e-5, 0.1);
        optimizer.LoadTensors(named, TrainingCheckpoint.OptimizerPrefix, path);
        Assert.Equal(2, optimizer.StateByName["visual.layer1.0.downsample.1.weight"].Step);
    }

    [Fact]
    public void AnotherArchitectureIsRefusedByCount()
    {
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.ReadOptimizerFor(Fixture("reference_epoch_2.pt"), model));
        Assert.Contains("not a checkpoint of this architecture", error.Message);
    }
}
