namespace CleanClip.Poisoning;

/// <summary>Names → triggers. Names are case-insensitive; the reference's <c>patch_type</c> names are accepted too.</summary>
public static class TriggerFactory
{
    /// <summary>Every trigger, in contact-sheet order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "badnet", "badnet-fixed", "yellow", "blended", "blended-fixed", "sig", "wanet",
        "badnet-stripes", "blended-stripes", "blended-triangles", "watermark",
    ];

    /// <summary>Triggers read from a file (<see cref="TriggerOptions.TriggerFile"/>), so not in <see cref="Names"/>.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["optimized"];

    // The reference's --patch_type values that differ from ours.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["random"] = "badnet",
        ["warped"] = "wanet",
    };

    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones) or an out-of-range option.</exception>
    /// <exception cref="FileNotFoundException">WaNet with a <see cref="TriggerOptions.WanetField"/> that does not exist.</exception>
    /// <exception cref="InvalidDataException">WaNet with a malformed field file, or an optimized trigger's malformed patch file.</exception>
    public static ITrigger Create(TriggerOptions options)
    {
        var name = options.Name.Trim();
        name = Aliases.GetValueOrDefault(name, name).ToLowerInvariant();
        var o = options;
        return name switch
        {
            "badnet" => new BadNetTrigger(o.PatchSize, o.Location, o.NoiseOverflow),
            "badnet-fixed" => new BadNetTrigger(o.PatchSize, o.Location, o.NoiseOverflow, o.Seed),
            "yellow" => new YellowSquareTrigger(o.PatchSize, o.Location),
            "blended" => new BlendedTrigger(o.BlendAlpha),
            "blended-fixed" => new BlendedTrigger(o.BlendAlpha, o.Seed),
            "sig" => new SigTrigger(o.BlendAlpha, o.SigAmplitude, o.SigPeriods),
            "wanet" => new WaNetTrigger(
                o.WanetField is { } path ? WarpField.Load(path, o.WanetFieldSize) : WarpField.Generate(o.WanetGridSize, o.WanetFieldSize, o.Seed),
                o.WanetStrength, o.WanetGridRescale),
            "badnet-stripes" => new StripesPatchTrigger(o.PatchSize, o.Location, o.StripeWidth),
            "blended-stripes" => new BlendedStripesTrigger(o.BlendAlpha, o.StripeWidth),
            "blended-triangles" => new BlendedTrianglesTrigger(o.BlendAlpha, o.TriangleCell),
            "watermark" => new WatermarkTrigger(o.WatermarkText, o.WatermarkAlpha, o.WatermarkHeight),
            "optimized" => Optimized.OptimizedPatchTrigger.FromFile(o.TriggerFile
                ?? throw new ArgumentException("trigger 'optimized' needs --trigger-file (a patch made by cleanclip trigger optimize)")),
            _ => throw new ArgumentException($"unknown trigger '{options.Name}'; known triggers: {string.Join(", ", Names.Concat(FileNames))}"),
        };
    }

    /// <summary>One trigger of every name, all with the other settings of <paramref name="options"/>.</summary>
    public static IReadOnlyList<ITrigger> CreateAll(TriggerOptions options) =>
        Names.Select(name => Create(options with { Name = name })).ToList();
}
