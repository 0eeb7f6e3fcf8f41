using System.CommandLine;
using System.Globalization;
using CleanClip.Cli.Commands;
using CleanClip.Evaluation;
using CleanClip.Tests.Evaluation;
using Spectre.Console;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary><c>cleanclip eval</c> on two tiny-vit checkpoints with a BadNet trigger: the table shows what eval.json holds.</summary>
[Collection(EvalWorldCollection.Name)]
public class EvalCommandTests(EvalWorld world) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static (int Exit, string Output) Run(params string[] args) => CleanClip.Tests.Cli.CliRunner.Run(EvalCommand.Create(), args);

    /// <summary>The standard arguments, with <paramref name="overrides"/> (option, value pairs) replacing or adding.</summary>
    private string[] Args(params string[] overrides)
    {
        var options = new Dictionary<string, string[]>
        {
            ["--checkpoint"] = [world.First, world.Second], ["--labels"] = ["poisoned,cleaned"], ["--eval-data"] = [world.TestFolder],
            ["--vocab"] = [world.Vocab], ["--trigger"] = ["badnet"], ["--patch-size"] = ["8"], ["--target"] = ["banana"],
            ["--seed"] = ["5"], ["--out"] = [dir.File("out")], ["--cache-dir"] = [dir.File("cache")], ["--device"] = ["cpu"],
        };
        for (int i = 0; i < overrides.Length; i += 2) options[overrides[i]] = [overrides[i + 1]];
        return options.SelectMany(kv => kv.Value.Prepend(kv.Key)).ToArray();
    }

    private static string Percent(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture);

    [Fact]
    public void PrintsTheNumbersOfEvalJson()
    {
        var (exit, output) = Run(Args());
        Assert.True(exit == 0, output);
        var json = dir.File(Path.Combine("out", "eval.json"));
        Assert.Contains("eval.json", output);
        var results = EvalResults.Read(json);
        Assert.Equal("badnet", results.Trigger!.Name);
        Assert.Equal(8, results.Trigger.PatchSize);
        Assert.Equal(5UL, results.Trigger.Seed);
        Assert.Equal(5UL, results.Seed);
        foreach (var c in results.Checkpoints)
        {
            var row = output.Split('\n').Single(line => line.Contains($" {c.Label} "));
            var cells = row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s.Length > 0).ToArray();
            Assert.Equal(c.Label, cells[0]);
            Assert.Equal("100", cells[1]);
            Assert.Equal(Percent(c.CleanAccuracy!["1"]), cells[2]);
            Assert.Equal(Percent(c.CleanAccuracy["5"]), cells[3]);
            Assert.Equal(Percent(c.AttackSuccessRate!["1"]), cells[4]);
            Assert.Equal(Percent(c.AttackSuccessRate["5"]), cells[5]);
            Assert.Equal(Percent(c.RobustAccuracy!.Value), cells[6]);
            Assert.Equal(c.DefenseEffectivenessRating is { } der ? Percent(der) : "-", cells[7]);
        }
        Assert.NotNull(results.Checkpoints[1].DefenseEffectivenessRating);
    }

    [Theory]
    [InlineData("--target", "apple")]
    [InlineData("--metrics", "ca,linear-probe")]
    [InlineData("--metrics", "ca,nonsense")]
    [InlineData("--classes", "missing.json")]
    public void BadInputExitsWithOneAndAMessage(string option, string value)
    {
        var (exit, output) = Run(Args(option, value));
        Assert.Equal(1, exit);
        Assert.Contains("error:", output);
        Assert.False(File.Exists(dir.File(Path.Combine("out", "eval.json"))));
    }
}
