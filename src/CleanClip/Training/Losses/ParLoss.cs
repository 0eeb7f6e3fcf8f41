using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Losses;

/// <summary>
/// PAR's perturbation term for one tower (Singh, Croce and Hein, arXiv 2412.00727; docs/par.md): the batch mean of
/// the squared Euclidean distance between the model's and the frozen initial model's L2-normalised embeddings,
/// d = (1/B) Σᵢ ‖uᵢ − vᵢ‖², in [0, 4]; counted while d ≤ τ and replaced by 0 (no gradient) once d exceeds τ, as the
/// authors' code does.
/// </summary>
public static class ParLoss
{
    /// <summary>d for embeddings [B, D] and the frozen model's [B, D] of the same inputs.</summary>
    public static Tensor Distance(Tensor embeddings, Tensor reference)
    {
        if (!embeddings.shape.SequenceEqual(reference.shape))
            throw new ArgumentException($"embeddings [{string.Join(", ", embeddings.shape)}] and reference [{string.Join(", ", reference.shape)}] differ in shape");
        using var scope = NewDisposeScope();
        return (embeddings - reference).square().sum(1).mean().MoveToOuterDisposeScope();
    }

    /// <summary>d when d ≤ τ, else 0.</summary>
    public static Tensor Thresholded(Tensor distance, double tau)
    {
        using var scope = NewDisposeScope();
        using var threshold = tau.ToScalar();
        return distance.masked_fill(distance.gt(threshold), PinnedScalars.Zero).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// PAR's objective: λ1·ClipLoss − w·½(P_image + P_text), with P each tower's <see cref="ParLoss"/> term (λ1 = w = 1 and
/// τ = 2.15 in the authors' code). The CLIP term uses the logit scale detached: the authors read exp(logit_scale) as a
/// number, so the temperature gets no gradient and stays the input model's.
/// </summary>
public sealed record ParObjective(double ClipWeight = 1, double PerturbationWeight = 1, double Tau = ParObjective.DefaultTau)
{
    /// <summary>The authors' default threshold (<c>--loss-thresh</c> in their train.py).</summary>
    public const double DefaultTau = 2.15;

    /// <summary>
    /// The terms of one step: <see cref="Total"/> is the one to backpropagate; <see cref="Perturbation"/> is
    /// ½(P_image + P_text) after the threshold; the distances are the tower's d before it.
    /// </summary>
    public sealed record Terms(Tensor Total, Tensor Clip, Tensor Perturbation, Tensor ImageDistance, Tensor TextDistance);

    /// <summary>
    /// Embeddings [B, D] (L2-normalised) of the model and of the frozen initial model for the same images and captions.
    /// </summary>
    public Terms Compute(Tensor images, Tensor texts, Tensor referenceImages, Tensor referenceTexts, Tensor logitScale)
    {
        using var scope = NewDisposeScope();
        using var clipWeight = ClipWeight.ToScalar();
        using var perturbationWeight = PerturbationWeight.ToScalar();
        var clip = ClipLoss.Compute(images, texts, logitScale.detach());
        var imageDistance = ParLoss.Distance(images, referenceImages);
        var textDistance = ParLoss.Distance(texts, referenceTexts);
        var perturbation = (ParLoss.Thresholded(imageDistance, Tau) + ParLoss.Thresholded(textDistance, Tau)) / PinnedScalars.Two;
        var total = clip * clipWeight - perturbation * perturbationWeight;
        return new Terms(total.MoveToOuterDisposeScope(), clip.MoveToOuterDisposeScope(), perturbation.MoveToOuterDisposeScope(),
            imageDistance.MoveToOuterDisposeScope(), textDistance.MoveToOuterDisposeScope());
    }
}
