using CleanClip.Models;
using CleanClip.Training;
using CleanClip.Optimization;
using static TorchSharp.torch;

namespace CleanClip.Bench;

/// <summary>
/// The timed unit of the step benches: the trainer's own <see cref="ContrastiveStep"/> with CleanCLIP's objective
/// (λ1 = λ2 = 1) on B originals and B augmented views (images and captions) in ONE forward pass of both towers, as the
/// reference does, then backward, the gradient-norm check, AdamW by parameter role and the logit-scale clamp.
/// </summary>
internal sealed class CleanClipStep(ClipModel model, double learningRate = 1e-5) : IDisposable
{
    private readonly AdamWOptimizer optimizer = WeightDecayGroups.AdamW(model, DecayRule.Role, learningRate, 0.1);
    private readonly ContrastiveStep step = new(model, new TrainingOptions { Method = TrainingMethod.CleanClip, ClipWeight = 1, InModalWeight = 1 });

    /// <summary>One step on [originals; views]; returns the loss (reading it also waits for the step to finish).</summary>
    public double Run(Tensor pixels, Tensor tokens) =>
        step.Run(pixels, tokens, optimizer, learningRate, what => new InvalidOperationException($"the benchmark step's {what} is not finite")).Loss;

    public void Dispose() => optimizer.Dispose();
}
