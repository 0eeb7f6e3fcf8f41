using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// How much more a model ties each image to its own caption than to the captions around it: the pointwise mutual
/// information of the pair under the model's own softmax, estimated inside a reference batch.
/// </summary>
public static class PairAlignment
{
    /// <summary>
    /// [B]: for each row i, s·cos(xᵢ, cᵢ) − ln meanⱼ exp(s·cos(xᵢ, cⱼ)) over the batch's captions j (i included).
    /// This is the image-to-text contrastive log-probability of the pair plus ln B, so batches of different sizes give
    /// comparable scores. At most ln B (the caption is far closer than any other), 0 where the image is as close to
    /// its caption as to the average caption.
    /// </summary>
    /// <param name="images">[B, D] image embeddings (any norm; they are normalised).</param>
    /// <param name="captions">[B, D] caption embeddings of the same rows.</param>
    /// <param name="logitScale">The model's temperature multiplier s (exp of its logit_scale, at most 100).</param>
    public static Tensor Pmi(Tensor images, Tensor captions, double logitScale)
    {
        if (images.dim() != 2 || captions.dim() != 2 || images.shape[0] != captions.shape[0] || images.shape[1] != captions.shape[1])
            throw new ArgumentException($"images [{string.Join(", ", images.shape)}] and captions [{string.Join(", ", captions.shape)}] must both be [B, D]");
        if (!(logitScale > 0) || double.IsInfinity(logitScale)) throw new ArgumentException($"logit scale {logitScale}: expected a positive number");
        using var scope = torch.NewDisposeScope();
        var x = torch.nn.functional.normalize(images.to(ScalarType.Float32), dim: 1);
        var c = torch.nn.functional.normalize(captions.to(ScalarType.Float32), dim: 1);
        var logits = x.matmul(c.t()) * logitScale;
        var own = logits.diagonal();
        var meanOverCaptions = logits.logsumexp(1) - Math.Log(images.shape[0]);
        return (own - meanOverCaptions).MoveToOuterDisposeScope();
    }
}
