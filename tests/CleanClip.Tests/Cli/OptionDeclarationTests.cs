using System.CommandLine;
using System.Text.RegularExpressions;
using CleanClip;
using CleanClip.Cli;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>
/// Every option name of the CLI is declared in one place (a factory the commands call), and every option of the
/// command tree says in its help what it is.
/// </summary>
public partial class OptionDeclarationTests
{
    /// <summary>
    /// <c>new("--name")</c> or <c>new Option&lt;T&gt;("--name")</c>, or the same with <c>OptionNames.Name</c> (the library's
    /// spelling of the options it prints): the declaration of an option.
    /// </summary>
    [GeneratedRegex(@"\bnew\s*(?:Option\s*<[^()]*?>\s*)?\(\s*(?:""(--[a-z0-9][a-z0-9-]*)""|OptionNames\.(\w+))")]
    private static partial Regex Declaration();

    private static string DeclaredName(Match m) => m.Groups[1].Success ? m.Groups[1].Value
        : (string)typeof(OptionNames).GetField(m.Groups[2].Value)!.GetValue(null)!;

    [Fact]
    public void EachOptionNameIsDeclaredOnce()
    {
        var cli = Path.Combine(TestPaths.RepoRoot, "src", "CleanClip.Cli");
        // Sweeps/ writes argument lists for child processes; it declares no option.
        var sweeps = Path.Combine(cli, "Sweeps") + Path.DirectorySeparatorChar;
        var declarations = Directory.EnumerateFiles(cli, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(sweeps, StringComparison.Ordinal) && !IsBuildOutput(cli, file))
            .SelectMany(file => File.ReadLines(file).SelectMany((line, i) => Declaration().Matches(line)
                .Select(m => (Name: DeclaredName(m), Place: $"{Path.GetRelativePath(TestPaths.RepoRoot, file)}:{i + 1}"))))
            .ToList();
        Assert.NotEmpty(declarations);
        var repeated = declarations.GroupBy(d => d.Name).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} is declared {g.Count()} times: {string.Join(", ", g.Select(d => d.Place))}")
            .ToList();
        Assert.True(repeated.Count == 0, "declare each option once, in a factory the commands call:\n" + string.Join("\n", repeated));
    }

    /// <summary>Every name the library prints in a command line is an option the CLI declares under that name.</summary>
    [Fact]
    public void EveryPrintedOptionNameIsDeclared()
    {
        var declared = Commands(CleanClipCli.Create(), CleanClipCli.Name).SelectMany(c => c.Command.Options).Select(o => o.Name).ToHashSet();
        var printed = typeof(OptionNames).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
        Assert.NotEmpty(printed);
        Assert.All(printed, name => Assert.Contains(name, declared));
    }

    [Fact]
    public void EveryOptionHasADescription()
    {
        var blank = Commands(CleanClipCli.Create(), CleanClipCli.Name)
            .SelectMany(c => c.Command.Options.Where(o => string.IsNullOrWhiteSpace(o.Description)).Select(o => $"{c.Path} {o.Name}"))
            .ToList();
        Assert.True(blank.Count == 0, "options without a description:\n" + string.Join("\n", blank));
    }

    private static bool IsBuildOutput(string project, string file) =>
        Path.GetRelativePath(project, file).Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj";

    /// <summary><paramref name="command"/> and all its subcommands, each with its command line from the root.</summary>
    private static IEnumerable<(Command Command, string Path)> Commands(Command command, string path) =>
        command.Subcommands.SelectMany(sub => Commands(sub, $"{path} {sub.Name}")).Prepend((command, path));
}
