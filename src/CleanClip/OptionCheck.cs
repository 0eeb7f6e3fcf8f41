using System.Globalization;

namespace CleanClip;

/// <summary>
/// Range checks for numeric options, each failing with one line that names the option as the CLI spells it and what
/// was expected ("--beta1 must be in [0, 1), got 2"). NaN fails every check, infinities every bounded one.
/// </summary>
public static class OptionCheck
{
    /// <summary>A finite number ≥ <paramref name="min"/> (or &gt; it when <paramref name="exclusive"/>).</summary>
    public static void AtLeast(double value, double min, string option, bool exclusive = false)
    {
        bool ok = double.IsFinite(value) && (exclusive ? value > min : value >= min);
        if (!ok) throw Fail(option, exclusive ? $"be a finite number above {Show(min)}" : $"be a finite number of at least {Show(min)}", value);
    }

    /// <summary>
    /// A number in [<paramref name="min"/>, <paramref name="max"/>], with either end left out when
    /// <paramref name="minExclusive"/> or <paramref name="maxExclusive"/>.
    /// </summary>
    public static void InRange(double value, double min, double max, string option, bool maxExclusive = false, bool minExclusive = false)
    {
        bool ok = (minExclusive ? value > min : value >= min) && (maxExclusive ? value < max : value <= max);
        if (!ok) throw Fail(option, $"be in {(minExclusive ? "(" : "[")}{Show(min)}, {Show(max)}{(maxExclusive ? ")" : "]")}", value);
    }

    public static void AtLeast(long value, long min, string option)
    {
        if (value < min) throw Fail(option, $"be at least {min}", value);
    }

    private static ArgumentException Fail(string option, string expected, double value) =>
        new($"{option} must {expected}, got {Show(value)}");

    private static string Show(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
