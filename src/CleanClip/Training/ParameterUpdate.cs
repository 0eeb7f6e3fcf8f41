using CleanClip.Models;
using CleanClip.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Training;

/// <summary>
/// One optimizer update from a step's loss, as every task trains: refuse a non-finite loss, backward, refuse a
/// non-finite gradient norm, clip the gradients to a norm when asked, AdamW, and (for a CLIP model) clamp the logit
/// scale. The training tasks and the step benches all run it, so the benches time the real update.
/// </summary>
public static class ParameterUpdate
{
    /// <summary>Applies the update and returns the loss's value.</summary>
    /// <param name="diverged">Makes the exception for a non-finite "loss" or "gradient norm" (the argument names which);
    /// it is thrown before the weights change.</param>
    public static double Apply(ClipModel model, AdamWOptimizer optimizer, Tensor loss, double? gradientClipNorm, Func<string, Exception> diverged)
    {
        double total = Apply(model.parameters().ToList(), optimizer, loss, gradientClipNorm, diverged);
        LogitScaleClamp.Apply(model);
        return total;
    }

    /// <summary>The update of <paramref name="parameters"/> (those the gradient norm and clipping cover); returns the loss's value.</summary>
    public static double Apply(IReadOnlyList<Parameter> parameters, AdamWOptimizer optimizer, Tensor loss, double? gradientClipNorm, Func<string, Exception> diverged)
    {
        double total = loss.item<float>();
        if (!double.IsFinite(total)) throw diverged("loss");
        optimizer.ZeroGrad();
        loss.backward();
        var norm = GradientNorm(parameters);
        if (!double.IsFinite(norm)) throw diverged("gradient norm");
        if (gradientClipNorm is { } maxNorm && norm > maxNorm)
            using (no_grad())
            using (var factor = (maxNorm / (norm + 1e-6)).ToScalar())
                foreach (var parameter in parameters)
                    parameter.grad?.mul_(factor);
        optimizer.Step();
        return total;
    }

    private static double GradientNorm(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var norms = parameters.Where(p => p.grad is not null).Select(p => p.grad!.norm()).ToList();
        return norms.Count == 0 ? 0 : stack(norms).norm().item<float>();
    }
}
