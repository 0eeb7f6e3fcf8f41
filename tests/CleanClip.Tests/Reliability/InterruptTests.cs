using System.Diagnostics;
using CleanClip.Tests.Training;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using Xunit;

namespace CleanClip.Tests.Reliability;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM (kill, shutdown, SLURM's time limit) during <c>cleanclip train</c>: a checkpoint is saved
/// and the process exits 130 or 143, not 0.
/// </summary>
public class InterruptTests
{
    [Theory]
    [Trait("Speed", "Slow")]
    [InlineData("INT", "130")]
    [InlineData("TERM", "143")]
    public void ASignalSavesACheckpointAndExitsWithTheShellsCode(string signal, string expected)
    {
        using var world = new TrainerFixture(pairs: 96, finetune: 16);
        var run = Path.Combine(world.Root, "run");
        string[] train =
        [
            "train", "--train-data", world.Train.TablePath, "--init", "tiny-vit", "--vocab", world.Vocab, "--out", run,
            "--epochs", "100", "--batch-size", "4", "--warmup", "2", "--decode-threads", "1", "--save-every", "5", "--no-tensorboard",
        ];
        // A shell starts the command with SIGINT at its default (env --default-signal: a test host may run with SIGINT
        // ignored, which children inherit, and .NET then never raises Ctrl-C), waits for the first step checkpoint
        // (training, and so the Ctrl-C handler, has started), sends SIGINT and reports the exit code.
        var script = "\"$@\" > \"$OUT\" 2>&1 & pid=$!; " +
                     "until ls \"$RUN\"/checkpoints/step-* > /dev/null 2>&1 || ! kill -0 $pid 2> /dev/null; do sleep 0.1; done; " +
                     "kill -$SIGNAL $pid; wait $pid; echo $?";
        var cli = Path.Combine(AppContext.BaseDirectory, "CleanClip.Cli.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", script, "bash", "env", $"--default-signal={signal}", dotnet, cli }.Concat(train)) start.ArgumentList.Add(a);
        var log = Path.Combine(world.Root, "train.out");
        start.Environment["OUT"] = log;
        start.Environment["RUN"] = run;
        start.Environment["SIGNAL"] = signal;
        using var shell = Process.Start(start)!;
        var exitCode = shell.StandardOutput.ReadToEnd().Trim();
        shell.WaitForExit();
        var printed = File.ReadAllText(log);
        var checkpoints = Path.Combine(run, "checkpoints");
        Assert.True(exitCode == expected, $"exit {exitCode}: {printed}");
        Assert.Contains("interrupted", printed);
        Assert.NotNull(new CheckpointFolder(checkpoints, 2).Latest(out _));
        Assert.False(File.Exists(Path.Combine(run, Trainer.ModelFileName)), "an interrupted run wrote the final model");
    }
}
