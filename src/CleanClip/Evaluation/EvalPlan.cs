using CleanClip.Data;

namespace CleanClip.Evaluation;

/// <summary>
/// The checks <see cref="EvalJob"/> makes before any model is loaded, so bad input fails in a second with a message
/// naming the file and value: metrics, labels, the eval set and its classes, the target, the output folder.
/// </summary>
internal sealed record EvalPlan(LabeledImageDataset Dataset, string ClassesSource, IReadOnlyList<string> Labels, int TargetIndex,
    bool NeedsTrigger, string OutputFolder)
{
    public static EvalPlan Create(EvalOptions options)
    {
        if (options.Checkpoints.Count == 0) throw new ArgumentException("no checkpoint to evaluate");
        foreach (var metric in options.Metrics.Where(m => m is EvalMetric.LinearProbe or EvalMetric.Retrieval))
            throw new NotSupportedException(
                $"metric '{Poisoning.KebabCaseEnumConverter<EvalMetric>.Format(metric)}' is not wired into cleanclip eval yet; use ca, asr, ra");
        if (options.Metrics.Count == 0) throw new ArgumentException("no metric asked for; use some of ca, asr, ra");
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be positive, got {options.BatchSize}");
        if (options.Labels is { } given && given.Count != options.Checkpoints.Count)
            throw new ArgumentException($"{given.Count} labels ({string.Join(", ", given)}) for {options.Checkpoints.Count} checkpoints; give one label per checkpoint");
        if (!File.Exists(options.Vocab)) throw new FileNotFoundException($"vocabulary file not found: {options.Vocab}", options.Vocab);
        var labels = options.Labels ?? options.Checkpoints.Select(DefaultLabel).ToList();

        var dataset = LabeledImageDataset.Load(options.EvalData, options.Classes);
        RefuseLabelErrors(dataset, options);
        var classesSource = options.Classes is { } classesPath ? Path.GetFullPath(classesPath) : FoundClassesFile(options.EvalData) ?? dataset.Root;

        bool needsTrigger = options.Wants(EvalMetric.Asr) || options.Wants(EvalMetric.Ra);
        int target = -1;
        if (needsTrigger)
        {
            try { target = dataset.Classes.IndexOf(options.Target); }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"target '{options.Target}' is not a class of {classesSource}: {e.Message}", e);
            }
        }
        var output = options.Output ?? (File.Exists(options.Checkpoints[0]) ? Path.GetDirectoryName(Path.GetFullPath(options.Checkpoints[0]))! : Directory.GetCurrentDirectory());
        return new EvalPlan(dataset, classesSource, labels, target, needsTrigger, Path.GetFullPath(output));
    }

    /// <summary>The file name without extension for a checkpoint file, the name itself for a registry model.</summary>
    public static string DefaultLabel(string checkpoint) =>
        File.Exists(checkpoint) || Directory.Exists(checkpoint) ? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(checkpoint)) : checkpoint;

    /// <summary>
    /// A label the reader skipped as not an index, or out of range, means the table and the classes file do not
    /// belong together: evaluating the rest would give a number for a different class set, so it is an error.
    /// </summary>
    private static void RefuseLabelErrors(LabeledImageDataset dataset, EvalOptions options)
    {
        int count = dataset.Skipped.Counts.Where(c => c.Key is SkipReason.BadLabel or SkipReason.LabelOutOfRange).Sum(c => c.Value);
        if (count == 0) return;
        // Examples keep only the first few skipped rows, which may all be missing images.
        var bad = dataset.Skipped.Examples.FirstOrDefault(e => e.Reason is SkipReason.BadLabel or SkipReason.LabelOutOfRange);
        var where = bad is null ? "" : $"line {bad.Line} ({bad.Path}): {bad.Detail}: ";
        var table = Path.Combine(dataset.Root, LabeledImageDataset.LabelsFileName);
        var classes = options.Classes ?? FoundClassesFile(options.EvalData) ?? "the classes file";
        throw new InvalidDataException(
            $"{table}: {where}labels must be class indices 0..{dataset.Classes.Classes.Count - 1} " +
            $"of {classes} ({count} row(s) are not); is this the classes file the labels were written for?");
    }

    private static string? FoundClassesFile(string evalData) =>
        LabeledImageDataset.ClassesFileNames.Select(n => Path.GetFullPath(Path.Combine(evalData, n))).FirstOrDefault(File.Exists);
}
