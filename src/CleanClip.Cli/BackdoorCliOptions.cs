using System.CommandLine;

namespace CleanClip.Cli;

/// <summary>
/// The backdoor settings several commands name outside <see cref="TriggerCliOptions"/>: <c>--target</c>,
/// <c>--patch-size</c>, <c>--wanet-field</c> and <c>--trigger-file</c>, declared once (<see cref="TriggerCliOptions"/>
/// builds on them).
/// </summary>
public static class BackdoorCliOptions
{
    /// <summary><c>--target</c>: <paramref name="how"/> says how the command names or uses the class; a null <paramref name="defaultValue"/> leaves it without one.</summary>
    public static Option<string?> Target(string? defaultValue, string how) => new(OptionNames.Target)
    {
        Description = $"Target class of the backdoor: {how}",
        DefaultValueFactory = CliOptions.DefaultOf(defaultValue),
    };

    /// <summary><c>--patch-size</c>: <paramref name="which"/> says which patches it sizes.</summary>
    public static Option<int> PatchSize(int defaultValue, string which) => new(OptionNames.PatchSize)
    {
        Description = $"Side of the square patch in pixels of the image the trigger sees: {which}.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--wanet-field</c>: a warp field file; without one the field is generated from <paramref name="seed"/>.</summary>
    public static Option<string?> WanetField(string seed) => new("--wanet-field")
    {
        Description = $"WaNet warp field, a raw float32 NHWC [1,224,224,2] file; default: generated from {seed}.",
    };

    /// <summary><c>--trigger-file</c>: the optimized patch; <paramref name="when"/> says where the command needs it.</summary>
    public static Option<string?> TriggerFile(string when) => new("--trigger-file")
    {
        Description = $"The optimized patch (.npy or .png) from cleanclip trigger optimize, {when}.",
    };
}
