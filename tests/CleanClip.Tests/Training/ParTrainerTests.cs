using CleanClip.Training;
using CleanClip.Training.Augmentation;
using CleanClip.Training.Logging;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Training;

/// <summary>PAR on the training engine: the frozen copy of the initial model stays frozen while the model moves away from it.</summary>
public class ParTrainerTests
{
    private static TrainingOptions Options => new()
    {
        Method = TrainingMethod.Par, Epochs = 1, BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 0, LogEverySteps = 1,
        TensorBoard = false, DecodeThreads = 1, Seed = 5,
    };

    [Fact]
    public void TheFrozenModelGetsNoGradientAndKeepsItsWeights()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        using var model = TrainerFixture.FreshModel();
        using var reference = TrainerFixture.FreshModel();   // the same seed: the initial model's weights
        reference.train();                                   // the trainer must switch it to eval mode
        var before = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        string fingerprint = ReferenceModel.Fingerprint(reference);
        var runDir = Path.Combine(world.Root, "run");

        var result = Trainer.Run(world.Run(model, Options, runDir) with { Reference = reference, ImageAugmentation = new ParAugmentation() });

        Assert.Equal(TrainingOutcome.Completed, result.Outcome);
        Assert.Equal(4, result.Steps);
        Assert.False(reference.training, "the frozen model was left in train mode");
        Assert.All(reference.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(reference.parameters(), p => Assert.Null(p.grad));
        foreach (var (name, tensor) in reference.state_dict())
            Assert.True(Same(tensor, before[name]), $"{name} of the frozen model changed");
        Assert.Equal(fingerprint, ReferenceModel.Fingerprint(reference));
        // The trained model moved, and it got gradients everywhere but the temperature (PAR leaves it alone).
        Assert.Contains(model.named_parameters(), p => !Same(p.parameter, before[p.name]));
        Assert.True(Same(model.LogitScale, before["logit_scale"]), "PAR trained the logit scale");

        var steps = MetricsLine.ReadAll(Path.Combine(runDir, MetricsLine.FileName)).Where(l => l.Kind == "step").ToList();
        // Step 1 compares identical weights on identical inputs (tiny-vit has no dropout or BatchNorm): distance 0.
        Assert.Equal(0, steps[0].ImageDistance!.Value, 1e-9);
        Assert.Equal(0, steps[0].TextDistance!.Value, 1e-9);
        Assert.All(steps.Skip(1), l => Assert.True(l.ImageDistance > 0 && l.TextDistance > 0, $"step {l.Step}: no distance to the frozen model"));
        Assert.All(steps, l => Assert.Null(l.InModalLoss));
        foreach (var (_, tensor) in before) tensor.Dispose();
    }

    private static bool Same(torch.Tensor a, torch.Tensor b)
    {
        using var equal = a.equal(b);
        using var all = equal.all();
        return all.item<bool>();
    }

    [Fact]
    public void ParWithoutAFrozenModelIsRefused()
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        using var model = TrainerFixture.FreshModel();
        var runDir = Path.Combine(world.Root, "run");
        var error = Assert.Throws<ArgumentException>(() => Trainer.Run(world.Run(model, Options, runDir)));
        Assert.Contains("frozen copy", error.Message);
        error = Assert.Throws<ArgumentException>(() => Trainer.Run(world.Run(model, Options, runDir) with { Reference = model }));
        Assert.Contains("separate copy", error.Message);
        Assert.False(Directory.Exists(runDir));
    }
}
