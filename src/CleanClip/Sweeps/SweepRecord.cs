using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CleanClip.Training;

namespace CleanClip.Sweeps;

/// <summary>Where a point stands (snake_case in sweep.json).</summary>
public enum PointState
{
    /// <summary>Never started.</summary>
    Pending,
    /// <summary>Submitted to SLURM, waiting in the queue.</summary>
    Queued,
    Running,
    /// <summary>Its run folder holds the completion marker (<see cref="RunCompletion"/>).</summary>
    Complete,
    /// <summary>The command exited with an error code of its own (bad input, a diverged run, a crash).</summary>
    Failed,
    /// <summary>Started but not complete: interrupted, cancelled, killed, or stopped at --stop-after. A rerun continues it.</summary>
    Incomplete,
}

/// <summary>
/// How a point's command ended, as the runner that ran it wrote it into the point's folder
/// (<see cref="FileName"/>: the local runner, or the SLURM script after the command returns).
/// </summary>
public sealed record PointExit(int ExitCode, double WallSeconds, DateTime? StartedUtc, string? Job, string? Host)
{
    public const string FileName = "sweep-exit.json";

    public static PointExit? Read(string folder)
    {
        var file = new FileInfo(Path.Combine(folder, FileName));
        if (!file.Exists || file.Length > 64 * 1024) return null;
        try { return JsonSerializer.Deserialize<PointExit>(File.ReadAllText(file.FullName), SweepRecord.Json); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException) { return null; }
    }

    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, SweepRecord.Json) + "\n");

    /// <summary>Removes the record of an earlier attempt before the point runs again (the sweep wrote it, so the sweep may remove it).</summary>
    public static void Clear(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>Exit codes of a process stopped by SIGINT (the training commands' own 130), SIGKILL or SIGTERM: the run was stopped, not refused.</summary>
    [JsonIgnore]
    public bool Stopped => ExitCode is 130 or 137 or 143;
}

/// <summary>One point in sweep.json.</summary>
public sealed class PointRecord
{
    /// <summary>The point's output as its runner collects it, appended in the point's folder.</summary>
    public const string LogFileName = "log.txt";

    /// <summary>
    /// Whether <paramref name="path"/> (an entry of a point's folder) is a file the runner writes there itself (the log
    /// and the exit record) rather than one of the command's: a command that insists on an empty output folder may
    /// ignore these.
    /// </summary>
    public static bool IsRunnerFile(string path) => Path.GetFileName(path) is LogFileName or PointExit.FileName;

    public int Index { get; set; }
    public string Name { get; set; } = "";
    public string Folder { get; set; } = "";
    public Dictionary<string, string> Values { get; set; } = [];
    /// <summary>The cleanclip arguments of a fresh run; a rerun of a folder with checkpoints adds <c>--resume FOLDER</c>.</summary>
    public List<string> Command { get; set; } = [];
    /// <summary>The whole command line as a shell reads it, program included.</summary>
    public string CommandLine { get; set; } = "";
    public PointState State { get; set; }
    public int? ExitCode { get; set; }
    /// <summary>When the latest attempt started and how long it ran.</summary>
    public DateTime? StartedUtc { get; set; }
    public double? WallSeconds { get; set; }
    /// <summary>Whether the latest attempt continued the run with --resume.</summary>
    public bool Resumed { get; set; }
    /// <summary>Attempts this sweep folder has seen started (local runs and SLURM submissions).</summary>
    public int Attempts { get; set; }
    /// <summary>The SLURM array task of the latest attempt (JOB_INDEX), or null for a local one.</summary>
    public string? Job { get; set; }

    /// <summary>
    /// Reads the point's state from its run folder: the completion marker decides complete; otherwise the exit the
    /// runner recorded says failed or stopped; a folder with no exit record is incomplete, and no folder at all pending.
    /// </summary>
    public void Observe()
    {
        var exit = PointExit.Read(Folder);
        if (exit is not null) (ExitCode, WallSeconds, StartedUtc) = (exit.ExitCode, exit.WallSeconds, exit.StartedUtc);
        State = RunCompletion.IsComplete(Folder) ? PointState.Complete
            : exit is { ExitCode: not 0, Stopped: false } ? PointState.Failed
            : exit is not null || (Directory.Exists(Folder) && Directory.EnumerateFileSystemEntries(Folder).Any()) ? PointState.Incomplete
            : PointState.Pending;
    }
}

/// <summary>What a SLURM submission of the sweep was.</summary>
public sealed class SlurmRecord
{
    public string JobId { get; set; } = "";
    public List<int> Submitted { get; set; } = [];
    public DateTime SubmittedUtc { get; set; }
    public string Script { get; set; } = "";
}

/// <summary>
/// <c>DIR/sweep.json</c>: the grid, every point with its command line and state, and the latest SLURM submission;
/// rewritten atomically whenever a point changes state, so it can be read while the sweep runs.
/// </summary>
public sealed class SweepRecord
{
    public const string FileName = "sweep.json";
    public const string CurrentFormat = "cleanclip-sweep/1";

    public string Format { get; set; } = CurrentFormat;
    public string GridFile { get; set; } = "";
    /// <summary>The grid as the file held it (comments dropped).</summary>
    public JsonNode? Grid { get; set; }
    /// <summary>The latest invocation's runner: local or slurm.</summary>
    public string Runner { get; set; } = "";
    /// <summary>Where the points' commands run (relative paths in the grid are relative to it).</summary>
    public string WorkingDirectory { get; set; } = "";
    /// <summary>The program that runs each point: the cleanclip executable, or dotnet and CleanClip.Cli.dll.</summary>
    public List<string> Program { get; set; } = [];
    public DateTime UpdatedUtc { get; set; }
    public SlurmRecord? Slurm { get; set; }
    public List<PointRecord> Points { get; set; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string PathIn(string sweepFolder) => Path.Combine(sweepFolder, FileName);

    /// <exception cref="InvalidDataException">The file is not a sweep record.</exception>
    public static SweepRecord Read(string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize<SweepRecord>(File.ReadAllText(path), Json);
            if (record is null || record.Format != CurrentFormat)
                throw new InvalidDataException($"{path} is not a cleanclip sweep record (format '{record?.Format}', expected '{CurrentFormat}')");
            return record;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: unreadable sweep record ({e.Message})", e);
        }
    }

    public void Write(string sweepFolder)
    {
        lock (this)
        {
            UpdatedUtc = DateTime.UtcNow;
            AtomicFile.WriteAllText(PathIn(sweepFolder), JsonSerializer.Serialize(this, Json) + "\n");
        }
    }
}
