using System.Diagnostics;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Detection;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CleanClip.Reporting;
using CleanClip.Poisoning.Dataset;
using CleanClip.Text;
using CleanClip.Training;
using CleanClip.Training.Supervised;
using CleanClip.Checkpoints;

namespace CleanClip.Demo;

/// <summary>How the demo shows its stages: the CLI draws headings and progress bars; tests pass a silent one.</summary>
public interface IDemoUi
{
    T Stage<T>(string heading, Func<IProgress<JobProgress>, T> work);
    T Training<T>(string heading, Func<IProgress<TrainingProgress>, T> work);
}

/// <summary>
/// One row of the demo's result table: zero-shot CA@1, ASR@1 and ASR@5 (the supervised row: its own head's), RA, DER
/// against the poisoned model, and the linear probe's accuracy and ASR (CLIP checkpoints only, when the demo runs it).
/// </summary>
public sealed record DemoRow(string Stage, double? CleanAccuracy, double? AttackSuccessRate, double? RobustAccuracy,
    double? DefenseEffectivenessRating, double Seconds, double? AttackSuccessRate5 = null,
    double? LinearProbeAccuracy = null, double? LinearProbeAttackSuccessRate = null);

public sealed record DemoResult(string Output, IReadOnlyList<DemoRow> Rows, string Report, string ResultsJson,
    IReadOnlyList<string> Commands, IReadOnlyList<string> Notes, TimeSpan Elapsed)
{
    /// <summary>How well the scan of the poisoned pretraining pairs found the poison, when the demo scanned.</summary>
    public DemoScan? Scan { get; init; }
}

/// <summary>
/// The demo's scan of its poisoned pretraining pairs: the primary detector's AUROC, average precision and precision at
/// the true poison count against the poison manifest.
/// </summary>
public sealed record DemoScan(string Detector, int Rows, int Poisoned, double Auroc, double AveragePrecision, double PrecisionAtCount, string Folder);

/// <summary>
/// <c>cleanclip demo</c>: a world (synthetic shapes, or captioned Fashion-MNIST images) → poisoned pretraining set → a
/// small CLIP trained on it → CleanCLIP and its baselines on disjoint clean pairs → one evaluation, table, report. Each
/// stage is the library call of the matching command, with the command line that reproduces it recorded next to it.
/// </summary>
public static class DemoJob
{
    /// <summary>The marker text of a demo's output folder (<see cref="OwnedFolder"/>).</summary>
    public const string OutputTag = "cleanclip-demo/1";

    /// <summary>
    /// The demo's cleaning runs EDA without WordNet when it is not installed (the CleanCLIP and SSL-only rows then have
    /// no synonym replacement or random insertion); this says so, for the CLI to print before the demo starts.
    /// </summary>
    public static string? WordNetNote(DemoOptions options) =>
        options.Methods.Any(m => m is TrainingMethod.CleanClip or TrainingMethod.Ssl) && Training.Augmentation.WordNet.Find(options.Cleaning.WordNet) is null
            ? "WordNet not found (install wordnet-base or set $WNHOME): the demo cleans with --no-wordnet, so EDA runs with swap and deletion only"
            : null;

