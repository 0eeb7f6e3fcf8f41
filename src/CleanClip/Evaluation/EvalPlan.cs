using CleanClip.Data;

namespace CleanClip.Evaluation;

/// <summary>
/// The checks <see cref="EvalJob"/> makes before any model is loaded, so bad input fails in a second with a message
/// naming the file and value: metrics, labels, the eval set and its classes, the target, the output folder.
/// </summary>
internal sealed record EvalPlan(LabeledImageDataset Dataset, string ClassesSource, IReadOnlyList<string> Labels, int TargetIndex,
    bool NeedsTrigger, string OutputFolder)
{
    /// <summary>The linear probe's train split, read with the eval set's classes file (null unless linear-probe is asked).</summary>
    public LabeledImageDataset? ProbeTrain { get; init; }
    /// <summary>The retrieval caption table (null unless retrieval is asked).</summary>
    public ImageCaptionDataset? RetrievalSet { get; init; }

    public static EvalPlan Create(EvalOptions options)
    {
        if (options.Checkpoints.Count == 0) throw new ArgumentException("no checkpoint to evaluate");
        if (options.Metrics.Count == 0) throw new ArgumentException("no metric asked for; use some of ca, asr, ra, linear-probe, retrieval");
        if (options.Wants(EvalMetric.LinearProbe) && string.IsNullOrWhiteSpace(options.ProbeTrainData))
            throw new ArgumentException("the linear-probe metric needs a labeled train split for the probe: give --probe-train-data DIR (laid out like --eval-data)");
        if (options.Wants(EvalMetric.Retrieval) && string.IsNullOrWhiteSpace(options.RetrievalData))
            throw new ArgumentException("the retrieval metric needs an image-caption table: give --retrieval-data CSV");
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be positive, got {options.BatchSize}");
        if (options.Labels is { } given && given.Count != options.Checkpoints.Count)
            throw new ArgumentException($"{given.Count} labels ({string.Join(", ", given)}) for {options.Checkpoints.Count} checkpoints; give one label per checkpoint");
        if (!File.Exists(options.Vocab)) throw new FileNotFoundException($"vocabulary file not found: {options.Vocab}", options.Vocab);
        var labels = options.Labels ?? options.Checkpoints.Select(DefaultLabel).ToList();

        var dataset = LabeledImageDataset.Load(options.EvalData, options.Classes);
        RefuseLabelErrors(dataset, options.EvalData, options);
        var classesSource = options.Classes is { } classesPath ? Path.GetFullPath(classesPath) : FoundClassesFile(options.EvalData) ?? dataset.Root;
        var probeTrain = options.Wants(EvalMetric.LinearProbe) ? ProbeTrainSet(options, dataset, classesSource) : null;
        var retrieval = options.Wants(EvalMetric.Retrieval) ? ImageCaptionDataset.Load(options.RetrievalData!, options.RetrievalTable) : null;
        if (retrieval is { Count: 0 })
            throw new InvalidDataException($"{options.RetrievalData}: no usable image-caption row ({retrieval.Skipped.Summary()})");

        // Every backdoor number (zero-shot ASR and RA, the probe's ASR, the retrieval ASR) uses the one trigger and target.
        bool needsTrigger = options.Wants(EvalMetric.Asr) || options.Wants(EvalMetric.Ra)
            || options.Wants(EvalMetric.LinearProbe) || options.Wants(EvalMetric.Retrieval);
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
        return new EvalPlan(dataset, classesSource, labels, target, needsTrigger, Path.GetFullPath(output))
        {
            ProbeTrain = probeTrain,
            RetrievalSet = retrieval,
        };
    }

    /// <summary>
    /// The probe's train split, read with the eval set's classes file (or its own when the eval set is a folder per
    /// class), so label i means the same class in both; differing class lists are an error.
    /// </summary>
    private static LabeledImageDataset ProbeTrainSet(EvalOptions options, LabeledImageDataset eval, string classesSource)
    {
        var folder = options.ProbeTrainData!;
        var train = LabeledImageDataset.Load(folder, options.Classes ?? FoundClassesFile(options.EvalData), DatasetSplit.Train);
        RefuseLabelErrors(train, folder, options);
        if (!train.Classes.Classes.SequenceEqual(eval.Classes.Classes, StringComparer.Ordinal))
            throw new InvalidDataException(
                $"{folder}: the probe's train split has classes ({Preview(train.Classes.Classes)}) other than the eval set's {classesSource} ({Preview(eval.Classes.Classes)})");
        if (train.Count == 0) throw new InvalidDataException($"{folder}: the probe's train split has no usable image ({train.Skipped.Summary()})");
        return train;
    }

    private static string Preview(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5)) + (names.Count > 5 ? $", ... {names.Count} in all" : "");

    /// <summary>The file name without extension for a checkpoint file, the name itself for a registry model.</summary>
    public static string DefaultLabel(string checkpoint) =>
        File.Exists(checkpoint) || Directory.Exists(checkpoint) ? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(checkpoint)) : checkpoint;

    /// <summary>
    /// A label the reader skipped as not an index, or out of range, means the table and the classes file do not
    /// belong together: evaluating the rest would give a number for a different class set, so it is an error.
    /// </summary>
    private static void RefuseLabelErrors(LabeledImageDataset dataset, string folder, EvalOptions options)
    {
        int count = dataset.Skipped.Counts.Where(c => c.Key is SkipReason.BadLabel or SkipReason.LabelOutOfRange).Sum(c => c.Value);
        if (count == 0) return;
        // Examples keep only the first few skipped rows, which may all be missing images.
        var bad = dataset.Skipped.Examples.FirstOrDefault(e => e.Reason is SkipReason.BadLabel or SkipReason.LabelOutOfRange);
        var where = bad is null ? "" : $"line {bad.Line} ({bad.Path}): {bad.Detail}: ";
        var table = Path.Combine(dataset.Root, LabeledImageDataset.LabelsFileName);
        var classes = options.Classes ?? FoundClassesFile(options.EvalData) ?? FoundClassesFile(folder) ?? "the classes file";
        throw new InvalidDataException(
            $"{table}: {where}labels must be class indices 0..{dataset.Classes.Classes.Count - 1} " +
            $"of {classes} ({count} row(s) are not); is this the classes file the labels were written for?");
    }

    private static string? FoundClassesFile(string evalData) =>
        LabeledImageDataset.ClassesFileNames.Select(n => Path.GetFullPath(Path.Combine(evalData, n))).FirstOrDefault(File.Exists);
}
