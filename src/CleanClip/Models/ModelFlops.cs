namespace CleanClip.Models;

/// <summary>
/// Floating-point operations of a model's forward pass, counted from its config: 2 per multiply-add of every
/// convolution, linear layer and attention product (QKᵀ and AV); norms, activations and pooling are left out, as is
/// usual (they are a few percent and memory-bound). A training step costs about 3× the forward pass (backward computes
/// gradients for both the inputs and the weights of each product).
/// </summary>
public static class ModelFlops
{
    public const double BackwardFactor = 3;

    /// <summary>Forward FLOPs of the image tower for one image.</summary>
    public static double ImageForward(ClipConfig config) => config.IsVit ? VitImage(config) : ResNetImage(config);

    /// <summary>Forward FLOPs of the text tower for one caption run over <paramref name="positions"/> token positions.</summary>
    public static double TextForward(ClipConfig config, int positions) =>
        config.TextLayers * TransformerLayer(config.TextWidth, positions, queries: positions) + Linear(config.TextWidth, config.EmbedDim);

    /// <summary>FLOPs of one CleanCLIP step: forward and backward of <paramref name="images"/> images and captions.</summary>
    public static double TrainingStep(ClipConfig config, int images, double meanTextPositions) =>
        BackwardFactor * images * (ImageForward(config) + TextForward(config, (int)Math.Round(meanTextPositions)));

    private static double Conv(int inChannels, int outChannels, int kernel, int outSize) =>
        2.0 * inChannels * outChannels * kernel * kernel * outSize * outSize;

    private static double Linear(int inFeatures, int outFeatures, int tokens = 1) => 2.0 * inFeatures * outFeatures * tokens;

    /// <summary>One pre-norm block: QKV and output projections, QKᵀ and AV for <paramref name="queries"/> queries, 4× MLP.</summary>
    private static double TransformerLayer(int width, int tokens, int queries) =>
        Linear(width, 3 * width, tokens) + 2 * 2.0 * queries * tokens * width + Linear(width, width, tokens) + 2 * Linear(width, 4 * width, tokens);

    private static double ResNetImage(ClipConfig c)
    {
        int size = c.ImageResolution / 2, width = c.VisionWidth;
        double flops = Conv(3, width / 2, 3, size) + Conv(width / 2, width / 2, 3, size) + Conv(width / 2, width, 3, size);
        size /= 2;                                                      // stem average pool
        int inplanes = width;
        for (int stage = 0; stage < c.VisionLayers.Length; stage++)
        {
            int planes = width << stage, outplanes = planes * 4;
            for (int block = 0; block < c.VisionLayers[stage]; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1, outSize = size / stride;
                flops += Conv(inplanes, planes, 1, size) + Conv(planes, planes, 3, size) + Conv(planes, outplanes, 1, outSize);
                if (stride > 1 || inplanes != outplanes) flops += Conv(inplanes, outplanes, 1, outSize);
                (inplanes, size) = (outplanes, outSize);
            }
        }
        int tokens = size * size + 1, embed = width * 32;
        // Attention pooling: keys and values for every token, one query (the mean token), one output projection.
        return flops + 2 * Linear(embed, embed, tokens) + Linear(embed, embed) + 2 * 2.0 * tokens * embed + Linear(embed, c.EmbedDim);
    }

    private static double VitImage(ClipConfig c)
    {
        int patch = c.VisionPatchSize!.Value, grid = c.ImageResolution / patch, tokens = grid * grid + 1;
        return Conv(3, c.VisionWidth, patch, grid) + c.VisionLayers[0] * TransformerLayer(c.VisionWidth, tokens, tokens)
            + Linear(c.VisionWidth, c.EmbedDim);
    }
}
