using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CleanClip.Sweeps;
using CleanClip.Training;

namespace CleanClip.Cli.Sweeps;

/// <summary>The <c>#SBATCH</c> resources of each point's task.</summary>
/// <param name="Jobs">Tasks of the array allowed to run at once (the <c>%N</c> of <c>--array</c>); null: no limit.</param>
/// <param name="Gpus">GPUs per task (<c>--gres=gpu:G</c>); 0 writes no <c>--gres</c>.</param>
/// <param name="Memory">Per-task memory as sbatch reads it (<c>8G</c>); null leaves the cluster's default.</param>
public sealed record SlurmResources(int? Jobs, int CpusPerTask, string? Memory, int Gpus, string? Partition, string? Time);

/// <summary>
/// Runs a sweep as one SLURM job array: <c>DIR/sweep.sbatch</c>, whose task i runs point i's command line from
/// <c>DIR/sweep.points</c>, submitted with <c>sbatch --parsable --array=INDICES</c> and followed with <c>squeue</c>
/// until it leaves the queue. Whether a point completed is read from its run folder (the completion marker and the
/// exit the script records), not from accounting, which a cluster may not keep.
/// </summary>
public sealed class SlurmRunner(SweepRecord record, string sweepFolder, IReadOnlyList<string> program, SlurmResources resources)
{
    public const string ScriptName = "sweep.sbatch";
    public const string PointsName = "sweep.points";
    /// <summary>Where sbatch's own <c>--output</c> goes (it can only name files by job and task number); each task then writes into its point's log.txt.</summary>
    public const string SlurmLogFolder = "slurm";

    public string ScriptPath => Path.Combine(sweepFolder, ScriptName);
    public string PointsPath => Path.Combine(sweepFolder, PointsName);

    /// <summary>
    /// Writes the points file (line i+1: point i's folder name, a tab, its command line; with <c>--resume</c> for a
    /// folder that holds checkpoints) and the job script. Both are rewritten at each submission.
    /// </summary>
    public void WriteFiles()
    {
        var lines = new StringBuilder();
        foreach (var point in record.Points)
        {
            var arguments = LocalRunner.HasCheckpoints(point.Folder) ? [.. point.Command, "--resume", point.Folder] : point.Command;
            lines.Append(point.Name).Append('\t').Append(CommandLine.Join(program.Concat(arguments))).Append('\n');
        }
        AtomicFile.WriteAllText(PointsPath, lines.ToString());
        Directory.CreateDirectory(Path.Combine(sweepFolder, SlurmLogFolder));
        AtomicFile.WriteAllText(ScriptPath, Script());
    }

    /// <summary>The <c>%N</c> suffix of --array that lets at most N tasks run at once.</summary>
    private string Throttle => resources.Jobs is { } n ? $"%{n}" : "";

    /// <summary>The job script; task i reads line i+1 of the points file.</summary>
    public string Script()
    {
        var q = CommandLine.Quote;
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append("# Written by `cleanclip sweep` (rewritten at each submission): task i runs point i of sweep.json, the command line on\n");
        s.Append("# line i+1 of sweep.points, with its output in the point's log.txt and its exit code in the point's sweep-exit.json.\n");
        s.Append("#SBATCH --job-name=cleanclip-sweep\n");
        s.Append($"#SBATCH --array={Indices(Enumerable.Range(0, record.Points.Count))}{Throttle}\n");
        s.Append($"#SBATCH --cpus-per-task={resources.CpusPerTask}\n");
        if (resources.Memory is { } memory) s.Append($"#SBATCH --mem={memory}\n");
        if (resources.Gpus > 0) s.Append($"#SBATCH --gres=gpu:{resources.Gpus}\n");
        if (resources.Partition is { } partition) s.Append($"#SBATCH --partition={partition}\n");
        if (resources.Time is { } time) s.Append($"#SBATCH --time={time}\n");
        // #SBATCH lines are not shell words: these paths are written bare (the sweep refuses folders with white space or quotes).
        s.Append($"#SBATCH --chdir={record.WorkingDirectory}\n");
        s.Append($"#SBATCH --output={Path.Combine(sweepFolder, SlurmLogFolder, "%A_%a.txt")}\n");
        s.Append("set -u\n");
        s.Append($"line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {q(PointsPath)})\n");
        s.Append("name=${line%%$'\\t'*}\n");
        s.Append("command=${line#*$'\\t'}\n");
        s.Append($"folder={q(Path.Combine(sweepFolder, "points"))}/\"$name\"\n");
        s.Append("mkdir -p \"$folder\"\n");
        // A task SLURM starts again (a requeue, a controller that lost state) leaves a finished point as it is.
        s.Append($"if [ -f \"$folder/{RunCompletion.FileName}\" ]; then echo \"== $name is complete already; nothing to run\" >>\"$folder/{LocalRunner.LogName}\"; exit 0; fi\n");
        s.Append($"rm -f \"$folder/{PointExit.FileName}\"\n");
        s.Append($"exec >>\"$folder/{LocalRunner.LogName}\" 2>&1\n");
        s.Append("# LibTorch's threads: the task's cores, unless the submitting shell chose a count.\n");
        s.Append("export OMP_NUM_THREADS=${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\n");
        s.Append("start=$(date +%s)\n");
        s.Append("started=$(date -u +%Y-%m-%dT%H:%M:%SZ)\n");
        s.Append("echo \"== cleanclip sweep: slurm task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) started $started\"\n");
        s.Append("echo \"== $command\"\n");
        s.Append("eval \"$command\"\n");
        s.Append("code=$?\n");
        s.Append("printf '{\"exit_code\": %d, \"wall_seconds\": %d, \"started_utc\": \"%s\", \"job\": \"%s_%s\", \"host\": \"%s\"}\\n' \"$code\" \"$(( $(date +%s) - start ))\" \"$started\" " +
                 "\"$SLURM_ARRAY_JOB_ID\" \"$SLURM_ARRAY_TASK_ID\" \"$(hostname)\" > \"$folder/.sweep-exit.json.tmp\" " +
                 $"&& mv -f \"$folder/.sweep-exit.json.tmp\" \"$folder/{PointExit.FileName}\"\n");
        s.Append("echo \"== exit code $code\"\n");
        s.Append("exit \"$code\"\n");
        return s.ToString();
    }