    public static DemoResult Run(DemoOptions options, IDemoUi ui, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var output = Path.GetFullPath(options.Output);
        bool real = options.WorldKind == DemoWorldKind.Real;
        // Found (or refused, in one line) before anything is written.
        string? dataDir = real ? DemoData.Find(options.Real.Data) : null;
        CheckTrigger(options);
        Claim(output, dataDir);
        // The folder holds a finished demo only from the end of this run on (a sweep decides from the marker).
        RunCompletion.Clear(output);
        var notes = new List<string>();
        var commands = new List<string>();
        var seconds = new Dictionary<string, double>();

        // 1. World.
        var watch = Stopwatch.StartNew();
        var world = BuildWorld(options, dataDir, output, ui, commands);
        seconds["world"] = watch.Elapsed.TotalSeconds;

        // 2. Poison.
        watch.Restart();
        var poison = Poison(options, world, "poisoned", "2/6 poison the pretraining pairs", ui, commands);
        seconds["poison"] = watch.Elapsed.TotalSeconds;

        // 3. Vocabulary and poisoned pretraining.
        var vocab = Vocabulary(options, world, poison.Table, Path.Combine(output, "vocab.txt.gz"), commands);
        watch.Restart();
        var pretrained = Pretrain(options, poison.Table, vocab, Path.Combine(output, "runs", "poisoned"), "3/6 train a CLIP on the poisoned pairs", ui, commands, cancellation);
        notes.AddRange(pretrained.Notes);
        seconds["poisoned"] = watch.Elapsed.TotalSeconds;
        var poisonedModel = pretrained.Model;

        // 3b. Find the poison: scan the poisoned pairs with the model trained on them.
        DemoScan? scan = null;
        if (options.Scan)
        {
            watch.Restart();
            scan = ScanPoisoned(options, poison, poisonedModel, vocab, Path.Combine(output, "scan"), ui, commands);
            seconds["scan"] = watch.Elapsed.TotalSeconds;
        }

        // 4. Clean it several ways on the disjoint clean pairs.
        var checkpoints = new List<(string Label, string File)> { ("poisoned", poisonedModel) };
        if (options.FilterRetrain)
        {
            watch.Restart();
            var retrained = FilterAndRetrain(options, world, poison.Table, poisonedModel, vocab, Path.Combine(output, "filter-scan"), Path.Combine(output, "runs", FilteredLabel),
                "4/6 scan, filter and retrain", ui, commands, cancellation);
            notes.AddRange(retrained.Notes.Where(n => !notes.Contains(n)));
            seconds[FilteredLabel] = watch.Elapsed.TotalSeconds;
            checkpoints.Add((FilteredLabel, retrained.Model));
        }
        foreach (var method in options.Methods)
        {
            watch.Restart();
            var label = method.ToString().ToLowerInvariant();
            var cleaned = Clean(options, method, world, poisonedModel, vocab, Path.Combine(output, "runs", label), $"4/6 clean: {Describe(method)}", ui, commands, cancellation);
            notes.AddRange(cleaned.Notes.Where(n => !notes.Contains(n)));
            seconds[label] = watch.Elapsed.TotalSeconds;
            checkpoints.Add((label, cleaned.Model));
        }

        // 4b. Labeled images (the real world's cleaning images; a second synthetic world's class-balanced images):
        // supervised finetuning, the paper's other defense, trains on them and the linear probe is fitted on them.
        watch.Restart();
        string? labeledDir = options.Supervised is not null || options.LinearProbe ? LabeledData(options, world, output, ui, commands) : world.LabeledData;
        string? supervisedModel = null, supervisedHead = null;
        if (options.Supervised is not null)
        {
            (supervisedModel, supervisedHead) = Supervise(options, poisonedModel, labeledDir!, vocab, Path.Combine(output, "runs", "supervised"), ui, commands, cancellation);
            seconds["supervised"] = watch.Elapsed.TotalSeconds;
        }

        // 5. Evaluate every checkpoint on the labeled test split, triggered and not.
        watch.Restart();
        var evalDir = Path.Combine(output, "eval");
        bool probe = options.LinearProbe && labeledDir is not null;
        var eval = Evaluate(options, checkpoints, world, vocab, probe ? labeledDir : null, evalDir, "5/6 evaluate", ui, commands);
        seconds["eval"] = watch.Elapsed.TotalSeconds;

        var evals = eval.Results.Checkpoints.ToList();
        if (supervisedModel is not null)
        {
            var head = EvaluateSupervised(options, supervisedModel, supervisedHead!, world, vocab);
            var first = evals[0];
            evals.Add(head with
            {
                DefenseEffectivenessRating = BackdoorMetrics.DefenseEffectivenessRating(first.CleanAccuracy!["1"], first.AttackSuccessRate!["1"],
                    head.CleanAccuracy!["1"], head.AttackSuccessRate!["1"]),
            });
        }
        // The head's numbers join eval.json so the report shows every defense.
        (eval.Results with { Checkpoints = evals }).Write(eval.JsonPath);

        // 6. Report.
        var report = ui.Stage("6/6 report", progress => ReportJob.Run(new ReportOptions
        {
            Runs = [evalDir, .. evals.Select(c => Path.GetDirectoryName(c.Checkpoint)!)], Output = Path.Combine(output, "report"),
        }, progress));
        commands.Add(new CommandLine("report", [evalDir, .. evals.Select(c => Path.GetDirectoryName(c.Checkpoint)!)]).With(OptionNames.Out, Path.Combine(output, "report")).ToString());

        var rows = evals.Select(c => new DemoRow(c.Label, c.CleanAccuracy?["1"], c.AttackSuccessRate?["1"],
            c.RobustAccuracy, c.DefenseEffectivenessRating, seconds.GetValueOrDefault(c.Label),
            At(c.AttackSuccessRate, "5"), c.LinearProbeAccuracy, c.LinearProbeAttackSuccessRate)).ToList();
        var resultsJson = Path.Combine(output, ResultsFileName);
        AtomicFile.WriteAllText(resultsJson, JsonSerializer.Serialize(new
        {
            options = new
            {
                world_kind = options.WorldKind, world = real ? null : options.World,
                real = real ? new { data = dataDir, pretraining_range = options.Real.Pretraining.ToString(), cleaning_range = options.Real.Cleaning.ToString() } : null,
                trigger = options.Trigger.Name, patch_size = options.Trigger.PatchSize, options.Target, poison_rate = options.PoisonRate, options.Model,
                pretraining = options.Pretraining, cleaning = options.Cleaning, seed = options.Seed, linear_probe = probe,
            },
            rows, scan, stage_seconds = seconds, total_seconds = clock.Elapsed.TotalSeconds, machine = Models.MachineInfo.Current(), commands, report = report.MarkdownPath,
        }, EvalResults.Json));
        RunCompletion.Write(output, 0, resultsJson);
        return new DemoResult(output, rows, report.MarkdownPath, resultsJson, commands, notes, clock.Elapsed) { Scan = scan };
    }

