using CleanClip.Cli;
using CleanClip.Demo;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>
/// Every command line the demo prints ("reproduce each stage by hand") parses with the real command definitions: an
/// option the demo spells that a command does not have, or a value it would refuse, fails here.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoCommandsParseTests
{
    [Fact]
    public void EveryPrintedCommandParsesWithTheRealDefinitions()
    {
        using var dir = new TempDir();
        var result = DemoJob.Run(DemoSmokeTests.Miniature(dir.File("demo")), new DemoSmokeTests.SilentUi());
        Assert.NotEmpty(result.Commands);
        AssertParse(result.Commands);
        var commands = result.Commands.Select(c => c.Split(' ')[1]).ToHashSet();
        Assert.Superset(new HashSet<string> { "synth", "poison", "train", "scan", "clean", "finetune-supervised", "eval", "report" }, commands);
    }

    /// <summary>Each printed line parses with the real command tree and names a subcommand.</summary>
    internal static void AssertParse(IEnumerable<string> lines)
    {
        var root = CleanClipCli.Create();
        foreach (var line in lines)
        {
            // The temporary folders hold no spaces or quotes, so the printed line splits on spaces as a shell would.
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("cleanclip", words[0]);
            var parse = root.Parse(words[1..]);
            Assert.True(parse.Errors.Count == 0, $"{line}\n  {string.Join("\n  ", parse.Errors.Select(e => e.Message))}");
            Assert.NotEqual(root, parse.CommandResult.Command);
        }
    }
}
