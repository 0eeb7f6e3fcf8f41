using System.Globalization;
using System.Text.RegularExpressions;

namespace CleanClip;

/// <summary>
/// A <c>cleanclip</c> command line as a user would type it: the subcommand, then options named by
/// <see cref="OptionNames"/> with their values in the invariant culture (so 1e-3 never prints as "0,001"), each word
/// quoted for a POSIX shell when it holds anything but plain characters.
/// </summary>
public sealed partial class CommandLine
{
    private readonly List<string> words;

    public CommandLine(string command, params string[] arguments) => words = ["cleanclip", command, .. arguments];

    /// <summary>The words after <c>cleanclip</c>, as the command-line parser receives them.</summary>
    public IReadOnlyList<string> Arguments => words.Skip(1).ToList();

    /// <summary>Adds <paramref name="option"/> with <paramref name="value"/>; a null value adds nothing.</summary>
    public CommandLine With(string option, object? value)
    {
        if (value is null) return this;
        words.Add(option);
        words.Add(Text(value));
        return this;
    }

    /// <summary>Adds <paramref name="option"/> with <paramref name="value"/> when <paramref name="condition"/> holds.</summary>
    public CommandLine WithIf(bool condition, string option, object? value) => condition ? With(option, value) : this;

    /// <summary>Adds <paramref name="option"/> once per value (an option that takes several, like eval's <c>--checkpoint</c>).</summary>
    public CommandLine WithEach(string option, IEnumerable<object> values)
    {
        foreach (var value in values) With(option, value);
        return this;
    }

    /// <summary>Adds the switch <paramref name="option"/> when <paramref name="given"/>.</summary>
    public CommandLine Flag(string option, bool given = true)
    {
        if (given) words.Add(option);
        return this;
    }

    /// <summary>Adds positional arguments.</summary>
    public CommandLine Then(params string[] arguments)
    {
        words.AddRange(arguments);
        return this;
    }

    public override string ToString() => Join(words);

    private static string Text(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex(@"^[A-Za-z0-9_./:=,@%+-]+$")]
    private static partial Regex Plain();

    /// <summary>The word as a POSIX shell reads it back: as it is when plain, else in single quotes (a ' as '\'').</summary>
    public static string Quote(string word) => word.Length > 0 && Plain().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>
    /// Words as one line a POSIX shell splits back into them: for command lines people copy into a shell, and those the
    /// SLURM job script runs with <c>eval</c>.
    /// </summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
