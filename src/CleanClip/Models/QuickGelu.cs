using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>CLIP's GELU approximation x·σ(1.702x); OpenAI's weights were trained with it, so exact GELU is wrong here.</summary>
public sealed class QuickGelu : nn.Module<Tensor, Tensor>
{
    private static readonly Scalar Slope = 1.702.ToScalar();   // pinned: see PinnedScalars

    public QuickGelu() : base(nameof(QuickGelu)) { }

    public override Tensor forward(Tensor x) => x * torch.sigmoid(x * Slope);
}
