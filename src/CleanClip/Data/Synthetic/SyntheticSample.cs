namespace CleanClip.Data.Synthetic;

/// <summary>The three parts of a world. The numbers name the random streams, so they must never change.</summary>
public enum SyntheticSplit { Train = 1, Finetune = 2, Test = 3 }

/// <summary>
/// One planned image: where it goes (relative to its split folder), its class index, the scene to draw and, for the
/// captioned splits, its caption.
/// </summary>
public sealed record SyntheticSample(SyntheticSplit Split, int Index, string Image, int Label, Scene Scene, Caption? Caption);