    /// <summary>The demo's numbers (options, rows, scan, timings, commands) in its output folder.</summary>
    public const string ResultsFileName = "results.json";

    /// <summary>The row (and run folder) of the model retrained on the scan-filtered pretraining pairs.</summary>
    public const string FilteredLabel = "filtered";

    private static double? At(IReadOnlyDictionary<string, double>? byK, string k) => byK is not null && byK.TryGetValue(k, out var v) ? v : null;

    // The demo's stages, one library call each, shared with the matrix (MatrixJob). Each appends the command line that
    // reproduces it to `commands`.

    /// <summary>
    /// Stage 3b: scans the poisoned pretraining table with the poisoned model against the poison manifest; null when the
    /// ground truth is one-sided.
    /// </summary>
    public static DemoScan? ScanPoisoned(DemoOptions options, PoisonJob.Result poison, string model, string vocab, string output, IDemoUi ui, List<string> commands)
    {
        var manifest = Path.Combine(poison.Folder, PoisonJob.ManifestFileName);
        var result = ui.Stage("3/6 scan the poisoned pairs for the poison", progress => ScanJob.Run(new ScanOptions
        {
            Checkpoint = model, TrainData = poison.Table, Manifest = manifest, Vocab = vocab, Output = output, CacheDir = null,
            Device = options.Device, Precision = options.Precision, DecodeThreads = options.DecodeThreads,
        }, progress));
        commands.Add(new CommandLine("scan").With(OptionNames.Checkpoint, model).With(OptionNames.TrainData, poison.Table).With(OptionNames.Manifest, manifest)
            .With(OptionNames.Vocab, vocab).With(OptionNames.Out, output).ToString());
        var primary = result.Scores.Primary;
        return result.Metrics?.GetValueOrDefault(primary) is { } m
            ? new DemoScan(Detectors.Name(primary), m.Rows, m.Poisoned, m.Auroc, m.AveragePrecision, m.PrecisionAtCount, output)
            : null;
    }

    /// <summary>
    /// The dataset-side defense, in rounds (<see cref="DemoOptions.FilterFractions"/>): scan the table with the model
    /// trained on it, drop the given share of pairs that score as most anomalous (the defender does not know how many
    /// are poisoned), and train a fresh model on the rest with the pretraining recipe. The first round starts from the
    /// poisoned table and model; each later one from the previous round's filtered table and retrained model. The last
    /// round trains in <paramref name="runDir"/>, earlier ones in <c>runDir-round-N</c>. Filtered tables lie beside the
    /// poisoned one (their image paths are relative to that folder), scans in <paramref name="scanDir"/> (then
    /// <c>scanDir-N</c>); all are the caller's own and replaced on a rerun, except that with
    /// <paramref name="reuseFinishedRounds"/> (the matrix, whose poisoned model is itself kept once finished) an earlier
    /// round whose retrained model is complete, and whose scan filtered this round's model and count, is kept.
    /// </summary>
    public static StageModel FilterAndRetrain(DemoOptions options, DemoWorldFiles world, string poisonTable, string poisonedModel, string vocab, string scanDir, string runDir,
        string heading, IDemoUi ui, List<string> commands, CancellationToken cancellation, bool reuseFinishedRounds = false)
    {
        var fractions = options.FilterFractions;
        if (fractions.Count == 0 || fractions.Any(f => !(f > 0 && f < 1)))
            throw new ArgumentException($"filter fractions {string.Join(",", fractions)}: expected one share per round, each between 0 and 1");
        string table = poisonTable, model = poisonedModel;
        int rows = world.PretrainingPairs;   // the poisoned table has the world's pretraining pairs (poisoned rows replace clean ones)
        StageModel? retrained = null;
        var notes = new List<string>();
        for (int round = 1; round <= fractions.Count; round++)
        {
            bool last = round == fractions.Count;
            string suffix = round == 1 ? "" : $"-{round}", roundHeading = fractions.Count == 1 ? heading : $"{heading} (round {round} of {fractions.Count})";
            var filtered = Path.Combine(Path.GetDirectoryName(poisonTable)!, Path.GetFileNameWithoutExtension(poisonTable) + ".filtered" + suffix + ".csv");
            var roundScan = scanDir + suffix;
            int removeTop = (int)Math.Round(fractions[round - 1] * rows);
            var roundRun = last ? runDir : $"{runDir}-round-{round}";
            if (reuseFinishedRounds && !last && FinishedRound(roundScan, roundRun, model, filtered, removeTop) is { } kept)
            {
                (table, model, rows) = (filtered, kept, rows - removeTop);
                continue;
            }
            File.Delete(filtered);
            ResetRun(roundScan);
            var (scanned, scannedTable) = (model, table);
            ui.Stage($"{roundHeading}: scan and filter", progress => ScanJob.Run(new ScanOptions
            {
                Checkpoint = scanned, TrainData = scannedTable, Vocab = vocab, Output = roundScan, CacheDir = null, FilterOut = filtered, RemoveTop = removeTop,
                Device = options.Device, Precision = options.Precision, DecodeThreads = options.DecodeThreads,
            }, progress));
            commands.Add(new CommandLine("scan").With(OptionNames.Checkpoint, model).With(OptionNames.TrainData, table).With(OptionNames.Vocab, vocab)
                .With(OptionNames.Out, roundScan).With(OptionNames.FilterOut, filtered).With(OptionNames.RemoveTop, removeTop).ToString());
            retrained = Pretrain(options, filtered, vocab, roundRun, $"{roundHeading}: retrain on the filtered pairs", ui, commands, cancellation);
            notes.AddRange(retrained.Notes.Where(n => !notes.Contains(n)));
            (table, model, rows) = (filtered, retrained.Model, rows - removeTop);
        }
        return retrained! with { Notes = notes };
    }

