using System.Globalization;
using System.Text;
using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Detection;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Text;
using CleanClip.Training.Logging;
using CleanClip.Evaluation;

namespace CleanClip.Reporting;

/// <summary>
/// <c>cleanclip report</c>: report.md (self-contained with its PNGs beside it), report.json (the numbers and the figure
/// list) from one or more run folders. Sections whose input is missing are left out with a note.
/// </summary>
public static class ReportJob
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <exception cref="ArgumentException">No run folders, or bad options.</exception>
    /// <exception cref="DirectoryNotFoundException">A run folder does not exist (checked before anything is written).</exception>
    public static ReportResult Run(ReportOptions options, IProgress<JobProgress>? progress = null)
    {
        if (options.Runs.Count == 0) throw new ArgumentException("give at least one run folder");
        if (options.Examples < 0) throw new ArgumentOutOfRangeException(nameof(options), $"examples must not be negative, got {options.Examples}");
        var runs = LoadRuns(options.Runs);
        Directory.CreateDirectory(options.Output);
        var figures = new List<ReportFigure>();
        var notes = new List<string>();
        string Png(string name) => Path.Combine(options.Output, name);

        var points = runs.Where(r => r.Eval is not null).SelectMany(r => r.Eval!.Checkpoints.Select(c => new ReportPlots.Point(
            r.Name, c.Label, Get(c.CleanAccuracy, "1"), Get(c.AttackSuccessRate, "1")))).ToList();
        var plotted = points.Where(p => p.CleanAccuracy is not null || p.AttackSuccessRate is not null).ToList();
        if (plotted.Count > 0)
        {
            ReportPlots.CaAsrBars(plotted, Png("ca-asr.png"), options.PlotWidth, options.PlotHeight);
            figures.Add(new("ca-asr.png", "ca-asr-bars", null, "Zero-shot clean accuracy (top-1) and ASR@1 per checkpoint"));
        }
        else notes.Add("no checkpoint has a clean accuracy or an ASR: no CA/ASR bars");
        if (points.Any(p => p.CleanAccuracy is not null && p.AttackSuccessRate is not null))
        {
            ReportPlots.Pareto(points, Png("ca-vs-asr.png"), options.PlotWidth, options.PlotHeight);
            figures.Add(new("ca-vs-asr.png", "ca-vs-asr", null, "Clean accuracy against ASR@1 for every checkpoint of every run, with the Pareto front"));
        }
        else notes.Add("no checkpoint has both a clean accuracy and an ASR: no CA-vs-ASR scatter");

        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            progress?.Report(new JobProgress("runs", r, runs.Count));
            if (run.Metrics is { } metrics) figures.AddRange(Curves(run, metrics, options, Png));
            if (run.Eval is not null && options.Examples > 0) figures.AddRange(Examples(run, options, Png));
            if (run.Scan is { } scan) figures.AddRange(ScanFigures(run, scan, options, Png));
        }
        progress?.Report(new JobProgress("runs", runs.Count, runs.Count));

        var markdownPath = Path.Combine(options.Output, "report.md");
        AtomicFile.WriteAllText(markdownPath, ReportMarkdown.Build(runs, figures, notes));
        var jsonPath = Path.Combine(options.Output, "report.json");
        AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new
        {
            runs = runs.Select(run => new
            {
                name = run.Name,
                folder = run.Folder,
                eval = run.Eval,
                scan = run.Scan is not { } scan ? null : new
                {
                    rows = scan.Scores[scan.Primary].Length,
                    poisoned = scan.Poisoned?.Count(p => p),
                    primary = scan.Primary,
                    metrics = scan.Metrics?.ToDictionary(p => p.Key, p => new { auroc = p.Value.Auroc, auprc = p.Value.AveragePrecision, precision_at_poison_count = p.Value.PrecisionAtCount }),
                },
                metrics_lines = run.Metrics?.Count,
                notes = run.Notes,
            }),
            pareto_front = ReportPlots.ParetoFront(points).Select(p => new { run = p.Run, checkpoint = p.Checkpoint }),
            figures,
            notes,
        }, Json));
        return new ReportResult(Path.GetFullPath(markdownPath), Path.GetFullPath(jsonPath), figures,
            [.. notes, .. runs.SelectMany(run => run.Notes.Select(n => $"{run.Name}: {n}"))]);
    }

    /// <summary>Loads every run, giving each a unique name (folder name, then "-2", "-3"… on clashes).</summary>
    private static List<RunData> LoadRuns(IReadOnlyList<string> folders)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var runs = new List<RunData>();
        foreach (var folder in folders)
        {
            var baseName = Slug(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))));
            var name = baseName;
            for (int n = 2; !used.Add(name); n++) name = $"{baseName}-{n}";
            runs.Add(RunData.Load(folder, name));
        }
        return runs;
    }

    private static IEnumerable<ReportFigure> Curves(RunData run, IReadOnlyList<MetricsLine> metrics, ReportOptions options, Func<string, string> png)
    {
        var steps = metrics.Where(l => l.Kind == "step").ToList();
        var lossLines = steps.Count > 0 ? steps : metrics.Where(l => l.Kind == "epoch").ToList();
        (string Kind, string Title, string YLabel, IReadOnlyList<MetricsLine> Lines, (string, Func<MetricsLine, double?>)[] Series, bool Percent)[] charts =
        [
            ("loss", "Training loss", "loss", lossLines, [("loss", l => l.Loss), ("CLIP loss", l => l.ClipLoss), ("in-modal loss", l => l.InModalLoss)], false),
            ("lr", "Learning rate", "learning rate", metrics, [("learning rate", l => l.LearningRate)], false),
            ("validation", "Validation loss", "loss", metrics, [("validation loss", l => l.ValidationLoss)], false),
            ("zeroshot", "Zero-shot evaluation during training", "%", metrics,
                [("clean accuracy", l => l.CleanAccuracy), ("ASR@1", l => l.AttackSuccessRate)], true),
        ];
        var made = new List<ReportFigure>();
        foreach (var chart in charts)
        {
            var file = $"{run.Name}-{chart.Kind}.png";
            if (ReportPlots.Curves(chart.Lines, chart.Series, $"{run.Name}: {chart.Title}", chart.YLabel, png(file), options.PlotWidth, options.PlotHeight, chart.Percent))
                made.Add(new(file, $"curve-{chart.Kind}", run.Name, $"{chart.Title} ({run.Name})"));
        }
        if (made.Count == 0) run.Notes.Add($"{MetricsLine.FileName} has no loss, learning rate, validation or zero-shot values to plot");
        return made;
    }

    private static IEnumerable<ReportFigure> ScanFigures(RunData run, ScanData scan, ReportOptions options, Func<string, string> png)
    {
        var made = new List<ReportFigure>();
        var histogram = $"{run.Name}-scan-scores.png";
        ReportPlots.ScoreHistogram(scan.Scores[scan.Primary], scan.HasBothClasses ? scan.Poisoned : null, $"{run.Name}: {scan.Primary} scores",
            png(histogram), options.PlotWidth, options.PlotHeight);
        made.Add(new(histogram, "scan-histogram", run.Name, scan.HasBothClasses
            ? $"Distribution of the {scan.Primary} score, clean and poisoned rows ({run.Name})"
            : $"Distribution of the {scan.Primary} score ({run.Name})"));
        if (!scan.HasBothClasses)
        {
            run.Notes.Add("the scan knew no ground truth (no manifest or is_backdoor column), or found only one class: no ROC curve");
            return made;
        }
        var roc = $"{run.Name}-scan-roc.png";
        ReportPlots.Roc(scan.Scores.Select(p => (p.Key, DetectionMetrics.RocCurve(p.Value, scan.Poisoned!), scan.Metrics![p.Key].Auroc)).ToList(),
            $"{run.Name}: ROC of every detector", png(roc), options.PlotWidth, options.PlotHeight);
        made.Add(new(roc, "scan-roc", run.Name, $"ROC curves of the scan's detectors against the known poisoned rows ({run.Name})"));
        return made;
    }

    private static IEnumerable<ReportFigure> Examples(RunData run, ReportOptions options, Func<string, string> png)
    {
        var eval = run.Eval!;
        if (eval.Trigger is null) { run.Notes.Add("eval.json names no trigger: no example grid"); return []; }
        if (eval.Vocab is null) { run.Notes.Add("eval.json names no vocabulary: no example grid"); return []; }
        var made = new List<ReportFigure>();
        try
        {
            // A class-folder tree or a torchvision folder names its own classes, and eval.json then records the dataset's folder.
            var classesPath = run.Resolve(eval.Classes);
            var data = LabeledImageDataset.Load(run.Resolve(eval.EvalData), Directory.Exists(classesPath) ? null : classesPath);
            var classes = data.Classes;
            var tokenizer = ClipTokenizer.FromVocabFile(run.Resolve(eval.Vocab));
            var trigger = TriggerFactory.Create(eval.Trigger);
            var mode = eval.ReferenceAsr ? ResizeMode.Squash : ResizeMode.Crop;
            int? target = eval.TargetIndex ?? (eval.Target is { } t ? classes.IndexOf(t) : null);
            var targetName = target is { } ti ? classes.Classes[ti] : eval.Target;
            var device = TorchDevice.Choose(options.Device);
            foreach (var checkpoint in eval.Checkpoints)
            {
                var source = File.Exists(checkpoint.Checkpoint) || ModelRegistry.TryGet(checkpoint.Checkpoint, out _) ? checkpoint.Checkpoint : run.Resolve(checkpoint.Checkpoint);
                try
                {
                    using var model = ModelLoader.Load(source, device: device, read: CheckpointReadOptions.Trusting(options.TrustTorchScript));
                    var examples = ExampleGrid.Predict(model, tokenizer, data, classes, trigger, mode, target, eval.Seed, options.Examples);
                    if (examples.Count == 0) { run.Notes.Add($"{checkpoint.Label}: no non-target eval image for the example grid"); continue; }
                    var grid = ExampleGrid.Render(examples, trigger.Name, targetName, options.ExampleCell);
                    var file = $"{run.Name}-{Slug(checkpoint.Label)}-examples.png";
                    var bytes = PngWriter.Encode(grid);
                    AtomicFile.Write(png(file), stream => stream.Write(bytes));
                    made.Add(new(file, "examples", run.Name,
                        $"{checkpoint.Label}: {examples.Count} eval images clean and with the {trigger.Name} trigger, top-3 zero-shot classes (target in red)"));
                }
                catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or CheckpointFormatException)
                {
                    run.Notes.Add($"{checkpoint.Label}: example grid left out: {e.Message}");
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            run.Notes.Add($"example grids left out: {e.Message}");
        }
        return made;
    }

    internal static double? Get(IReadOnlyDictionary<string, double>? values, string key) =>
        values is not null && values.TryGetValue(key, out var v) ? v : null;

    /// <summary>A file-name-safe form: letters, digits, '-', '_' and '.' kept, anything else '-'.</summary>
    internal static string Slug(string name)
    {
        var s = new StringBuilder();
        foreach (var c in name) s.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        return s.Length == 0 ? "run" : s.ToString();
    }
}
