using System.Text.Json.Serialization;

namespace CleanClip.Poisoning;

/// <summary>
/// A trigger's defining values for a manifest. Serialise through this base type
/// (<c>JsonSerializer.Serialize&lt;TriggerParameters&gt;(p)</c>) so the <c>kind</c> field says which record follows.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(BadNetParameters), "badnet")]
[JsonDerivedType(typeof(YellowSquareParameters), "yellow")]
[JsonDerivedType(typeof(BlendedParameters), "blended")]
[JsonDerivedType(typeof(SigParameters), "sig")]
[JsonDerivedType(typeof(WaNetParameters), "wanet")]
[JsonDerivedType(typeof(StripesPatchParameters), "badnet-stripes")]
[JsonDerivedType(typeof(BlendedStripesParameters), "blended-stripes")]
[JsonDerivedType(typeof(BlendedTrianglesParameters), "blended-triangles")]
[JsonDerivedType(typeof(WatermarkParameters), "watermark")]
[JsonDerivedType(typeof(OptimizedParameters), "optimized")]
public abstract record TriggerParameters;

/// <param name="PatternSeed">Seed of the one patch when <paramref name="FixedPattern"/>; null when drawn per image.</param>
public sealed record BadNetParameters(int PatchSize, PatchLocation Location, NoiseOverflow NoiseOverflow, bool FixedPattern, ulong? PatternSeed)
    : TriggerParameters;

public sealed record YellowSquareParameters(int PatchSize, PatchLocation Location) : TriggerParameters;

/// <param name="PatternSeed">Seed of the one noise image when <paramref name="FixedPattern"/>; null when drawn per image.</param>
public sealed record BlendedParameters(double Alpha, bool FixedPattern, ulong? PatternSeed) : TriggerParameters;

public sealed record SigParameters(double Alpha, double Amplitude, double Periods) : TriggerParameters;

/// <param name="FieldSource">The .f32 file, or <c>generated</c> (then <paramref name="GridSize"/> and <paramref name="PatternSeed"/> say how).</param>
/// <param name="FieldSha256">SHA-256 of the field as little-endian float32 NHWC bytes: the trigger's identity.</param>
public sealed record WaNetParameters(string FieldSource, string FieldSha256, int FieldSize, int? GridSize, ulong? PatternSeed,
    double Strength, double GridRescale) : TriggerParameters;

public sealed record StripesPatchParameters(int PatchSize, PatchLocation Location, int StripeWidth) : TriggerParameters;

public sealed record BlendedStripesParameters(double Alpha, int StripeWidth) : TriggerParameters;

public sealed record BlendedTrianglesParameters(double Alpha, int Cell) : TriggerParameters;

public sealed record WatermarkParameters(string Text, double Alpha, double Height) : TriggerParameters;

/// <param name="File">The patch file the trigger was read from.</param>
/// <param name="FileSha256">SHA-256 of that file's bytes: the trigger's identity.</param>
public sealed record OptimizedParameters(string File, string FileSha256, int PatchSize) : TriggerParameters;
