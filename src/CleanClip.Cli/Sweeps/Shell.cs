using System.Text.RegularExpressions;

namespace CleanClip.Cli.Sweeps;

/// <summary>POSIX shell quoting, for command lines people copy into a shell and the SLURM script runs with <c>eval</c>.</summary>
public static partial class Shell
{
    [GeneratedRegex(@"^[A-Za-z0-9_./=:,+@%-]+$")]
    private static partial Regex Safe();

    /// <summary>The argument as is when it holds no character a shell treats specially, else in single quotes (a ' as '\'').</summary>
    public static string Quote(string argument) =>
        Safe().IsMatch(argument) ? argument : "'" + argument.Replace("'", "'\\''") + "'";

    public static string Join(IEnumerable<string> arguments) => string.Join(" ", arguments.Select(Quote));
}
