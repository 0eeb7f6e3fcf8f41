using CleanClip.Poisoning;

namespace CleanClip.Evaluation;

/// <summary>Settings of retrieval evaluation on an image–caption table.</summary>
public sealed record RetrievalOptions
{
    /// <summary>The k of recall@k.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [1, 5, 10];
    /// <summary>How many retrieved images the retrieval ASR looks at per target-class caption.</summary>
    public int AsrTopK { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    /// <summary>Image i of the table (first-appearance order) is triggered with seed <c>SplitMix64.Derive(Seed, i)</c>.</summary>
    public ulong Seed { get; init; }
    /// <summary>How an image is brought to the model's resolution before the trigger (see <see cref="TriggerInput"/>).</summary>
    public ResizeMode TriggerResize { get; init; } = ResizeMode.Crop;
    public int DecodeThreads { get; init; } = 0;
}
