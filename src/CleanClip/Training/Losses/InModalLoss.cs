using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Losses;

/// <summary>
/// CleanCLIP's unimodal self-supervised loss: each image against the augmented views of the batch, each caption
/// against the augmented captions, ½[CE(s·I·Ĩᵀ) + CE(s·T·T̃ᵀ)]. Rows are originals and columns augmented views, one
/// direction per modality as in the reference (B−1 negatives, all augmented); <c>symmetric</c> averages both
/// directions of each modality instead.
/// </summary>
public static class InModalLoss
{
    public static Tensor Compute(Tensor image, Tensor augmentedImage, Tensor text, Tensor augmentedText,
        Tensor logitScale, bool symmetric = false)
    {
        using var scope = NewDisposeScope();
        var scale = logitScale.exp();
        var loss = (Modality(scale, image, augmentedImage, symmetric) + Modality(scale, text, augmentedText, symmetric)) / PinnedScalars.Two;
        return loss.MoveToOuterDisposeScope();
    }

    private static Tensor Modality(Tensor scale, Tensor original, Tensor augmented, bool symmetric)
    {
        var logits = scale * original.matmul(augmented.t());
        var targets = arange(logits.shape[0], dtype: ScalarType.Int64, device: logits.device);
        var forward = nn.functional.cross_entropy(logits, targets);
        return symmetric ? (forward + nn.functional.cross_entropy(logits.t(), targets)) / PinnedScalars.Two : forward;
    }
}
