using CleanClip.Optimization;
using TorchSharp.Modules;

namespace CleanClip.Training.Supervised;

/// <summary>
/// The reference's AdamW groups on this path (<c>evaluate.py</c>, finetune): weight decay on every trainable parameter
/// whose name does not contain "bias", none on those that do. Unlike the contrastive trainer's role rule, norm-layer
/// weights (ln_*, bn*) are decayed here, as in the reference.
/// </summary>
public static class SupervisedDecayGroups
{
    public static bool IsDecayed(string name) => !name.Contains("bias", StringComparison.Ordinal);

    public static AdamWOptimizer AdamW(IReadOnlyList<(string Name, Parameter Parameter)> parameters, SupervisedOptions options)
    {
        var decayed = parameters.Where(p => IsDecayed(p.Name)).ToList();
        var notDecayed = parameters.Where(p => !IsDecayed(p.Name)).ToList();
        var optimizer = new AdamWOptimizer(
            [new AdamWOptimizer.Group(decayed, options.WeightDecay), new AdamWOptimizer.Group(notDecayed, 0)],
            options.Beta1, options.Beta2, options.Epsilon);
        optimizer.SetLearningRate(options.LearningRate);
        return optimizer;
    }
}
