using static TorchSharp.torch;

namespace CleanClip.Training.Losses;

/// <summary>The CleanCLIP objective λ1·ClipLoss + λ2·InModalLoss; λ2 = 0 is MMCL-only finetuning, λ1 = 0 SSL-only.</summary>
public sealed record CleanClipObjective(double ClipWeight = 1, double InModalWeight = 1, bool SymmetricInModal = false)
{
    /// <summary>The loss terms of one step; <see cref="Total"/> is the one to backpropagate.</summary>
    public sealed record Terms(Tensor Total, Tensor Clip, Tensor? InModal);

    /// <summary>
    /// Embeddings of one forward pass over [originals; augmented] (so BatchNorm statistics span both views, as in the
    /// reference): the first half of each is the originals. Without in-modal views pass the originals only.
    /// </summary>
    public Terms Compute(Tensor images, Tensor texts, Tensor logitScale, bool withAugmentedViews)
    {
        if (!withAugmentedViews)
        {
            var clipOnly = ClipLoss.Compute(images, texts, logitScale);
            return new Terms(clipOnly * ClipWeight, clipOnly, null);
        }
        long half = images.shape[0] / 2;
        if (images.shape[0] != 2 * half || texts.shape[0] != images.shape[0])
            throw new ArgumentException($"expected [originals; augmented] halves, got {images.shape[0]} images and {texts.shape[0]} texts");
        var (image, augmentedImage) = (images.narrow(0, 0, half), images.narrow(0, half, half));
        var (text, augmentedText) = (texts.narrow(0, 0, half), texts.narrow(0, half, half));
        var clip = ClipLoss.Compute(image, text, logitScale);
        var inModal = InModalLoss.Compute(image, augmentedImage, text, augmentedText, logitScale, SymmetricInModal);
        return new Terms(clip * ClipWeight + inModal * InModalWeight, clip, inModal);
    }
}
