using CleanClip.Models;
using CleanClip.Training;
using CleanClip.Training.Losses;
using CleanClip.Optimization;
using static TorchSharp.torch;

namespace CleanClip.Bench;

/// <summary>
/// The timed unit of the step benches: B originals and B augmented views (images and captions) in ONE forward pass of
/// both towers, as the reference does, ClipLoss + InModalLoss (λ1 = λ2 = 1), backward, AdamW by parameter role and the
/// logit-scale clamp, through the trainer's <see cref="ParameterUpdate"/> (gradient-norm check included).
/// </summary>
internal sealed class CleanClipStep(ClipModel model, double learningRate = 1e-5) : IDisposable
{
    private readonly AdamWOptimizer optimizer = WeightDecayGroups.AdamW(model, DecayRule.Role, learningRate, 0.1);
    private readonly CleanClipObjective objective = new(ClipWeight: 1, InModalWeight: 1);

    /// <summary>One step on [originals; views]; returns the loss (reading it also waits for the step to finish).</summary>
    public double Run(Tensor pixels, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (images, texts) = model.forward(pixels, tokens);
        var terms = objective.Compute(images, texts, model.LogitScale, withAugmentedViews: true);
        return ParameterUpdate.Apply(model, optimizer, terms.Total, gradientClipNorm: null,
            what => new InvalidOperationException($"the benchmark step's {what} is not finite"));
    }

    public void Dispose() => optimizer.Dispose();
}
