namespace CleanClip.Models;

/// <summary>
/// The activation between the two linear layers of every transformer block's MLP. OpenAI's CLIP models use
/// <see cref="QuickGelu"/> (x·σ(1.702x)); OpenCLIP's configs without "-quickgelu" (ViT-B-32, RN50, ...) use exact
/// <see cref="Gelu"/> (x·Φ(x), PyTorch's nn.GELU). The two give different features from the same weights.
/// </summary>
public enum MlpActivation
{
    QuickGelu,
    Gelu,
}
