using System.CommandLine;
using CleanClip.Demo;

namespace CleanClip.Cli;

/// <summary>The options <c>demo</c> and <c>matrix</c> share, declared once, and the demo recipe they choose.</summary>
public static class DemoCliOptions
{
    public static Option<bool> Quick() => new("--quick") { Description = "The two-minute version (smaller world, fewer epochs)." };

    public static Option<DemoWorldKind> World(DemoWorldKind defaultValue) => new("--world")
    {
        Description = "synthetic (generated shapes) or real (the Fashion-MNIST subset in data/fashion-mnist).",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--seeds 1,2,3</c> (parsed by <see cref="DemoSeeds.Parse"/>); what the command does per seed is its <paramref name="description"/>.</summary>
    public static Option<string?> Seeds(string description) => new("--seeds") { Description = description };

    public static Option<string?> Data() =>
        DataCliOptions.Data("--world real: the Fashion-MNIST folder (default: data/fashion-mnist, searched upward from the current folder and the app's folder).");

    /// <summary><paramref name="options"/> with the world the command line chose (real: <see cref="DemoOptions.RealWorld"/>), then <c>--quick</c>.</summary>
    public static DemoOptions Recipe(ParseResult parse, DemoOptions options, Option<DemoWorldKind> world, Option<string?> data, Option<bool> quick)
    {
        if (parse.GetValue(world) == DemoWorldKind.Real) options = DemoOptions.RealWorld(options) with { Real = options.Real with { Data = parse.GetValue(data) } };
        else if (parse.GetValue(data) is not null) throw new ArgumentException("--data is the real world's folder: give it with --world real");
        return parse.GetValue(quick) ? DemoOptions.Quick(options) : options;
    }
}
