using CleanClip.Cli;
using CleanClip.Demo;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>
/// Every command line the demo prints ("reproduce each stage by hand") parses with the real command definitions (an
/// option the demo spells that a command does not have, or a value it would refuse, fails here), and run one after the
/// other into another folder they redo the demo: the same poisoned model, byte for byte, and the same evaluation.
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

    [Fact]
    public void ThePrintedCommandsRunInOrderAndRedoTheDemo()
    {
        using var dir = new TempDir();
        var demo = dir.File("demo");
        var result = DemoJob.Run(DemoSmokeTests.Miniature(demo) with { LinearProbe = false }, new DemoSmokeTests.SilentUi());
        var redo = dir.File("redo");
        foreach (var line in result.Commands)
        {
            var words = line.Replace(demo, redo).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int exit = CleanClipCli.Create().Parse(words[1..]).Invoke();
            Assert.True(exit == 0, $"exit {exit}: {line.Replace(demo, redo)}");
        }
        var model = Path.Combine("runs", "poisoned", "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Path.Combine(demo, model)), File.ReadAllBytes(Path.Combine(redo, model)));
        var before = CleanClip.Evaluation.EvalResults.Read(Path.Combine(demo, "eval", CleanClip.Evaluation.EvalResults.FileName));
        var after = CleanClip.Evaluation.EvalResults.Read(Path.Combine(redo, "eval", CleanClip.Evaluation.EvalResults.FileName));
        // The supervised row joins the demo's eval.json from its own head's evaluation; the printed eval measures the CLIP checkpoints.
        var cleaned = before.Checkpoints.Where(c => c.Label != "supervised").ToList();
        Assert.Equal(cleaned.Select(c => c.Label), after.Checkpoints.Select(c => c.Label));
        Assert.Equal(cleaned.Select(c => (c.CleanAccuracy!["1"], c.AttackSuccessRate!["1"])), after.Checkpoints.Select(c => (c.CleanAccuracy!["1"], c.AttackSuccessRate!["1"])));
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
