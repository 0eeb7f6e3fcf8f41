using System.Diagnostics;
using System.Text.Json;
using CleanClip.Cli;
using CleanClip.Cli.Commands;
using CleanClip.Cli.Sweeps;
using Xunit;
using CleanClip.Sweeps;

namespace CleanClip.Tests.Cli.Sweeps;

/// <summary>The grid file, point names and the files a sweep writes before anything runs: no process is started here.</summary>
public class SweepGridTests
{
    private const string Train = "\"command\": [\"train\", \"--train-data\", \"t.csv\", \"--vocab\", \"v.txt.gz\", \"--epochs\", \"1\"]";

    private static (int Exit, string Output) Sweep(TempDir dir, string grid, params string[] extra)
    {
        var file = dir.File("grid.json");
        File.WriteAllText(file, grid);
        return CliRunner.Run(SweepCommand.Create(), ["--grid", file, "--out", dir.File("sweep"), .. extra]);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("{" + Train + ", \"vary\": {\"--lr\": [1e-3]}, \"seeds\": [1, 2]}", "unknown key 'seeds'")]
    [InlineData("{" + Train + ", \"vary\": {\"--lr\": []}}", "'vary' --lr has an empty list of values")]
    [InlineData("{" + Train + ", \"vary\": {}}", "'vary' names no option")]
    [InlineData("{" + Train + ", \"vary\": {\"--head-init\": [\"random\"]}}", "'vary' names --head-init, which 'train' does not have")]
    [InlineData("{" + Train + ", \"vary\": {\"--epochs\": [1, 2]}}", "--epochs is both in 'command' and in 'vary'")]
    [InlineData("{" + Train + ", \"vary\": {\"--out\": [\"a\", \"b\"]}}", "'vary' names --out")]
    [InlineData("{\"command\": \"train --out x\", \"vary\": {\"--lr\": [1e-3]}}", "'command' gives --out")]
    [InlineData("{" + Train + ", \"vary\": {\"--batch-size\": [8, \"eight\"]}}", "point batch-size=eight: Cannot parse argument 'eight'")]
    [InlineData("{" + Train + ", \"vary\": {\"--lr\": [1e-3, 1e-3]}}", "'vary' --lr lists 1e-3 twice")]
    [InlineData("{\"command\": [\"synth\", \"--n\", \"8\"], \"vary\": {\"--seed\": [1, 2]}}", "'synth' is not one")]
    [InlineData("{\"command\": [\"trian\"], \"vary\": {\"--seed\": [1, 2]}}", "'trian', which is not a cleanclip command")]
    [InlineData("{\"command\": [\"train\", \"--no-such-option\"], \"vary\": {\"--seed\": [1]}}", "--no-such-option")]
    [InlineData("{\"vary\": {\"--seed\": [1]}}", "no 'command'")]
    [InlineData("[1, 2]", "a grid is a JSON object")]
    [InlineData("{\"command\": [\"train\"], \"vary\": {\"--seed\": [1], }", "not JSON")]
    public void ABadGridIsOneLineNamingTheKeyOrOptionAndWritesNothing(string grid, string expected)
    {
        using var dir = new TempDir();
        var (exit, output) = Sweep(dir, grid);
        Assert.Equal(1, exit);
        Assert.Contains(expected, output);
        Assert.Single(Lines(output));
        Assert.StartsWith("error:", output);
        Assert.False(Directory.Exists(dir.File("sweep")), "a refused grid created the sweep folder");
    }

