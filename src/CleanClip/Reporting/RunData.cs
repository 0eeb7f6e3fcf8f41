using CleanClip.Training.Logging;
using CleanClip.Evaluation;

namespace CleanClip.Reporting;

/// <summary>
/// What one run folder holds for the report. A missing or unreadable eval.json or metrics.jsonl is not an error: the
/// run's section says why it is absent (a run still training may have a half-written last line), while a folder that
/// does not exist is.
/// </summary>
public sealed class RunData
{
    public required string Folder { get; init; }
    /// <summary>The folder's name, made unique among the report's runs.</summary>
    public required string Name { get; init; }
    public EvalResults? Eval { get; init; }
    public IReadOnlyList<MetricsLine>? Metrics { get; init; }
    /// <summary>The folder's <c>cleanclip scan</c> output, when it is a scan folder.</summary>
    public ScanData? Scan { get; init; }
    public List<string> Notes { get; } = [];

    /// <exception cref="DirectoryNotFoundException">The run folder does not exist.</exception>
    public static RunData Load(string folder, string name)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"run folder {folder} does not exist" + (File.Exists(full) ? " (it is a file; give the folder that holds eval.json / metrics.jsonl)" : ""));
        var notes = new List<string>();
        EvalResults? eval = null;
        IReadOnlyList<MetricsLine>? metrics = null;
        var evalPath = Path.Combine(full, EvalResults.FileName);
        if (!File.Exists(evalPath)) notes.Add($"no {EvalResults.FileName} in {folder}: no evaluation section");
        else
            try { eval = EvalResults.Read(evalPath); }
            catch (Exception e) when (e is InvalidDataException or IOException) { notes.Add($"{EvalResults.FileName} left out: {e.Message}"); }
        var metricsPath = Path.Combine(full, MetricsLine.FileName);
        if (!File.Exists(metricsPath)) notes.Add($"no {MetricsLine.FileName} in {folder}: no training curves");
        else
            try { metrics = MetricsLine.ReadAll(metricsPath); }
            catch (Exception e) when (e is InvalidDataException or IOException) { notes.Add($"{MetricsLine.FileName} left out: {e.Message}"); }
        ScanData? scan = null;
        try { scan = ScanData.Load(full); }
        catch (Exception e) when (e is InvalidDataException or IOException) { notes.Add($"scan left out: {e.Message}"); }
        if (scan is not null) notes.RemoveAll(n => n.StartsWith("no ", StringComparison.Ordinal));
        var run = new RunData { Folder = full, Name = name, Eval = eval, Metrics = metrics, Scan = scan };
        run.Notes.AddRange(notes);
        return run;
    }

    /// <summary>
    /// A path written in eval.json: as it is when absolute or when it exists from the current folder (eval ran there),
    /// else relative to the run folder.
    /// </summary>
    public string Resolve(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path) || Directory.Exists(path)) return Path.GetFullPath(path);
        var inRun = Path.Combine(Folder, path);
        return File.Exists(inRun) || Directory.Exists(inRun) ? inRun : Path.GetFullPath(path);
    }
}
