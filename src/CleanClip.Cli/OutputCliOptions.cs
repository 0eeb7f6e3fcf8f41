using System.CommandLine;

namespace CleanClip.Cli;

/// <summary>Where a command writes: <c>--out</c>, <c>--overwrite</c> and <c>--json</c>, declared once for every command.</summary>
public static class OutputCliOptions
{
    /// <summary>
    /// <c>--out</c>: a file for some commands, a folder or run folder for others, as <paramref name="description"/> says.
    /// Required, or defaulting to <paramref name="defaultValue"/>, or (neither) null when not given.
    /// </summary>
    public static Option<string?> Out(string description, string? defaultValue = null, bool required = false) => new(OptionNames.Out)
    {
        Description = description,
        DefaultValueFactory = CliOptions.DefaultOf(defaultValue),
        Required = required,
    };

    /// <summary><c>--overwrite</c>: replace <paramref name="what"/> (e.g. "an existing world in the output folder") instead of refusing.</summary>
    public static Option<bool> Overwrite(string what) => new(OptionNames.Overwrite) { Description = $"Replace {what}." };

    /// <summary>
    /// <c>--json</c>: JSON output, a switch (bool: print JSON instead of a table) or a file to write (string), as
    /// <paramref name="description"/> says.
    /// </summary>
    public static Option<T> Json<T>(string description) => new("--json") { Description = description };
}