    [Fact]
    public void PointsAreTheCartesianProductWithStableDistinctNames()
    {
        var grid = SweepGrid.Parse("""
            {
              // comments are allowed
              "command": "clean --checkpoint m.safetensors --train-data t.csv --vocab v.txt.gz --epochs 4",
              "vary": {"--lr": [5e-4, 1e-3], "--method": ["CleanClip", "Mmcl"], "--seed": [1, 2, 3], "--grad-clip": [null, 1.0]},
            }
            """, "grid.json");
        var points = SweepPlan.Build(grid, CleanClipCli.Create(), "/sweeps/a");
        Assert.Equal(24, points.Count);
        Assert.Equal("lr=5e-4_method=CleanClip_seed=1_grad-clip=none", points[0].Name);
        Assert.Equal("lr=5e-4_method=CleanClip_seed=1_grad-clip=1.0", points[1].Name);
        Assert.Equal("lr=1e-3_method=Mmcl_seed=3_grad-clip=1.0", points[^1].Name);
        Assert.Equal(points.Count, points.Select(p => p.Name).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 24), points.Select(p => p.Index));
        // null leaves the option out; every point ends with its own run folder as --out.
        Assert.DoesNotContain("--grad-clip", points[0].Arguments);
        Assert.Equal(["--grad-clip", "1.0", "--out", "/sweeps/a/points/" + points[1].Name], points[1].Arguments.TakeLast(4));
        Assert.Equal(["clean", "--checkpoint", "m.safetensors"], points[0].Arguments.Take(3));
        Assert.Equal(["--resume", points[5].Folder], points[5].ResumeArguments.TakeLast(2));
        // The same grid gives the same names, wherever the sweep folder is.
        Assert.Equal(points.Select(p => p.Name), SweepPlan.Build(grid, CleanClipCli.Create(), "/elsewhere").Select(p => p.Name));
    }

    [Fact]
    public void ValuesThatAreNotPlainTextGetAHashedNameAndNullNeverClashesWithNone()
    {
        var grid = SweepGrid.Parse("""
            {"command": ["train", "--train-data", "t.csv"],
             "vary": {"--init": ["runs/a b/model.safetensors", "runs/a_b/model.safetensors", "tiny-vit"], "--image-augmentation": [null, "none"]}}
            """, "grid.json");
        var names = SweepPlan.Build(grid, CleanClipCli.Create(), "/s").Select(p => p.Name).ToList();
        Assert.Equal(6, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches(@"^[A-Za-z0-9.,+=_-]+$", n));
        Assert.StartsWith("init=runs-a-b-model.safetensors-", names[0]);
        Assert.Contains("init=tiny-vit_", names[4]);
    }

    [Fact]
    public void DryRunWritesTheRecordTheJobScriptAndThePointsFileAndRunsNothing()
    {
        using var dir = new TempDir();
        var (exit, output) = Sweep(dir, "{" + Train + ", \"vary\": {\"--lr\": [5e-4, 1e-3], \"--seed\": [1, 2]}}",
            "--runner", "slurm", "--jobs", "2", "--cpus-per-task", "2", "--mem", "2G", "--gpus", "1", "--time", "1:00:00", "--dry-run");
        Assert.True(exit == 0, output);
        Assert.Contains("4 points, 4 to run", output);
        var sweep = dir.File("sweep");
        var script = File.ReadAllText(Path.Combine(sweep, SlurmRunner.ScriptName));
        foreach (var line in new[] { "#SBATCH --array=0-3%2", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=2G", "#SBATCH --gres=gpu:1", "#SBATCH --time=1:00:00",
                                     $"#SBATCH --output={sweep}/slurm/%A_%a.txt", $"#SBATCH --chdir={Environment.CurrentDirectory}" })
            Assert.Contains(line + "\n", script);
        using (var bash = Process.Start("bash", ["-n", Path.Combine(sweep, SlurmRunner.ScriptName)]))
        {
            bash.WaitForExit();
            Assert.Equal(0, bash.ExitCode);
        }
        var lines = File.ReadAllLines(Path.Combine(sweep, SlurmRunner.PointsName));
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("lr=5e-4_seed=1\t", lines[0]);
        Assert.EndsWith($"train --train-data t.csv --vocab v.txt.gz --epochs 1 --lr 1e-3 --seed 2 --out {sweep}/points/lr=1e-3_seed=2", lines[3]);

        var record = SweepRecord.Read(Path.Combine(sweep, SweepRecord.FileName));
        Assert.Equal(4, record.Points.Count);
        Assert.All(record.Points, p => Assert.Equal(PointState.Pending, p.State));
        Assert.Equal("1e-3", record.Points[3].Values["--lr"]);
        Assert.Contains("--lr 1e-3 --seed 2", record.Points[3].CommandLine);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(record.Grid!.ToJsonString()).RootElement.GetProperty("vary").ValueKind);
        Assert.False(Directory.Exists(Path.Combine(sweep, "points")), "a dry run created point folders");
    }

    [Fact]
    public void AFolderOfSomethingElseOrAnotherGridsSweepIsRefused()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("sweep"));
        File.WriteAllText(Path.Combine(dir.File("sweep"), "notes.txt"), "mine");
        var (exit, output) = Sweep(dir, "{" + Train + ", \"vary\": {\"--lr\": [5e-4, 1e-3]}}", "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains("holds files but no sweep.json", output);
        Assert.Single(Directory.GetFileSystemEntries(dir.File("sweep")));

        File.Delete(Path.Combine(dir.File("sweep"), "notes.txt"));
        (exit, output) = Sweep(dir, "{" + Train + ", \"vary\": {\"--lr\": [5e-4, 1e-3]}}", "--dry-run");
        Assert.True(exit == 0, output);
        (exit, output) = Sweep(dir, "{" + Train + ", \"vary\": {\"--lr\": [5e-4, 2e-3]}}", "--dry-run");
        Assert.Equal(1, exit);
        Assert.Contains("records another sweep (point 1 is lr=1e-3 there and lr=2e-3 here)", output);
        Assert.Single(Lines(output));
    }

    [Fact]
    public void ASecondSweepOnAFolderInUseIsRefused()
    {
        using var dir = new TempDir();
        using (SweepFolder.Open(dir.File("sweep")))
        {
            var (exit, output) = Sweep(dir, "{" + Train + ", \"vary\": {\"--lr\": [5e-4]}}", "--dry-run");
            Assert.Equal(1, exit);
            Assert.Contains("another cleanclip sweep is running on it", output);
            Assert.False(File.Exists(Path.Combine(dir.File("sweep"), SweepRecord.FileName)));
        }
        // Released with the first one.
        using (SweepFolder.Open(dir.File("sweep"))) { }
    }

    [Fact]
    public void SlurmOptionsWithTheLocalRunnerAndAMissingSbatchAreOneLine()
    {
        using var dir = new TempDir();
        var grid = "{" + Train + ", \"vary\": {\"--lr\": [5e-4]}}";
        var (exit, output) = Sweep(dir, grid, "--mem", "2G");
        Assert.Equal(1, exit);
        Assert.Contains("--mem applies to --runner slurm", output);

        // No sbatch on PATH: the submission fails with one line, before any point runs.
        var path = Environment.GetEnvironmentVariable("PATH");
        var empty = Directory.CreateDirectory(dir.File("empty-path")).FullName;
        Environment.SetEnvironmentVariable("PATH", empty);
        try { (exit, output) = Sweep(dir, grid, "--runner", "slurm"); }
        finally { Environment.SetEnvironmentVariable("PATH", path); }
        Assert.Equal(1, exit);
        Assert.Contains("sbatch cannot be run", output);
        Assert.Single(Lines(output));
        var record = SweepRecord.Read(Path.Combine(dir.File("sweep"), SweepRecord.FileName));
        Assert.Null(record.Slurm);
        Assert.Equal(PointState.Pending, record.Points[0].State);
    }
}
