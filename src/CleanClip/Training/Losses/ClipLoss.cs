using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Losses;

/// <summary>
/// CLIP's multimodal contrastive loss: symmetric InfoNCE over the batch, ½[CE(s·I·Tᵀ) + CE(s·T·Iᵀ)] with targets
/// 0..B−1 and s = exp(logit_scale). Embeddings are L2-normalised [B, D].
/// </summary>
public static class ClipLoss
{
    public static Tensor Compute(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor logitScale)
    {
        using var scope = NewDisposeScope();
        var logits = logitScale.exp() * imageEmbeddings.matmul(textEmbeddings.t());
        var targets = arange(logits.shape[0], dtype: ScalarType.Int64, device: logits.device);
        var loss = (nn.functional.cross_entropy(logits, targets) + nn.functional.cross_entropy(logits.t(), targets)) / PinnedScalars.Two;
        return loss.MoveToOuterDisposeScope();
    }
}
