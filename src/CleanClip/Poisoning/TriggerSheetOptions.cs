namespace CleanClip.Poisoning;

/// <summary>What <see cref="TriggerSheet.Write"/> draws: rows of images, a clean column and one column per trigger.</summary>
public sealed record TriggerSheetOptions
{
    /// <summary>The PNG to write (atomically).</summary>
    public required string Output { get; init; }

    /// <summary>A folder of images (or a CSV/TSV with an image column); null draws <see cref="SampleImages"/>.</summary>
    public string? Images { get; init; }

    /// <summary>At most this many rows: the first readable images in sorted order.</summary>
    public int MaxImages { get; init; } = 3;

    /// <summary>The side of every cell and the resolution the triggers run at.</summary>
    public int Size { get; init; } = 224;

    /// <summary>Row r uses image seed <c>SplitMix64.Derive(Seed, r)</c>.</summary>
    public ulong Seed { get; init; } = 1;

    public ResizeMode ResizeMode { get; init; } = ResizeMode.Crop;

    /// <summary>Settings shared by every column's trigger (the name is set per column).</summary>
    public TriggerOptions Triggers { get; init; } = new();
}
