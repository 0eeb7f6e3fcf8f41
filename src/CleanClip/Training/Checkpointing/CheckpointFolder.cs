using System.Text.RegularExpressions;
using System.Globalization;
using CleanClip.Checkpoints;
using CleanClip.Models;
using CleanClip.Training.Optimization;

namespace CleanClip.Training.Checkpointing;

/// <summary>
/// A run's <c>checkpoints/</c> folder: <c>step-NNNNNNNN.safetensors</c> files of which the newest
/// <c>keep</c> stay, plus <c>best.safetensors</c>, the one with the lowest validation loss so far.
/// </summary>
public sealed partial class CheckpointFolder(string path, int keep)
{
    [GeneratedRegex(@"^\.(step-\d{8}|best)\.safetensors\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex InterruptedWrite();

    public const string BestName = "best.safetensors";
    private const string Prefix = "step-", Extension = ".safetensors";

    public string Path { get; } = path;

    public string BestPath => System.IO.Path.Combine(Path, BestName);

    public string PathFor(long step) => System.IO.Path.Combine(Path, $"{Prefix}{step:D8}{Extension}");

    /// <summary>
    /// Deletes what writes killed mid-way left behind (AtomicFile's hidden <c>.NAME.GUID.tmp</c> files, as large as a
    /// checkpoint each); only one run writes to a folder, so at its start none of them is in use. Only temporary files
    /// of checkpoints match, so no other hidden file is touched. Returns how many.
    /// </summary>
    public int RemoveInterruptedWrites()
    {
        if (!Directory.Exists(Path)) return 0;
        var leftovers = Directory.GetFiles(Path, $".*{Extension}.*.tmp")
            .Where(f => InterruptedWrite().IsMatch(System.IO.Path.GetFileName(f))).ToList();
        foreach (var file in leftovers) File.Delete(file);
        return leftovers.Count;
    }

    /// <summary>Step checkpoints on disk, newest first (temporary files of interrupted writes are not among them).</summary>
    public IReadOnlyList<(long Step, string File)> StepFiles()
    {
        if (!Directory.Exists(Path)) return [];
        return Directory.EnumerateFiles(Path, $"{Prefix}*{Extension}")
            .Select(f => (Name: System.IO.Path.GetFileName(f), File: f))
            .Where(f => long.TryParse(f.Name[Prefix.Length..^Extension.Length], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f => (long.Parse(f.Name[Prefix.Length..^Extension.Length], CultureInfo.InvariantCulture), f.File))
            .OrderByDescending(f => f.Item1)
            .ToList();
    }

    /// <summary>
    /// The newest checkpoint whose header and training state read back, with the reasons the newer ones did not
    /// (a file cut short by a crash, say): resuming falls back to the last good one.
    /// </summary>
    public (string File, TrainingState State)? Latest(out IReadOnlyList<string> rejected)
    {
        var problems = new List<string>();
        rejected = problems;
        foreach (var (_, file) in StepFiles())
        {
            try
            {
                if (TrainingCheckpoint.ReadState(file) is { } state) return (file, state);
                problems.Add($"{file}: no training state");
            }
            catch (Exception e) when (e is CheckpointFormatException or InvalidDataException or IOException)
            {
                problems.Add(e.Message);
            }
        }
        return null;
    }

    /// <summary>Writes the checkpoint of <paramref name="state"/>'s step, then deletes step files beyond the newest <c>keep</c>.</summary>
    public string Save(ClipModel model, AdamWOptimizer optimizer, TrainingState state)
    {
        Directory.CreateDirectory(Path);
        var file = PathFor(state.Step);
        TrainingCheckpoint.Write(file, model, optimizer, state);
        foreach (var (_, old) in StepFiles().Skip(keep)) File.Delete(old);
        return file;
    }

    public void SaveBest(ClipModel model, AdamWOptimizer optimizer, TrainingState state)
    {
        Directory.CreateDirectory(Path);
        TrainingCheckpoint.Write(BestPath, model, optimizer, state);
    }
}
