using System.ComponentModel;
using System.Diagnostics;
using CleanClip.Training.Checkpointing;
using CleanClip.Sweeps;

namespace CleanClip.Cli.Sweeps;

/// <summary>
/// Runs points as child processes of this same cleanclip, at most <c>jobs</c> at a time, each with its output
/// (stdout and stderr, line by line) appended to <c>points/NAME/log.txt</c> and its exit recorded in the folder.
/// </summary>
public sealed class LocalRunner(SweepRecord record, string sweepFolder, IReadOnlyList<string> program, int jobs)
{
    public const string LogName = PointRecord.LogFileName;

    /// <summary>
    /// Runs <paramref name="points"/> in order. Cancelling starts no further point and waits for the running ones: a
    /// Ctrl-C in the terminal reaches them too (same process group), so training commands save a checkpoint and stop.
    /// </summary>
    /// <param name="changed">Called (under the record's lock, after sweep.json is rewritten) whenever a point changes state.</param>
    public void Run(IReadOnlyList<PointRecord> points, Action<PointRecord> changed, CancellationToken cancellation)
    {
        // Children share the cores: each gets its part for LibTorch's threads unless the user chose a count.
        var environment = new Dictionary<string, string>();
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
            environment["OMP_NUM_THREADS"] = Math.Max(1, Environment.ProcessorCount / jobs).ToString();
        using var slots = new SemaphoreSlim(jobs);
        var running = new List<Task>();
        foreach (var point in points)
        {
            try { slots.Wait(cancellation); }
            catch (OperationCanceledException) { break; }
            running.Add(Task.Run(() =>
            {
                try { RunPoint(point, environment, changed); }
                finally { slots.Release(); }
            }));
        }
        Task.WaitAll(running);
    }

    /// <summary>Whether the folder holds step checkpoints, so a rerun continues it with --resume instead of starting afresh.</summary>
    public static bool HasCheckpoints(string folder) =>
        new CheckpointFolder(Path.Combine(folder, "checkpoints"), 1).StepFiles().Count > 0;

    private void RunPoint(PointRecord point, IReadOnlyDictionary<string, string> environment, Action<PointRecord> changed)
    {
        Directory.CreateDirectory(point.Folder);
        PointExit.Clear(point.Folder);
        bool resume = HasCheckpoints(point.Folder);
        var arguments = resume ? [.. point.Command, "--resume", point.Folder] : point.Command;
        var started = DateTime.UtcNow;
        Update(point, p =>
        {
            (p.State, p.Resumed, p.Job, p.ExitCode, p.WallSeconds, p.StartedUtc) = (PointState.Running, resume, null, null, null, started);
            p.Attempts++;
        }, changed);

        var clock = Stopwatch.StartNew();
        int exitCode;
        using (var log = new StreamWriter(new FileStream(Path.Combine(point.Folder, LogName), FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true })
        {
            log.WriteLine($"== cleanclip sweep: local run started {started:yyyy-MM-ddTHH:mm:ssZ}{(resume ? ", resuming from the folder's checkpoints" : "")}");
            log.WriteLine($"== {CommandLine.Join(program.Concat(arguments))}");
            exitCode = Execute(arguments, environment, log);
            log.WriteLine($"== exit code {exitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        }
        new PointExit(exitCode, Math.Round(clock.Elapsed.TotalSeconds, 2), started, null, Environment.MachineName).Write(point.Folder);
        Update(point, p => p.Observe(), changed);
    }

    /// <summary>Runs the point's command in the sweep's working directory; the exit code, or 127 when the program cannot start.</summary>
    private int Execute(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, StreamWriter log)
    {
        var start = new ProcessStartInfo(program[0])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = record.WorkingDirectory,
        };
        foreach (var argument in program.Skip(1).Concat(arguments)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler write = (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.WriteLine(e.Data);
        };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            log.WriteLine($"== cannot start {program[0]}: {e.Message}");
            return 127;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // The parameterless wait also waits for both streams to reach their end, so the log is complete.
        process.WaitForExit();
        return process.ExitCode;
    }

    private void Update(PointRecord point, Action<PointRecord> change, Action<PointRecord> changed)
    {
        lock (record)
        {
            change(point);
            record.Write(sweepFolder);
            changed(point);
        }
    }
}