    /// <summary>
    /// The model of a finished earlier round: its retraining completed, and its scan (scan.json) scanned
    /// <paramref name="model"/> and wrote <paramref name="filtered"/> without its top <paramref name="removeTop"/> rows.
    /// </summary>
    private static string? FinishedRound(string scanDir, string runDir, string model, string filtered, int removeTop)
    {
        if (RunCompletion.Read(runDir) is not { } marker || !File.Exists(Path.Combine(runDir, marker.Model)) || !File.Exists(filtered)) return null;
        try
        {
            using var scan = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(scanDir, "scan.json")));
            var root = scan.RootElement;
            bool same = Path.GetFullPath(root.GetProperty("checkpoint").GetString()!) == Path.GetFullPath(model)
                && root.GetProperty("filter").GetProperty("output").GetString() == Path.GetFullPath(filtered)
                && root.GetProperty("filter").GetProperty("remove_top").GetInt32() == removeTop;
            return same ? Path.Combine(runDir, marker.Model) : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Stage 1: the synthetic world, or the real world's captioned tables, in <paramref name="output"/>.</summary>
    public static DemoWorldFiles BuildWorld(DemoOptions options, string? dataDir, string output, IDemoUi ui, List<string> commands) =>
        options.WorldKind == DemoWorldKind.Real ? RealWorld(options, dataDir!, output, ui, commands) : SyntheticWorldFiles(options, output, ui, commands);

    /// <summary>
    /// Refuses, before anything is built, a trigger that cannot be stamped on the model's input (a patch size below 1 or
    /// too large for the image): the trigger is made and applied once to a blank image of that size.
    /// </summary>
    public static void CheckTrigger(DemoOptions options)
    {
        int r = Models.ModelRegistry.Get(options.Model).ImageResolution;
        try
        {
            Poisoning.TriggerFactory.Create(options.Trigger with { Seed = options.Seed }).Apply(new RgbImage(r, r, new byte[3 * r * r]), 0);
        }
        catch (ArgumentException e)
        {
            var size = options.Trigger.TriggerFile is { } file ? $"the patch of {file}" : $"--patch-size {options.Trigger.PatchSize}";
            throw new ArgumentException($"trigger {options.Trigger.Name} with {size} on the model's {r}x{r} images: {e.Message}");
        }
    }

