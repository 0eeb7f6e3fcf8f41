using CleanClip.Cli.Commands;
using CleanClip.Cli.Sweeps;
using CleanClip.Tests.Training;
using CleanClip.Training;
using Xunit;
using CleanClip.Sweeps;

namespace CleanClip.Tests.Cli.Sweeps;

/// <summary>
/// <c>sweep --runner local</c> with real child processes: four 1-epoch tiny-vit trainings (about 2 s each), two at a
/// time; a point left with checkpoints but no completion marker is continued with --resume; a rerun runs nothing.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class LocalSweepTests
{
    /// <summary>The grid of the sweep tests: 4 points of `train` on a 32-pair world in batches of 8 (4 steps each).</summary>
    internal static string Grid(TrainerFixture world, string vary = "\"--lr\": [5e-4, 1e-3], \"--seed\": [1, 2]") => $$"""
        {
          "command": ["train", "--train-data", "{{world.Train.TablePath}}", "--init", "tiny-vit", "--vocab", "{{world.Vocab}}",
                      "--epochs", "1", "--batch-size", "8", "--decode-threads", "1", "--no-tensorboard"],
          "vary": { {{vary}} }
        }
        """;

    [Fact]
    public void FourPointsRunTwoAtATimeAnIncompleteOneResumesAndARerunRunsNothing()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var grid = Path.Combine(world.Root, "grid.json");
        File.WriteAllText(grid, Grid(world));
        var sweep = Path.Combine(world.Root, "sweep");
        var point0 = Path.Combine(sweep, "points", "lr=5e-4_seed=1");

        var (exit, output) = CliRunner.Run(SweepCommand.Create(), "--grid", grid, "--out", sweep, "--dry-run");
        Assert.True(exit == 0, output);
        // Point 0 as a run killed half-way would leave it: checkpoints, no completion marker.
        (exit, output) = CliRunner.Run(TrainingCommand.Train(), "--train-data", world.Train.TablePath, "--init", "tiny-vit", "--vocab", world.Vocab,
            "--epochs", "1", "--batch-size", "8", "--decode-threads", "1", "--no-tensorboard", "--lr", "5e-4", "--seed", "1", "--out", point0,
            "--save-every", "1", "--stop-after", "2");
        Assert.True(exit == 0, output);
        Assert.False(RunCompletion.IsComplete(point0));

        (exit, output) = CliRunner.Run(SweepCommand.Create(), "--grid", grid, "--out", sweep, "--jobs", "2");
        Assert.True(exit == 0, output);
        Assert.Contains("4 of 4 points complete", output);
        var record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.All(record.Points, p =>
        {
            Assert.Equal(PointState.Complete, p.State);
            Assert.Equal(0, p.ExitCode);
            Assert.True(RunCompletion.IsComplete(p.Folder), p.Name);
            Assert.Contains("== exit code 0", File.ReadAllText(Path.Combine(p.Folder, LocalRunner.LogName)));
        });
        Assert.Equal([true, false, false, false], record.Points.Select(p => p.Resumed));
        Assert.Contains("resuming from the folder's checkpoints", File.ReadAllText(Path.Combine(point0, LocalRunner.LogName)));
        Assert.Equal(4, RunCompletion.Read(point0)!.Steps);
        // Two at a time: some two points ran at once.
        var spans = record.Points.Select(p => (Start: p.StartedUtc!.Value, End: p.StartedUtc!.Value.AddSeconds(p.WallSeconds!.Value))).ToList();
        Assert.Contains(spans, a => spans.Any(b => a != b && a.Start < b.End && b.Start < a.End));

        // The rerun runs nothing and touches no point.
        var before = record.Points.Select(p => Stamps(p.Folder)).ToList();
        (exit, output) = CliRunner.Run(SweepCommand.Create(), "--grid", grid, "--out", sweep, "--jobs", "2");
        Assert.True(exit == 0, output);
        Assert.Contains("all 4 points are complete; nothing to run", output);
        Assert.Equal(before, record.Points.Select(p => Stamps(p.Folder)).ToList());
    }

    /// <summary>Each file of a run folder with its size and time of last write.</summary>
    internal static string Stamps(string folder) => string.Join("\n", Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order()
        .Select(f => $"{Path.GetRelativePath(folder, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}"));
}
