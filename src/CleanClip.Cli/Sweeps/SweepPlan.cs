using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CleanClip.Cli.Sweeps;

/// <summary>
/// One point of a sweep: an ordinary cleanclip command line whose <c>--out</c> is the point's own run folder.
/// </summary>
/// <param name="Index">Position in the cartesian product (the first varied option varies slowest); the SLURM array index.</param>
/// <param name="Name">Derived from the varied values alone, so the same grid always gives the same folders.</param>
/// <param name="Values">Each varied option and the text of its value at this point.</param>
/// <param name="Folder">Absolute: <c>DIR/points/NAME</c>.</param>
/// <param name="Arguments">The cleanclip arguments of a fresh run (subcommand first, <c>--out Folder</c> last).</param>
public sealed record SweepPoint(int Index, string Name, IReadOnlyList<KeyValuePair<string, string>> Values, string Folder, IReadOnlyList<string> Arguments)
{
    /// <summary>The arguments that continue the point's run from its checkpoints: the same command with <c>--resume Folder</c>.</summary>
    public IReadOnlyList<string> ResumeArguments => [.. Arguments, "--resume", Folder];
}

/// <summary>
/// Turns a grid into its points and checks them against the CLI's real command definitions, so a mistyped option or
/// a value the command cannot parse is one error line before anything runs or is written.
/// </summary>
public static partial class SweepPlan
{
    /// <summary>
    /// The subcommands a sweep can run: each writes a run folder (<c>--out</c>) that holds
    /// <see cref="Training.RunCompletion"/>'s marker once its run has completed. The training commands continue an
    /// unfinished folder with <c>--resume</c>; the demo starts an unfinished one again, and the matrix keeps its finished cells.
    /// </summary>
    public static readonly IReadOnlyList<string> Sweepable = ["train", "clean", "finetune-supervised", "demo", "matrix"];

    /// <summary>Options the sweep gives each point itself.</summary>
    private static readonly string[] Reserved = ["--out", "--resume"];

    /// <summary>A bound that catches a runaway product (a list pasted into the wrong key) before any point is built.</summary>
    public const int MaxPoints = 100_000;