    /// <summary>
    /// Stage 2: poisons <see cref="DemoOptions.PoisonRate"/> of the world's pretraining pairs with the options' trigger and
    /// mode, writing NAME.csv and NAME/ beside the clean table (replacing an earlier set of that name).
    /// </summary>
    public static PoisonJob.Result Poison(DemoOptions options, DemoWorldFiles world, string name, string heading, IDemoUi ui, List<string> commands)
    {
        int poisonCount = (int)Math.Round(options.PoisonRate * world.PretrainingPairs);
        // The trigger is applied at the model's resolution, as eval applies it.
        int modelResolution = Models.ModelRegistry.Get(options.Model).ImageResolution;
        var poison = ui.Stage(heading, progress => PoisonJob.Run(new PoisonJobOptions
        {
            Input = world.TrainCsv, Name = name, Overwrite = true, Resolution = modelResolution,
            Poison = new PoisonOptions { Target = options.Target, NumPoison = poisonCount, Seed = options.Seed, Mode = options.PoisonMode },
            Trigger = options.Trigger with { Seed = options.Seed },
        }, progress));
        commands.Add(new CommandLine("poison").With(OptionNames.Input, world.TrainCsv).With(OptionNames.Name, name).With(OptionNames.Target, options.Target)
            .With(OptionNames.NumPoison, poisonCount).With(OptionNames.Trigger, options.Trigger.Name).With(OptionNames.PatchSize, options.Trigger.PatchSize)
            .WithIf(options.PoisonMode != PoisonMode.DirtyLabel, OptionNames.Mode, options.PoisonMode).With(OptionNames.Seed, options.Seed)
            .With(OptionNames.Resolution, modelResolution).Flag(OptionNames.Overwrite).ToString());
        return poison;
    }

    /// <summary>
    /// The vocabulary at <paramref name="vocab"/>: <c>cleanclip vocab</c> on the poisoned pretraining table and the
    /// world's class prompts (<see cref="DemoOptions.Merges"/> merges).
    /// </summary>
    public static string Vocabulary(DemoOptions options, DemoWorldFiles world, string poisonTable, string vocab, List<string> commands)
    {
        // vocab writes only a new file; the old one lies in the caller's own folder and goes with the old runs.
        File.Delete(vocab);
        int size = VocabJob.BaseTokens + options.Merges;
        VocabJob.Run(new VocabJobOptions { TrainData = poisonTable, Classes = world.ClassesFile, Size = size, Out = vocab });
        commands.Add(new CommandLine("vocab").With(OptionNames.TrainData, poisonTable).With(OptionNames.Size, size).With(OptionNames.Classes, world.ClassesFile)
            .With(OptionNames.Out, vocab).ToString());
        return vocab;
    }

    /// <summary>The commands that reproduce a stage name the precision only when it is not the default.</summary>
    private static CommandLine WithPrecision(this CommandLine line, DemoOptions options) =>
        line.WithIf(options.Precision != Models.Precision.Fp32, OptionNames.Precision, options.Precision);

    /// <summary>A training stage's loop settings, as its command line gives them.</summary>
    private static CommandLine WithLoop(this CommandLine line, TrainingOptions training) =>
        line.With(OptionNames.Epochs, training.Epochs).With(OptionNames.BatchSize, training.BatchSize).With(OptionNames.Lr, training.LearningRate)
            .With(OptionNames.Warmup, training.WarmupSteps);

    /// <summary>A finished training stage: its final weights and the notes of its run.</summary>
    public sealed record StageModel(string Model, IReadOnlyList<string> Notes);

    /// <summary>Stage 3: the model trained from scratch on the poisoned table in a fresh <paramref name="runDir"/>.</summary>
    public static StageModel Pretrain(DemoOptions options, string poisonTable, string vocab, string runDir, string heading, IDemoUi ui, List<string> commands,
        CancellationToken cancellation)
    {
        ResetRun(runDir);
        var pretrained = ui.Training(heading, progress => TrainJob.Run(new TrainJobOptions
        {
            TrainData = poisonTable, Init = options.Model, Vocab = vocab, Out = runDir, Device = options.Device,
            Training = options.Pretraining with { Seed = options.Seed, DecodeThreads = options.DecodeThreads, Precision = options.Precision },
        }, progress, cancellation));
        var model = pretrained.Training.ModelFile ?? throw new OperationCanceledException("interrupted while training");
        commands.Add(new CommandLine("train").With(OptionNames.TrainData, poisonTable).With(OptionNames.Init, options.Model).With(OptionNames.Vocab, vocab)
            .With(OptionNames.Out, runDir).WithLoop(options.Pretraining).With(OptionNames.Beta2, options.Pretraining.Beta2)
            .With(OptionNames.WeightDecay, options.Pretraining.WeightDecay).With(OptionNames.Seed, options.Seed).WithPrecision(options).ToString());
        return new StageModel(model, pretrained.Notes);
    }

