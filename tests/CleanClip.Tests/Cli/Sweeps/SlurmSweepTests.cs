using System.Diagnostics;
using CleanClip.Cli.Commands;
using CleanClip.Cli.Sweeps;
using CleanClip.Tests.Training;
using CleanClip.Training;
using Xunit;
using Xunit.Abstractions;
using CleanClip.Sweeps;

namespace CleanClip.Tests.Cli.Sweeps;

/// <summary>
/// <c>sweep --runner slurm</c> against a real one-node SLURM (<see cref="SlurmCluster"/>): job arrays submitted with
/// sbatch, followed with squeue, cancelled with scancel; each point a 1-epoch tiny-vit training of a few seconds.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class SlurmSweepTests(SlurmCluster cluster, ITestOutputHelper log) : IClassFixture<SlurmCluster>
{
    private static (int Exit, string Output) Sweep(string grid, string sweep, params string[] extra) =>
        CliRunner.Run(SweepCommand.Create(), ["--grid", grid, "--out", sweep, "--runner", "slurm", "--poll", "0.5", .. extra]);

    /// <summary>A grid of 4-epoch trainings (a few seconds a point, long enough to act on a point mid-run).</summary>
    private static string FourEpochGrid(TrainerFixture world, string vary) =>
        LocalSweepTests.Grid(world, vary).Replace("\"--epochs\", \"1\"", "\"--epochs\", \"4\"");

    [SkippableFact]
    public void FourPointsRunThroughSbatchAFailingOneIsReportedAndARerunResubmitsOnlyIt()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var grid = Path.Combine(world.Root, "grid.json");
        // NaN parses as a number, so the grid is accepted; train refuses it when it starts: a point that fails.
        File.WriteAllText(grid, LocalSweepTests.Grid(world, "\"--lr\": [5e-4, 1e-3, 2e-3, \"NaN\"]"));
        var sweep = Path.Combine(world.Root, "sweep");

        var clock = Stopwatch.StartNew();
        var (exit, output) = Sweep(grid, sweep, "--jobs", "2", "--mem", "500M");
        log.WriteLine($"first sweep: {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.Equal(1, exit);
        Assert.Contains("submitted job", output);
        Assert.Contains("3 of 4 points complete", output);
        Assert.Contains("failed: lr=NaN (exit code 1)", output);
        var record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.Equal([PointState.Complete, PointState.Complete, PointState.Complete, PointState.Failed], record.Points.Select(p => p.State));
        Assert.Equal([0, 0, 0, 1], record.Points.Select(p => p.ExitCode ?? -1));
        Assert.Equal([0, 1, 2, 3], record.Slurm!.Submitted);
        Assert.Equal($"{record.Slurm.JobId}_3", record.Points[3].Job);
        Assert.Contains("#SBATCH --array=0-3%2\n", File.ReadAllText(Path.Combine(sweep, SlurmRunner.ScriptName)));
        Assert.Contains("#SBATCH --mem=500M\n", File.ReadAllText(Path.Combine(sweep, SlurmRunner.ScriptName)));
        var failedLog = File.ReadAllText(Path.Combine(record.Points[3].Folder, LocalRunner.LogName));
        Assert.Contains("--lr", failedLog[failedLog.IndexOf("error:", StringComparison.Ordinal)..]);
        Assert.All(record.Points.Take(3), p => Assert.True(RunCompletion.IsComplete(p.Folder), p.Name));
        Assert.All(record.Points, p => Assert.Contains($"slurm task {record.Slurm.JobId}_{p.Index} on", File.ReadAllText(Path.Combine(p.Folder, LocalRunner.LogName))));

        // The rerun submits only the point that is not complete, and leaves the others' folders as they were.
        var before = record.Points.Take(3).Select(p => LocalSweepTests.Stamps(p.Folder)).ToList();
        clock.Restart();
        (exit, output) = Sweep(grid, sweep, "--jobs", "2");
        log.WriteLine($"rerun: {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.Equal(1, exit);
        Assert.Contains("3 of 4 points are complete already; running the other 1", output);
        Assert.Contains("1 point as array 3", output);
        record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.Equal([3], record.Slurm!.Submitted);
        Assert.Equal(PointState.Failed, record.Points[3].State);
        Assert.Equal(2, record.Points[3].Attempts);
        Assert.Equal(before, record.Points.Take(3).Select(p => LocalSweepTests.Stamps(p.Folder)).ToList());
    }

    [SkippableFact]
    public void ACancelledJobLeavesFinishedPointsAloneAndTheRerunResumesTheRest()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var grid = Path.Combine(world.Root, "grid.json");
        // 4 epochs of 4 steps with a checkpoint every 2: a few seconds a point, with checkpoints early on.
        File.WriteAllText(grid, FourEpochGrid(world, "\"--seed\": [1, 2, 3], \"--save-every\": [2]"));
        var sweep = Path.Combine(world.Root, "sweep");

        // One point at a time; once the first is complete and the second has a checkpoint, the job is cancelled.
        var clock = Stopwatch.StartNew();
        var first = Task.Run(() => Sweep(grid, sweep, "--jobs", "1"));
        var points = Path.Combine(sweep, "points");
        string Point(int seed) => Path.Combine(points, $"seed={seed}_save-every=2");
        while (!(RunCompletion.IsComplete(Point(1)) && LocalRunner.HasCheckpoints(Point(2))))
        {
            Assert.False(first.IsCompleted, $"the sweep ended before it could be cancelled: {(first.IsCompleted ? first.Result.Output : "")}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "the first point did not complete within 3 minutes");
            Thread.Sleep(100);
        }
        var jobId = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName)).Slurm!.JobId;
        var cancel = SlurmCluster.Run("scancel", jobId);
        Assert.True(cancel.Exit == 0, cancel.Error);
        Assert.True(first.Wait(TimeSpan.FromMinutes(2)), "the sweep did not notice the cancelled job");
        var (exit, output) = first.Result;
        log.WriteLine($"cancelled after {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.Equal(1, exit);
        Assert.Contains("1 of 3 points complete", output);
        Assert.Contains("rerun the same sweep to continue", output);
        var record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.Equal(PointState.Complete, record.Points[0].State);
        Assert.Equal(PointState.Incomplete, record.Points[1].State);
        Assert.Contains(record.Points[2].State, new[] { PointState.Pending, PointState.Incomplete });
        Assert.False(RunCompletion.IsComplete(Point(2)));

        var finished = LocalSweepTests.Stamps(Point(1));
        clock.Restart();
        (exit, output) = Sweep(grid, sweep, "--jobs", "1");
        log.WriteLine($"resumed sweep: {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.True(exit == 0, output);
        Assert.Contains("2 points as array 1-2", output);
        record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.All(record.Points, p => Assert.Equal(PointState.Complete, p.State));
        Assert.Equal([1, 2], record.Slurm!.Submitted);
        Assert.True(record.Points[1].Resumed, "the cancelled point started afresh instead of resuming from its checkpoints");
        Assert.Contains("--resume", File.ReadAllLines(Path.Combine(sweep, SlurmRunner.PointsName))[1]);
        Assert.Equal(16, RunCompletion.Read(Point(2))!.Steps);
        Assert.Equal(finished, LocalSweepTests.Stamps(Point(1)));
    }

    [SkippableFact]
    public void KillingTheControllerMidSweepLosesNoFinishedPointAndTheRerunRunsNoneTwice()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var grid = Path.Combine(world.Root, "grid.json");
        File.WriteAllText(grid, FourEpochGrid(world, "\"--seed\": [1, 2, 3], \"--save-every\": [2]"));
        var sweep = Path.Combine(world.Root, "sweep");
        string Point(int seed) => Path.Combine(sweep, "points", $"seed={seed}_save-every=2");

        // Once the first point is complete, slurmctld dies: the sweep stops following (squeue fails) and says so,
        // while the job goes on where it can.
        var clock = Stopwatch.StartNew();
        var first = Task.Run(() => Sweep(grid, sweep, "--jobs", "1"));
        // Complete, and its task has ended: the job script's last line is in the point's log.
        bool Ended(string point) => File.Exists(Path.Combine(point, LocalRunner.LogName))
            && File.ReadAllText(Path.Combine(point, LocalRunner.LogName)).TrimEnd().EndsWith("== exit code 0", StringComparison.Ordinal);
        while (!(RunCompletion.IsComplete(Point(1)) && Ended(Point(1))))
        {
            Assert.False(first.IsCompleted, $"the sweep ended before the controller could be killed: {(first.IsCompleted ? first.Result.Output : "")}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "the first point did not complete within 3 minutes");
            Thread.Sleep(100);
        }
        var finished = LocalSweepTests.Stamps(Point(1));
        cluster.KillController();
        bool ended = first.Wait(TimeSpan.FromMinutes(2));
        cluster.StartController();
        Assert.True(ended, "the sweep did not give up following a dead controller");
        var (exit, output) = first.Result;
        log.WriteLine($"controller killed after {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.Equal(1, exit);
        Assert.Contains("squeue failed", output);
        Assert.Contains("rerun the same sweep", output);

        // The rerun follows the recovered job (or resubmits what is not complete) and never runs the finished point again.
        clock.Restart();
        (exit, output) = Sweep(grid, sweep, "--jobs", "1");
        log.WriteLine($"rerun: {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.True(exit == 0, output);
        var record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.All(record.Points, p => Assert.Equal(PointState.Complete, p.State));
        Assert.Equal(1, record.Points[0].Attempts);
        Assert.Equal(finished, LocalSweepTests.Stamps(Point(1)));
        Assert.All([2, 3], seed => Assert.Equal(16, RunCompletion.Read(Point(seed))!.Steps));
    }

    [SkippableFact]
    public void ARerunWhileTheJobIsStillQueuedFollowsItInsteadOfSubmittingAgain()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var grid = Path.Combine(world.Root, "grid.json");
        File.WriteAllText(grid, FourEpochGrid(world, "\"--seed\": [1, 2]"));
        var sweep = Path.Combine(world.Root, "sweep");

        // The sweep that submitted the job dies (a closed terminal, a killed login session); the job runs on.
        var clock = Stopwatch.StartNew();
        using (var follower = Reliability.CliProcess.Start(["sweep", "--grid", grid, "--out", sweep, "--runner", "slurm", "--jobs", "1", "--poll", "0.5"]))
        {
            while (!File.Exists(Path.Combine(sweep, SweepRecord.FileName)) || SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName)).Slurm is null)
            {
                if (follower.HasExited) Assert.Fail($"the sweep ended before submitting: {follower.StandardError.ReadToEnd()}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "no submission within a minute");
                Thread.Sleep(100);
            }
            follower.Kill(entireProcessTree: true);
            follower.WaitForExit();
        }
        var jobId = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName)).Slurm!.JobId;
        Assert.NotEmpty(SlurmRunner.Queued(jobId));

        var (exit, output) = Sweep(grid, sweep, "--jobs", "1");
        log.WriteLine($"followed after {clock.Elapsed.TotalSeconds:F1} s\n{output}");
        Assert.True(exit == 0, output);
        Assert.Contains($"following job {jobId} of this sweep, still in the queue", output);
        Assert.DoesNotContain("submitted job", output);
        var record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.Equal(jobId, record.Slurm!.JobId);
        Assert.All(record.Points, p => Assert.Equal((PointState.Complete, 1), (p.State, p.Attempts)));
    }

    [SkippableFact]
    public void SbatchRefusingTheJobIsOneLineWithItsMessage()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var grid = Path.Combine(world.Root, "grid.json");
        File.WriteAllText(grid, LocalSweepTests.Grid(world, "\"--lr\": [5e-4]"));
        var (exit, output) = Sweep(grid, Path.Combine(world.Root, "sweep"), "--mem", $"{SlurmCluster.RealMemoryMb * 10}M");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: sbatch refused the job: ", output);
        Assert.Contains("Memory specification can not be satisfied", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