    /// <exception cref="ArgumentException">A key, option or value the command does not accept; the message names it.</exception>
    public static IReadOnlyList<SweepPoint> Build(SweepGrid grid, Command root, string sweepFolder)
    {
        var source = grid.File;
        var name = grid.Command[0];
        var command = root.Subcommands.FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name))
            ?? throw new ArgumentException($"{source}: 'command' starts with '{name}', which is not a cleanclip command (a sweep runs {string.Join(", ", Sweepable)})");
        if (!Sweepable.Contains(command.Name))
            throw new ArgumentException($"{source}: a sweep runs {string.Join(", ", Sweepable)} (commands whose run folder holds a completion marker); '{command.Name}' is not one");
        foreach (var reserved in Reserved)
        {
            if (grid.Command.Skip(1).Any(a => Names(a, reserved)))
                throw new ArgumentException($"{source}: 'command' gives {reserved}; the sweep sets it for each point (DIR/points/NAME), so leave it out");
            if (grid.Vary.Any(a => a.Option == reserved))
                throw new ArgumentException($"{source}: 'vary' names {reserved}; the sweep sets it for each point (DIR/points/NAME)");
        }
        foreach (var axis in grid.Vary)
        {
            var option = command.Options.FirstOrDefault(o => o.Name == axis.Option || o.Aliases.Contains(axis.Option))
                ?? throw new ArgumentException($"{source}: 'vary' names {axis.Option}, which '{command.Name}' does not have (see cleanclip {command.Name} --help)");
            if (grid.Command.Skip(1).Any(a => Names(a, option.Name) || option.Aliases.Any(alias => Names(a, alias))))
                throw new ArgumentException($"{source}: {axis.Option} is both in 'command' and in 'vary'; give it in one place");
        }
        if (grid.PointCount > MaxPoints)
            throw new ArgumentException($"{source}: the grid has {grid.PointCount:N0} points; a sweep takes at most {MaxPoints:N0}");

        var components = grid.Vary.Select(NameComponents).ToList();
        var points = new List<SweepPoint>();
        var choice = new int[grid.Vary.Count];
        var pointsFolder = Path.Combine(Path.GetFullPath(sweepFolder), "points");
        for (int index = 0; index < grid.PointCount; index++)
        {
            // choice[k] is the k-th option's value index; the last option varies fastest.
            for (int k = grid.Vary.Count - 1, rest = index; k >= 0; k--)
            {
                choice[k] = rest % grid.Vary[k].Values.Count;
                rest /= grid.Vary[k].Values.Count;
            }
            var pointName = Shorten(string.Join("_", components.Select((c, k) => c[choice[k]])));
            var folder = Path.Combine(pointsFolder, pointName);
            var arguments = new List<string>(grid.Command);
            for (int k = 0; k < grid.Vary.Count; k++)
            {
                var value = grid.Vary[k].Values[choice[k]];
                if (value.Omitted) continue;
                arguments.Add(grid.Vary[k].Option);
                arguments.AddRange(value.Tokens);
            }
            arguments.Add("--out");
            arguments.Add(folder);
            var values = grid.Vary.Select((axis, k) => KeyValuePair.Create(axis.Option, axis.Values[choice[k]].Text)).ToList();
            points.Add(new SweepPoint(index, pointName, values, folder, arguments));
        }
        foreach (var point in points) CheckParses(root, point, source);
        return points;
    }

    /// <summary>Parses a point's command line with the real command tree; its first error is the message.</summary>
    private static void CheckParses(Command root, SweepPoint point, string source)
    {
        var parse = root.Parse(point.Arguments.ToArray());
        if (parse.Errors.Count > 0)
            throw new ArgumentException($"{source}: point {point.Name}: {string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')))}");
    }

    /// <summary>Whether a command-line token gives <paramref name="option"/> (alone, or as --opt=value / --opt:value).</summary>
    private static bool Names(string token, string option) =>
        token == option || token.StartsWith(option + "=", StringComparison.Ordinal) || token.StartsWith(option + ":", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9.,+-]{1,40}$")]
    private static partial Regex PlainValue();

    [GeneratedRegex(@"[^A-Za-z0-9.,+-]+")]
    private static partial Regex NotPlain();

    /// <summary>
    /// Each value's part of the point names, <c>lr=5e-4</c>: the value as written when it is short and made of
    /// letters, digits and <c>. , + -</c>; otherwise a cleaned prefix and a hash of the exact value. Parts never hold
    /// <c>_</c> or <c>=</c> (apart from the one after the key), so distinct values of each option give distinct names.
    /// </summary>
    private static string[] NameComponents(GridAxis axis)
    {
        var key = axis.Option.TrimStart('-');
        string Hashed(string text)
        {
            var cleaned = NotPlain().Replace(text, "-").Trim('-');
            return $"{(cleaned.Length > 32 ? cleaned[..32] : cleaned)}-{Hash(text)}".TrimStart('-');
        }
        var parts = axis.Values.Select(v => PlainValue().IsMatch(v.Text) ? v.Text : Hashed(v.Text)).ToArray();
        // Null reads "none", as does the string "none": such a clash, like any other, falls back to the hashed form.
        for (int i = 0; i < parts.Length; i++)
            if (parts.Count(p => p == parts[i]) > 1)
                parts[i] = Hashed((axis.Values[i].Omitted ? "\0null" : "") + string.Join("\0", axis.Values[i].Tokens));
        return parts.Select(p => $"{key}={p}").ToArray();
    }

    /// <summary>Keeps folder names well inside file-system limits: a long name is cut and made unique with a hash of the whole.</summary>
    private static string Shorten(string name) => name.Length <= 120 ? name : $"{name[..100]}-{Hash(name)}";

    private static string Hash(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8].ToLowerInvariant();
}