    /// <summary>Stage 4: <paramref name="poisonedModel"/> cleaned by <paramref name="method"/> on the world's cleaning pairs in a fresh <paramref name="runDir"/>.</summary>
    public static StageModel Clean(DemoOptions options, TrainingMethod method, DemoWorldFiles world, string poisonedModel, string vocab, string runDir, string heading,
        IDemoUi ui, List<string> commands, CancellationToken cancellation)
    {
        // Every cleaning run of one demo (or matrix) runs without WordNet when any of its methods would miss it.
        bool noWordNet = WordNetNote(options) is not null;
        ResetRun(runDir);
        var cleaned = ui.Training(heading, progress => TrainJob.Run(new TrainJobOptions
        {
            TrainData = world.FinetuneCsv, Init = poisonedModel, Vocab = vocab, Out = runDir, Device = options.Device,
            Training = options.Cleaning with
            {
                Method = method, Seed = options.Seed, DecodeThreads = options.DecodeThreads, Precision = options.Precision,
                NoWordNet = options.Cleaning.NoWordNet || noWordNet,
                // As `clean --method par` does when no augmentation is given.
                ImageAugmentation = TrainingOptions.DefaultImageAugmentation(method, options.Cleaning.ImageAugmentation),
            },
        }, progress, cancellation));
        var model = cleaned.Training.ModelFile ?? throw new OperationCanceledException("interrupted while cleaning");
                // λ2 is named for the methods with an in-modal loss when it is not the default 1.
        bool inModal = method is TrainingMethod.CleanClip or TrainingMethod.Ssl && options.Cleaning.InModalWeight != 1;
        commands.Add(new CommandLine("clean").With(OptionNames.Checkpoint, poisonedModel).With(OptionNames.TrainData, world.FinetuneCsv).With(OptionNames.Vocab, vocab)
            .With(OptionNames.Out, runDir).With(OptionNames.Method, method).WithLoop(options.Cleaning).With(OptionNames.Beta2, options.Cleaning.Beta2)
            .WithIf(inModal, OptionNames.InmodalWeight, options.Cleaning.InModalWeight).With(OptionNames.Seed, options.Seed).WithPrecision(options)
            .Flag(OptionNames.NoWordnet, noWordNet).ToString());
        return new StageModel(model, cleaned.Notes);
    }

    /// <summary>
    /// The labeled images of supervised finetuning and the linear probe: the real world's cleaning images, or a second
    /// synthetic world's class-balanced test split generated into <paramref name="output"/>/labeled.
    /// </summary>
    public static string LabeledData(DemoOptions options, DemoWorldFiles world, string output, IDemoUi ui, List<string> commands)
    {
        if (world.LabeledData is { } labeled) return labeled;
        var labeledRoot = Path.Combine(output, "labeled");
        ui.Stage("4/6 labeled images for supervised finetuning", progress => SyntheticWorld.Generate(options.World with
        {
            Seed = options.World.Seed + 1, Count = 1, FinetuneCount = 1, TestCount = options.SupervisedImages, Overwrite = true,
        }, labeledRoot, progress));
        commands.Add(Synth(labeledRoot, 1, 1, options.SupervisedImages, options.World with { Seed = options.World.Seed + 1 }));
        return Path.Combine(labeledRoot, "test");
    }

    /// <summary>Supervised finetuning (image tower and a linear head) of <paramref name="poisonedModel"/> on the labeled images, in a fresh <paramref name="runDir"/>.</summary>
    public static (string Model, string Head) Supervise(DemoOptions options, string poisonedModel, string labeledDir, string vocab, string runDir,
        IDemoUi ui, List<string> commands, CancellationToken cancellation)
    {
        var supervised = options.Supervised ?? throw new ArgumentException("supervised finetuning needs DemoOptions.Supervised");
        ResetRun(runDir);
        var result = ui.Training("4/6 clean: supervised finetuning (image tower + linear head)", progress => SupervisedJob.Run(new SupervisedJobOptions
        {
            Checkpoint = poisonedModel, TrainData = labeledDir, Vocab = vocab, Out = runDir, Device = options.Device,
            Training = supervised with { Seed = options.Seed, DecodeThreads = options.DecodeThreads, Precision = options.Precision },
        }, progress, cancellation)).Training;
        if (result.Outcome != TrainingOutcome.Completed) throw new OperationCanceledException("interrupted during supervised finetuning");
        commands.Add(new CommandLine("finetune-supervised").With(OptionNames.Checkpoint, poisonedModel).With(OptionNames.TrainData, labeledDir)
            .With(OptionNames.HeadInit, supervised.HeadInit == HeadInit.ZeroShot ? "zero-shot" : "random").With(OptionNames.Vocab, vocab).With(OptionNames.Out, runDir)
            .With(OptionNames.Epochs, supervised.Epochs).With(OptionNames.BatchSize, supervised.BatchSize).With(OptionNames.Lr, supervised.LearningRate)
            .With(OptionNames.Warmup, supervised.WarmupSteps).With(OptionNames.Seed, options.Seed).WithPrecision(options).ToString());
        return (result.ModelFile!, result.HeadFile!);
    }

