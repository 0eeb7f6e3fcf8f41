using CleanClip.Cli.Commands;
using CleanClip.Cli.Sweeps;
using CleanClip.Sweeps;
using Xunit;

namespace CleanClip.Tests.Cli.Sweeps;

/// <summary><c>demo --seeds --runner</c>: each seed a point of a sweep, with the demo's options as given.</summary>
public class DemoSweepTests
{
    /// <summary>Runs the command (a dry run) and returns its exit, its output, the sweep folder and the sweep's record.</summary>
    private static (int Exit, string Text, string Sweep, SweepRecord? Record) DryRun(System.CommandLine.Command command, string output, params string[] args)
    {
        var (exit, text) = CliRunner.Run(command, [.. args, "--dry-run", "--out", output]);
        var sweep = Path.Combine(output, SeedSweep.SweepFolderName);
        return (exit, text, sweep, exit == 0 ? SweepRecord.Read(SweepRecord.PathIn(sweep)) : null);
    }

    [Fact]
    public void EachSeedBecomesADemoPointOfASlurmJobArray()
    {
        using var dir = new TempDir();
        var output = dir.File("demo");
        string[] demo = ["--seeds", "1,2", "--world", "synthetic", "--quick", "--attack", "blended", "--runner", "slurm", "--cpus-per-task", "2"];
        var (exit, text, sweep, record) = DryRun(DemoCommand.Create(), output, demo);
        Assert.True(exit == 0, text);
        Assert.Equal(["seed=1", "seed=2"], record!.Points.Select(p => p.Name));
        Assert.All(record.Points, p => Assert.Equal(PointState.Pending, p.State));
        // The point is the demo as given, less the seeds and the runner, with its own seed and folder.
        Assert.Equal(["demo", "--world", "synthetic", "--quick", "--attack", "blended", "--seed", "2", "--out", Path.Combine(sweep, "points", "seed=2")],
            record.Points[1].Command);
        Assert.Contains("#SBATCH --cpus-per-task=2\n", File.ReadAllText(Path.Combine(sweep, SlurmRunner.ScriptName)));
        Assert.False(File.Exists(Path.Combine(output, CleanClip.Demo.DemoSeeds.JsonName)), "a dry run summarised seeds");

        // The same command again finds its own folder and sweep, and nothing has changed.
        (exit, text, _, _) = DryRun(DemoCommand.Create(), output, demo);
        Assert.True(exit == 0, text);
    }

    [Fact]
    public void EachSeedOfAMatrixBecomesAMatrixPoint()
    {
        using var dir = new TempDir();
        var output = dir.File("matrix");
        var (exit, text, sweep, record) = DryRun(MatrixCommand.Create(), output,
            "--attacks", "badnet,sig", "--defenses", "none,cleanclip", "--seeds", "1,2", "--quick", "--runner", "local", "--jobs", "2");
        Assert.True(exit == 0, text);
        Assert.Equal(["seeds=1", "seeds=2"], record!.Points.Select(p => p.Name));
        Assert.Equal(["matrix", "--attacks", "badnet,sig", "--defenses", "none,cleanclip", "--quick", "--seeds", "1", "--out", Path.Combine(sweep, "points", "seeds=1")],
            record.Points[0].Command);
    }

    // The filter rounds belong to the filter defense: without it the option would be ignored, so it is an error; with
    // a runner the rounds are forwarded to every seed's point.
    [Fact]
    public void FilterFractionsNeedTheFilterDefenseAndReachEveryPoint()
    {
        using var dir = new TempDir();
        var (exit, text) = CliRunner.Run(DemoCommand.Create(), "--filter-fractions", "0.2,0.05", "--out", dir.File("d"));
        Assert.Equal(1, exit);
        Assert.Contains("give --filter-retrain too", text);
        (exit, text) = CliRunner.Run(MatrixCommand.Create(), "--attacks", "badnet", "--defenses", "none", "--filter-fractions", "0.2", "--out", dir.File("m"));
        Assert.Equal(1, exit);
        Assert.Contains("add it to --defenses", text);
        Assert.False(Directory.Exists(dir.File("d")) || Directory.Exists(dir.File("m")));

        var (ok, log, _, record) = DryRun(MatrixCommand.Create(), dir.File("matrix"),
            "--attacks", "badnet", "--defenses", "filter", "--filter-fractions", "0.2,0.05", "--seeds", "1,2", "--runner", "local");
        Assert.True(ok == 0, log);
        Assert.All(record!.Points, p => Assert.Contains("0.2,0.05", p.Command));
    }

    [Fact]
    public void ARunnerWithoutSeedsOrAFolderOfSomethingElseIsOneErrorLine()
    {
        using var dir = new TempDir();
        var (exit, text) = CliRunner.Run(DemoCommand.Create(), "--runner", "local", "--out", dir.File("d"));
        Assert.Equal(1, exit);
        Assert.Contains("give --seeds", text);
        Assert.False(Directory.Exists(dir.File("d")));

        var mine = Directory.CreateDirectory(dir.File("mine")).FullName;
        File.WriteAllText(Path.Combine(mine, "notes.txt"), "mine");
        (exit, text) = CliRunner.Run(DemoCommand.Create(), "--seeds", "1,2", "--runner", "local", "--out", mine);
        Assert.Equal(1, exit);
        Assert.Contains("not a folder of 'demo --seeds --runner'", text);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(mine).Select(Path.GetFileName));
    }
}
