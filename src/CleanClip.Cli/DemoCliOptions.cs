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

    /// <summary><c>--filter-fractions 0.2,0.05</c>: one share per scan-filter-retrain round (<see cref="DemoOptions.FilterFractions"/>).</summary>
    public static Option<string?> FilterFractions(IReadOnlyList<double> defaultValue) => new("--filter-fractions")
    {
        Description = "Scan, filter and retrain in rounds, one share per round (e.g. 0.2,0.05): each round drops that share of its table, " +
            $"the first scanning the poisoned pairs with the poisoned model, each later one the previous round's table with its retrained model (default {string.Join(",", defaultValue.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)))}).",
    };

    /// <summary>The shares of <c>--filter-fractions</c>, or <paramref name="fallback"/> when it was not given.</summary>
    public static IReadOnlyList<double> ParseFilterFractions(string? text, IReadOnlyList<double> fallback)
    {
        if (text is null) return fallback;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shares = new List<double>();
        foreach (var part in parts)
            shares.Add(double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var f) && f > 0 && f < 1
                ? f
                : throw new ArgumentException($"--filter-fractions '{text}': '{part}' is not a share between 0 and 1 (expected e.g. 0.1 or 0.2,0.05)"));
        return shares;
    }

    /// <summary><paramref name="options"/> with the world the command line chose (real: <see cref="DemoOptions.RealWorld"/>), then <c>--quick</c>.</summary>
    public static DemoOptions Recipe(ParseResult parse, DemoOptions options, Option<DemoWorldKind> world, Option<string?> data, Option<bool> quick)
    {
        if (parse.GetValue(world) == DemoWorldKind.Real) options = DemoOptions.RealWorld(options) with { Real = options.Real with { Data = parse.GetValue(data) } };
        else if (parse.GetValue(data) is not null) throw new ArgumentException("--data is the real world's folder: give it with --world real");
        return parse.GetValue(quick) ? DemoOptions.Quick(options) : options;
    }
}