    /// <summary>
    /// Stage 5: zero-shot CA and ASR (and RA) of the CLIP checkpoints on the world's test split into
    /// <paramref name="evalDir"/>, with the linear probe fitted on <paramref name="probeTrainData"/> when given.
    /// </summary>
    public static EvalJob.Result Evaluate(DemoOptions options, IReadOnlyList<(string Label, string File)> checkpoints, DemoWorldFiles world, string vocab,
        string? probeTrainData, string evalDir, string heading, IDemoUi ui, List<string> commands)
    {
        bool probe = probeTrainData is not null;
        var eval = ui.Stage(heading, progress => EvalJob.Run(new EvalOptions
        {
            Checkpoints = checkpoints.Select(c => c.File).ToList(), Labels = checkpoints.Select(c => c.Label).ToList(),
            EvalData = world.TestData, Vocab = vocab, Target = options.Target, Trigger = options.Trigger with { Seed = options.Seed },
            Seed = options.Seed, Device = options.Device, Output = evalDir, CacheDir = null, Precision = options.Precision,
            Metrics = probe ? [EvalMetric.Ca, EvalMetric.Asr, EvalMetric.Ra, EvalMetric.LinearProbe] : [EvalMetric.Ca, EvalMetric.Asr, EvalMetric.Ra],
            ProbeTrainData = probeTrainData, LinearProbe = new LinearProbeOptions { Seed = options.Seed },
        }, progress));
        commands.Add(new CommandLine("eval").WithEach(OptionNames.Checkpoint, checkpoints.Select(c => c.File)).With(OptionNames.Labels, string.Join(",", checkpoints.Select(c => c.Label)))
            .With(OptionNames.EvalData, world.TestData).With(OptionNames.Vocab, vocab).With(OptionNames.Trigger, options.Trigger.Name)
            .With(OptionNames.PatchSize, options.Trigger.PatchSize).With(OptionNames.TriggerSeed, options.Seed).With(OptionNames.Target, options.Target)
            .With(OptionNames.Seed, options.Seed).WithIf(probe, OptionNames.Metrics, "ca,asr,ra,linear-probe").WithIf(probe, OptionNames.ProbeTrainData, probeTrainData)
            .WithIf(probe, OptionNames.ProbeSeed, options.Seed).With(OptionNames.Out, evalDir).WithPrecision(options).ToString());
        return eval;
    }

    /// <summary>The supervised model's own head on the world's test split: CA and ASR as the head classifies, labeled "supervised".</summary>
    public static CheckpointEval EvaluateSupervised(DemoOptions options, string model, string head, DemoWorldFiles world, string vocab)
    {
        using var classifier = SupervisedClassifier.Load(model, head, Models.TorchDevice.Choose(options.Device));
        classifier.Model.Precision = options.Precision;
        return SupervisedEvaluation.Evaluate(classifier, new EvalOptions
        {
            EvalData = world.TestData, Vocab = vocab, Target = options.Target,
            Trigger = options.Trigger with { Seed = options.Seed }, Seed = options.Seed, Device = options.Device,
        }, "supervised") with { Checkpoint = model };
    }

    /// <summary>
    /// What stage 1 built: the clean pretraining table (poisoned next), the cleaning table, the labeled test set, the
    /// classes file whose prompts join the vocabulary, and a labeled set for supervised finetuning and the probe
    /// (null: the synthetic demo generates one later).
    /// </summary>
    public sealed record DemoWorldFiles(string TrainCsv, int PretrainingPairs, string FinetuneCsv, string TestData, string ClassesFile, string? LabeledData);

    private static DemoWorldFiles SyntheticWorldFiles(DemoOptions options, string output, IDemoUi ui, List<string> commands)
    {
        var worldDir = Path.Combine(output, "world");
        ui.Stage("1/6 synthetic world", progress => SyntheticWorld.Generate(options.World with { Overwrite = true }, worldDir, progress));
        commands.Add(Synth(worldDir, options.World.Count, options.World.FinetuneCount, options.World.TestCount, options.World));
        var testDir = Path.Combine(worldDir, "test");
        return new DemoWorldFiles(Path.Combine(worldDir, "train", "train.csv"), options.World.Count, Path.Combine(worldDir, "finetune", "finetune.csv"),
            testDir, Path.Combine(testDir, "classes.json"), null);
    }

