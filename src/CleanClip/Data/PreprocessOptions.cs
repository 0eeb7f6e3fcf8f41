namespace CleanClip.Data;

/// <summary>CLIP's image transform settings (OpenAI CLIP <c>Processor</c>: Resize, CenterCrop, ToTensor, Normalize).</summary>
public sealed record PreprocessOptions
{
    /// <summary>Side of the square model input: 224 for RN50, RN101, ViT-B/32; 288 for RN50x4.</summary>
    public int Resolution { get; init; } = 224;

    public (double R, double G, double B) Mean { get; init; } = (0.48145466, 0.4578275, 0.40821073);

    public (double R, double G, double B) Std { get; init; } = (0.26862954, 0.26130258, 0.27577711);
}
