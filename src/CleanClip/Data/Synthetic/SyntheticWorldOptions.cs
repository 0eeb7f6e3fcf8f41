namespace CleanClip.Data.Synthetic;

/// <summary>Options of <c>cleanclip synth</c>; the CLI takes its defaults from here.</summary>
public sealed record SyntheticWorldOptions
{
    /// <summary>Captioned training pairs (the set an attacker poisons).</summary>
    public int Count { get; init; } = 20_000;
    /// <summary>Clean captioned pairs for CleanCLIP finetuning, drawn from a different stream than the training pairs.</summary>
    public int FinetuneCount { get; init; } = 5_000;
    /// <summary>Labeled test images, balanced over the kinds (counts differ by at most one).</summary>
    public int TestCount { get; init; } = 1_000;
    /// <summary>Side of the square images in pixels.</summary>
    public int ImageSize { get; init; } = 64;
    public long Seed { get; init; } = 1;
    /// <summary>Object kinds, in class-index order; names from <see cref="ShapeCatalog"/>.</summary>
    public IReadOnlyList<string> Kinds { get; init; } = ShapeCatalog.DefaultKinds;
    /// <summary>Object size classes drawn from (uniformly); fewer, larger ones make an easier world to learn.</summary>
    public IReadOnlyList<SizeClass> Sizes { get; init; } = [SizeClass.Small, SizeClass.Medium, SizeClass.Large];
    /// <summary>Chance that an image gets distractors (1 to <see cref="MaxClutter"/> dots or strokes).</summary>
    public double ClutterProbability { get; init; } = 0.5;
    public int MaxClutter { get; init; } = 3;
    /// <summary>Chance that a caption uses a kind-centred template ("a photo of a banana.") rather than an
    /// attribute-rich one ("a small red circle on a blue background").</summary>
    public double KindCentredProbability { get; init; } = 0.4;
    /// <summary>Standard deviation of the per-channel pixel noise, in 8-bit levels (6 = 6/255).</summary>
    public double NoiseSigma { get; init; } = 6;
    /// <summary>Shapes are drawn at this many times the image size without anti-aliasing, then box-averaged.</summary>
    public int Supersampling { get; init; } = 4;
    /// <summary>Worker threads; 0 means one per core. The output does not depend on it.</summary>
    public int Threads { get; init; } = 0;
    /// <summary>Replace an existing world in the output folder.</summary>
    public bool Overwrite { get; init; }

    /// <exception cref="ArgumentException">An option is out of range or names an unknown kind.</exception>
    public void Validate()
    {
        if (Count < 0 || FinetuneCount < 0 || TestCount < 0)
            throw new ArgumentException($"counts must not be negative (train {Count}, finetune {FinetuneCount}, test {TestCount})");
        if (ImageSize is < 16 or > 1024)
            throw new ArgumentException($"image size must be in 16..1024, got {ImageSize}");
        if (Supersampling is < 1 or > 8)
            throw new ArgumentException($"supersampling must be in 1..8, got {Supersampling}");
        if (Kinds.Count < 2)
            throw new ArgumentException($"a world needs at least two kinds, got {Kinds.Count}");
        if (Kinds.Distinct().Count() != Kinds.Count)
            throw new ArgumentException($"kinds repeat: {string.Join(", ", Kinds)}");
        foreach (var kind in Kinds) ShapeCatalog.Get(kind);
        if (Sizes.Count == 0 || Sizes.Distinct().Count() != Sizes.Count)
            throw new ArgumentException($"sizes must be distinct and not empty, got [{string.Join(", ", Sizes)}]");
        if (ClutterProbability is < 0 or > 1 || KindCentredProbability is < 0 or > 1)
            throw new ArgumentException("probabilities must be in [0, 1]");
        if (MaxClutter < 1) throw new ArgumentException($"max clutter must be at least 1, got {MaxClutter}");
        if (NoiseSigma is < 0 or > 64) throw new ArgumentException($"noise sigma must be in 0..64 levels, got {NoiseSigma}");
        if (Threads < 0) throw new ArgumentException($"threads must not be negative, got {Threads}");
    }
}