    /// <summary>The <c>cleanclip synth</c> command line of a world with these counts and <paramref name="world"/>'s other settings.</summary>
    private static string Synth(string output, int count, int finetune, int test, SyntheticWorldOptions world) =>
        new CommandLine("synth").With(OptionNames.Out, output).With(OptionNames.N, count).With(OptionNames.Finetune, finetune).With(OptionNames.Test, test)
            .With(OptionNames.Size, world.ImageSize).With(OptionNames.Seed, world.Seed).With(OptionNames.KindCentred, world.KindCentredProbability)
            .Flag(OptionNames.Overwrite).ToString();

    /// <summary>The folder of the real world's captioned tables inside the demo's output.</summary>
    public const string RealWorldFolder = "real-world";

    /// <summary>
    /// Captioned tables from two disjoint ranges of the Fashion-MNIST train split (<c>cleanclip caption-table</c>), the
    /// template of each caption chosen by the seed; the cleaning table is named labels.csv, which makes its folder the
    /// labeled set of supervised finetuning and the probe. The test split of the data folder is the eval set.
    /// </summary>
    private static DemoWorldFiles RealWorld(DemoOptions options, string dataDir, string output, IDemoUi ui, List<string> commands)
    {
        var (pretraining, cleaning) = (options.Real.Pretraining, options.Real.Cleaning);
        if (pretraining.Start < cleaning.End && cleaning.Start < pretraining.End)
            throw new ArgumentException($"the real world's pretraining range {pretraining} and cleaning range {cleaning} overlap: cleaning pairs must be unseen");
        var worldDir = Path.Combine(output, RealWorldFolder);
        // caption-table writes only into new folders; the old tables lie in the demo's own folder.
        ResetRun(worldDir);
        var pretrainTable = Path.Combine(worldDir, "pretrain", "table.csv");
        var cleanTable = Path.Combine(worldDir, "clean", LabeledImageDataset.LabelsFileName);
        foreach (var (heading, range, table) in new[] { ("1/6 Fashion-MNIST: pretraining pairs", pretraining, pretrainTable), ("1/6 Fashion-MNIST: cleaning pairs", cleaning, cleanTable) })
        {
            ui.Stage(heading, progress => CaptionTableJob.Run(new CaptionTableJobOptions
            {
                Data = dataDir, Split = DatasetSplit.Train, Range = (range.Start, range.End), Seed = options.Seed, Out = table,
            }, progress));
            commands.Add(new CommandLine("caption-table").With(OptionNames.Data, dataDir).With(OptionNames.Split, "train").With(OptionNames.Range, range)
                .With(OptionNames.Seed, options.Seed).With(OptionNames.Out, table).ToString());
        }
        return new DemoWorldFiles(pretrainTable, pretraining.Count, cleanTable, dataDir,
            Path.Combine(worldDir, "pretrain", CaptionTableJob.ClassesFileName), Path.GetDirectoryName(cleanTable));
    }

    /// <summary>
    /// Makes <paramref name="output"/> a demo's folder. A rerun replaces the world, runs and reports inside it, so it must
    /// be a demo's own (or new, or empty), and it must not hold or lie inside the real world's data folder.
    /// </summary>
    internal static void Claim(string output, string? dataDir) =>
        ClaimOutput(output, OutputTag, "demo", dataDir, "the demo replaces its world, runs and reports there");

    /// <summary>
    /// Makes <paramref name="output"/> the folder of a demo-like command (<paramref name="what"/>: demo, matrix), marked
    /// with <paramref name="tag"/>: new, empty, or its own already, and apart from the real world's data folder. A
    /// sweep's runner writes its log and exit record into a point's folder before the command starts there, so those
    /// do not count. Nothing is written before this check.
    /// </summary>
    internal static void ClaimOutput(string output, string tag, string what, string? dataDir, string? why = null)
    {
        if (!OwnedFolder.MayClaim(output, tag, Sweeps.PointRecord.IsRunnerFile))
            throw new IOException($"--out {output} is not empty and is not a {what}'s folder (no {OwnedFolder.MarkerName} of '{tag}'); "
                + (why is null ? "" : why + ": ") + "choose a new or empty folder");
        if (dataDir is not null) OwnedFolder.EnsureApart(output, [dataDir], $"write the {what} into");
        OwnedFolder.Create(output, tag);
    }

    public static string Describe(TrainingMethod method) => method switch
    {
        TrainingMethod.CleanClip => "CleanCLIP (CLIP loss + in-modal loss)",
        TrainingMethod.Mmcl => "MMCL-only finetuning (CLIP loss)",
        TrainingMethod.Ssl => "SSL-only finetuning (in-modal loss)",
        TrainingMethod.Par => "PAR (CLIP loss − perturbation from the frozen poisoned model)",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>A demo run folder lies in the demo's own marked output: a rerun starts it afresh rather than refusing or resuming.</summary>
    private static void ResetRun(string runDir)
    {
        if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
    }
}
