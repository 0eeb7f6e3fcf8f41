using System.CommandLine;
using CleanClip.Poisoning;

namespace CleanClip.Cli;

/// <summary>
/// The trigger settings as options, spelled as <c>cleanclip poison</c> spells them, and the <see cref="TriggerOptions"/>
/// they make: so a trigger used to poison can be named the same way to evaluate.
/// </summary>
public sealed class TriggerCliOptions
{
    private readonly TriggerOptions d;
    public Option<string> Name { get; }
    public Option<int> PatchSize { get; }
    public Option<PatchLocation> Location { get; }
    public Option<NoiseOverflow> Overflow { get; }
    public Option<double> Alpha { get; }
    public Option<string?> WanetField { get; }
    public Option<string?> TriggerFile { get; }
    /// <summary><c>--trigger-seed</c>; null for a command whose own seed is the trigger seed (<c>cleanclip poison</c>).</summary>
    public Option<ulong?>? Seed { get; }

    /// <param name="seedOption">Whether to offer <c>--trigger-seed</c>; without it <see cref="Read"/> always takes the fallback seed.</param>
    public TriggerCliOptions(TriggerOptions defaults, bool seedOption = true)
    {
        d = defaults;
        Name = new Option<string>(OptionNames.Trigger) { Description = string.Join(", ", TriggerFactory.Names.Concat(TriggerFactory.FileNames)), DefaultValueFactory = _ => d.Name };
        PatchSize = BackdoorCliOptions.PatchSize(d.PatchSize, "badnet, badnet-fixed, yellow, badnet-stripes");
        Location = new Option<PatchLocation>("--location")
        {
            Description = "Patch triggers: Random (one patch, placed anew per image) or FourCorners (the same patch in all four corners).",
            DefaultValueFactory = _ => d.Location,
        };
        Overflow = new Option<NoiseOverflow>("--noise-overflow") { Description = "BadNet: Clamp, or Wrap like the reference.", DefaultValueFactory = _ => d.NoiseOverflow };
        Alpha = new Option<double>("--blend-alpha") { Description = "Blended/SIG/stripes/triangles: weight of the pattern.", DefaultValueFactory = _ => d.BlendAlpha };
        WanetField = BackdoorCliOptions.WanetField("the trigger seed");
        TriggerFile = BackdoorCliOptions.TriggerFile("for --trigger optimized");
        if (seedOption) Seed = new Option<ulong?>(OptionNames.TriggerSeed) { Description = "Seed of fixed patterns (badnet-fixed, blended-fixed) and generated WaNet fields; use the poisoning run's --seed (default: --seed)." };
    }

    public IEnumerable<Option> All => Seed is null
        ? [Name, PatchSize, Location, Overflow, Alpha, WanetField, TriggerFile]
        : [Name, PatchSize, Location, Overflow, Alpha, WanetField, TriggerFile, Seed];

    /// <param name="fallbackSeed">The trigger seed when <c>--trigger-seed</c> is not given (or not offered).</param>
    /// <param name="defaults">The values of the options not given (the preset's); null: the constructor's.</param>
    public TriggerOptions Read(ParseResult parse, ulong fallbackSeed, TriggerOptions? defaults = null)
    {
        var b = defaults ?? d;
        T Or<T>(Option<T> option, T fallback) => CliOptions.Or(parse, option, fallback);
        return b with
        {
            Name = Or(Name, b.Name), PatchSize = Or(PatchSize, b.PatchSize), Location = Or(Location, b.Location),
            NoiseOverflow = Or(Overflow, b.NoiseOverflow), BlendAlpha = Or(Alpha, b.BlendAlpha), WanetField = Or(WanetField, b.WanetField),
            TriggerFile = Or(TriggerFile, b.TriggerFile),
            Seed = (Seed is null ? null : parse.GetValue(Seed)) ?? fallbackSeed,
        };
    }
}
