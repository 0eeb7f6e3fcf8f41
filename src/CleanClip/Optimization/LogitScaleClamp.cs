using CleanClip.Models;
using TorchSharp;

namespace CleanClip.Optimization;

/// <summary>CLIP keeps the temperature multiplier at most 100: after every optimizer step logit_scale is clamped to [0, ln 100].</summary>
public static class LogitScaleClamp
{
    public static readonly double Max = Math.Log(ClipModel.MaxLogitScaleMultiplier);
    private static readonly Scalar MaxScalar = Max.ToScalar();

    public static void Apply(ClipModel model)
    {
        using var _ = torch.no_grad();
        model.LogitScale.clamp_(PinnedScalars.Zero, MaxScalar);
    }
}