    /// <summary>Submits the points (by index) as one array; the job id.</summary>
    /// <exception cref="InvalidOperationException">sbatch is missing or refused the job; the message is sbatch's.</exception>
    public string Submit(IReadOnlyList<PointRecord> points)
    {
        var array = Indices(points.Select(p => p.Index)) + Throttle;
        var (exit, output, error) = External.Run("sbatch", ["--parsable", $"--array={array}", ScriptPath]);
        if (exit != 0)
            throw new InvalidOperationException($"sbatch refused the job: {External.OneLine(error.Length > 0 ? error : output)}");
        // --parsable prints "JOBID" or "JOBID;CLUSTER".
        var id = output.Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw new InvalidOperationException($"sbatch printed no job id: {External.OneLine(output + " " + error)}");
        return id;
    }

    /// <summary>The array's tasks still in the queue, by index, with their SLURM state; empty once the job has left it.</summary>
    /// <exception cref="InvalidOperationException">squeue is missing or fails for another reason than an unknown (finished) job.</exception>
    public static Dictionary<int, string> Queued(string jobId)
    {
        var (exit, output, error) = External.Run("squeue", ["--noheader", "--array", "--jobs", jobId, "--format", "%K %T"]);
        var tasks = new Dictionary<int, string>();
        if (exit != 0)
        {
            // A job that has left the queue, once slurmctld has forgotten it.
            if (error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return tasks;
            throw new InvalidOperationException($"squeue failed: {External.OneLine(error.Length > 0 ? error : output)}");
        }
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                tasks[index] = parts[1];
        }
        return tasks;
    }

    /// <summary>
    /// Polls squeue every <paramref name="poll"/> until the job has left the queue, showing queued and running points;
    /// then reads every submitted point's state from its folder. Cancelling stops following (the job keeps running).
    /// </summary>
    public void Follow(string jobId, IReadOnlyList<PointRecord> submitted, TimeSpan poll, Action<PointRecord> changed, CancellationToken cancellation)
    {
        int failures = 0;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            Dictionary<int, string> queued;
            try
            {
                queued = Queued(jobId);
                failures = 0;
            }
            catch (InvalidOperationException e)
            {
                // slurmctld may be busy for a moment; five failures in a row end the follow.
                if (++failures >= 5)
                    throw new InvalidOperationException($"{e.Message}; job {jobId} keeps running: rerun the same sweep to follow it again", e);
                cancellation.WaitHandle.WaitOne(poll);
                continue;
            }
            if (queued.Count == 0) break;
            foreach (var point in submitted)
            {
                var state = queued.TryGetValue(point.Index, out var slurm)
                    ? slurm is "RUNNING" or "COMPLETING" ? PointState.Running : PointState.Queued
                    : (PointState?)null;
                Update(point, p =>
                {
                    if (state is { } s) p.State = s;
                    else if (p.State is PointState.Queued or PointState.Running) p.Observe();
                }, changed);
            }
            if (cancellation.WaitHandle.WaitOne(poll)) cancellation.ThrowIfCancellationRequested();
        }
        foreach (var point in submitted) Update(point, p => p.Observe(), changed);
    }

    /// <summary>Marks the points submitted: queued, their earlier exit records removed, attempt counted.</summary>
    public void MarkSubmitted(IReadOnlyList<PointRecord> points, string jobId, Action<PointRecord> changed)
    {
        foreach (var point in points)
            Update(point, p =>
            {
                (p.State, p.Resumed, p.Job, p.ExitCode, p.WallSeconds) = (PointState.Queued, LocalRunner.HasCheckpoints(p.Folder), $"{jobId}_{p.Index}", null, null);
                p.Attempts++;
            }, changed);
    }

    /// <summary>Index lists as sbatch's --array takes them: 0-3,5,7-9.</summary>
    public static string Indices(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    private void Update(PointRecord point, Action<PointRecord> change, Action<PointRecord> changed)
    {
        lock (record)
        {
            var before = (point.State, point.ExitCode);
            change(point);
            if (before == (point.State, point.ExitCode)) return;
            record.Write(sweepFolder);
            changed(point);
        }
    }
}

/// <summary>Runs SLURM's client commands and collects their output.</summary>
internal static class External
{
    /// <exception cref="InvalidOperationException">The program is not installed (or not on PATH).</exception>
    public static (int Exit, string Output, string Error) Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            // The exception's message also names the working directory; its last sentence is the reason.
            var reason = e.Message.Split(". ", StringSplitOptions.RemoveEmptyEntries)[^1].TrimEnd('.');
            throw new InvalidOperationException($"{program} cannot be run ({reason}): --runner slurm needs SLURM's client commands (sbatch, squeue) on PATH", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
    }

    /// <summary>A program's message as one line: its lines joined with "; ".</summary>
    public static string OneLine(string text) =>
        string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
