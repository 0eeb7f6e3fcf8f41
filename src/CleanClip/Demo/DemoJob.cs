using System.Diagnostics;
using System.Text.Json;
using CleanClip.Data;
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
    IReadOnlyList<string> Commands, IReadOnlyList<string> Notes, TimeSpan Elapsed);

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
        Claim(output, dataDir);
        var notes = new List<string>();
        var commands = new List<string>();
        var seconds = new Dictionary<string, double>();

        // 1. World.
        var watch = Stopwatch.StartNew();
        var world = real ? RealWorld(options, dataDir!, output, ui, commands) : SyntheticWorldFiles(options, output, ui, commands);
        seconds["world"] = watch.Elapsed.TotalSeconds;
        var (trainCsv, finetuneCsv, testDir) = (world.TrainCsv, world.FinetuneCsv, world.TestData);

        // 2. Poison.
        watch.Restart();
        int poisonCount = (int)Math.Round(options.PoisonRate * world.PretrainingPairs);
        // The trigger is applied at the model's resolution, as eval applies it.
        int modelResolution = Models.ModelRegistry.Get(options.Model).ImageResolution;
        var poison = ui.Stage("2/6 poison the pretraining pairs", progress => PoisonJob.Run(new PoisonJobOptions
        {
            Input = trainCsv, Name = "poisoned", Overwrite = true, Resolution = modelResolution,
            Poison = new PoisonOptions { Target = options.Target, NumPoison = poisonCount, Seed = options.Seed },
            Trigger = options.Trigger with { Seed = options.Seed },
        }, progress));
        seconds["poison"] = watch.Elapsed.TotalSeconds;
        commands.Add($"cleanclip poison --input {trainCsv} --name poisoned --target {options.Target} --num-poison {poisonCount} --trigger {options.Trigger.Name} --patch-size {options.Trigger.PatchSize} --seed {options.Seed} --resolution {modelResolution} --overwrite");

        // The commands that reproduce a stage name the precision only when it is not the default.
        string precisionFlag = options.Precision == Models.Precision.Fp32 ? "" : $" --precision {options.Precision}";

        // 3. Vocabulary and poisoned pretraining.
        var vocab = Path.Combine(output, "vocab.txt.gz");
        if (real)
        {
            // vocab writes only a new file; the old one lies in the demo's own folder and goes with the old runs.
            File.Delete(vocab);
            int size = VocabJob.BaseTokens + options.Merges;
            VocabJob.Run(new VocabJobOptions { TrainData = poison.Table, Classes = world.ClassesFile, Size = size, Out = vocab });
            commands.Add($"cleanclip vocab --train-data {poison.Table} --size {size} --classes {world.ClassesFile} --out {vocab}");
        }
        else
        {
            var captions = ImageCaptionDataset.Load(poison.Table).Rows.Select(r => r.Caption).ToList();
            var classes = ClassesFile.Read(world.ClassesFile);
            captions.AddRange(Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts));
            BpeTrainer.TrainToFile(captions, vocab, options.Merges);
        }
        watch.Restart();
        var poisonedRun = Path.Combine(output, "runs", "poisoned");
        ResetRun(poisonedRun);
        var pretrained = ui.Training("3/6 train a CLIP on the poisoned pairs", progress => TrainJob.Run(new TrainJobOptions
        {
            TrainData = poison.Table, Init = options.Model, Vocab = vocab, Out = poisonedRun, Device = options.Device,
            Training = options.Pretraining with { Seed = options.Seed, DecodeThreads = options.DecodeThreads, Precision = options.Precision },
        }, progress, cancellation));
        notes.AddRange(pretrained.Notes);
        seconds["poisoned"] = watch.Elapsed.TotalSeconds;
        var poisonedModel = pretrained.Training.ModelFile ?? throw new OperationCanceledException("the demo was interrupted while training");
        commands.Add($"cleanclip train --train-data {poison.Table} --init {options.Model} --vocab {vocab} --out {poisonedRun} --epochs {options.Pretraining.Epochs} --batch-size {options.Pretraining.BatchSize} --lr {options.Pretraining.LearningRate} --warmup {options.Pretraining.WarmupSteps} --beta2 {options.Pretraining.Beta2} --weight-decay {options.Pretraining.WeightDecay} --seed {options.Seed}{precisionFlag}");

        // 4. Clean it several ways on the disjoint clean pairs.
        var checkpoints = new List<(string Label, string File)> { ("poisoned", poisonedModel) };
        bool noWordNet = WordNetNote(options) is not null;
        string wordNetFlag = noWordNet ? " --no-wordnet" : "";
        foreach (var method in options.Methods)
        {
            watch.Restart();
            var label = method.ToString().ToLowerInvariant();
            var runDir = Path.Combine(output, "runs", label);
            ResetRun(runDir);
            var cleaned = ui.Training($"4/6 clean: {Describe(method)}", progress => TrainJob.Run(new TrainJobOptions
            {
                TrainData = finetuneCsv, Init = poisonedModel, Vocab = vocab, Out = runDir, Device = options.Device,
                Training = options.Cleaning with
                {
                    Method = method, Seed = options.Seed, DecodeThreads = options.DecodeThreads, Precision = options.Precision,
                    NoWordNet = options.Cleaning.NoWordNet || noWordNet,
                    // As `clean --method par` does when no augmentation is given.
                    ImageAugmentation = TrainingOptions.DefaultImageAugmentation(method, options.Cleaning.ImageAugmentation),
                },
            }, progress, cancellation));
            notes.AddRange(cleaned.Notes.Where(n => !notes.Contains(n)));
            seconds[label] = watch.Elapsed.TotalSeconds;
            checkpoints.Add((label, cleaned.Training.ModelFile ?? throw new OperationCanceledException("the demo was interrupted while cleaning")));
            commands.Add($"cleanclip clean --checkpoint {poisonedModel} --train-data {finetuneCsv} --vocab {vocab} --out {runDir} --method {method} --epochs {options.Cleaning.Epochs} --batch-size {options.Cleaning.BatchSize} --lr {options.Cleaning.LearningRate} --warmup {options.Cleaning.WarmupSteps} --beta2 {options.Cleaning.Beta2} --seed {options.Seed}{precisionFlag}{wordNetFlag}");
        }

        // 4b. Labeled images (the real world's cleaning images; a second synthetic world's class-balanced images):
        // supervised finetuning, the paper's other defense, trains on them and the linear probe is fitted on them.
        string? labeledDir = world.LabeledData;
        string? supervisedModel = null, supervisedHead = null;
        watch.Restart();
        if (labeledDir is null && (options.Supervised is not null || options.LinearProbe))
        {
            var labeledRoot = Path.Combine(output, "labeled");
            ui.Stage("4/6 labeled images for supervised finetuning", progress => SyntheticWorld.Generate(options.World with
            {
                Seed = options.World.Seed + 1, Count = 1, FinetuneCount = 1, TestCount = options.SupervisedImages, Overwrite = true,
            }, labeledRoot, progress));
            labeledDir = Path.Combine(labeledRoot, "test");
            commands.Add($"cleanclip synth --out {labeledRoot} --n 1 --finetune 1 --test {options.SupervisedImages} --size {options.World.ImageSize} --seed {options.World.Seed + 1} --kind-centred {options.World.KindCentredProbability} --overwrite");
        }
        if (options.Supervised is { } supervised)
        {
            var runDir = Path.Combine(output, "runs", "supervised");
            ResetRun(runDir);
            var result = ui.Training("4/6 clean: supervised finetuning (image tower + linear head)", progress => SupervisedJob.Run(new SupervisedJobOptions
            {
                Checkpoint = poisonedModel, TrainData = labeledDir!, Vocab = vocab, Out = runDir, Device = options.Device,
                Training = supervised with { Seed = options.Seed, DecodeThreads = options.DecodeThreads, Precision = options.Precision },
            }, progress, cancellation)).Training;
            if (result.Outcome != TrainingOutcome.Completed) throw new OperationCanceledException("the demo was interrupted during supervised finetuning");
            (supervisedModel, supervisedHead) = (result.ModelFile, result.HeadFile);
            seconds["supervised"] = watch.Elapsed.TotalSeconds;
            commands.Add($"cleanclip finetune-supervised --checkpoint {poisonedModel} --train-data {labeledDir} --head-init {supervised.HeadInit} --vocab {vocab} --out {runDir} --epochs {supervised.Epochs} --batch-size {supervised.BatchSize} --lr {supervised.LearningRate} --warmup {supervised.WarmupSteps} --seed {options.Seed}{precisionFlag}");
        }

        // 5. Evaluate every checkpoint on the labeled test split, triggered and not.
        watch.Restart();
        var evalDir = Path.Combine(output, "eval");
        bool probe = options.LinearProbe && labeledDir is not null;
        var eval = ui.Stage("5/6 evaluate", progress => EvalJob.Run(new EvalOptions
        {
            Checkpoints = checkpoints.Select(c => c.File).ToList(), Labels = checkpoints.Select(c => c.Label).ToList(),
            EvalData = testDir, Vocab = vocab, Target = options.Target, Trigger = options.Trigger with { Seed = options.Seed },
            Seed = options.Seed, Device = options.Device, Output = evalDir, CacheDir = null, Precision = options.Precision,
            Metrics = probe ? [EvalMetric.Ca, EvalMetric.Asr, EvalMetric.Ra, EvalMetric.LinearProbe] : [EvalMetric.Ca, EvalMetric.Asr, EvalMetric.Ra],
            ProbeTrainData = probe ? labeledDir : null, LinearProbe = new LinearProbeOptions { Seed = options.Seed },
        }, progress));
        seconds["eval"] = watch.Elapsed.TotalSeconds;
        string probeFlags = probe ? $" --metrics ca,asr,ra,linear-probe --probe-train-data {labeledDir} --probe-seed {options.Seed}" : "";
        commands.Add($"cleanclip eval --checkpoint {string.Join(" --checkpoint ", checkpoints.Select(c => c.File))} --labels {string.Join(",", checkpoints.Select(c => c.Label))} --eval-data {testDir} --vocab {vocab} --trigger {options.Trigger.Name} --patch-size {options.Trigger.PatchSize} --trigger-seed {options.Seed} --target {options.Target} --seed {options.Seed}{probeFlags} --out {evalDir}{precisionFlag}");

        var evals = eval.Results.Checkpoints.ToList();
        if (supervisedModel is not null)
        {
            using var classifier = SupervisedClassifier.Load(supervisedModel, supervisedHead!, Models.TorchDevice.Choose(options.Device));
            classifier.Model.Precision = options.Precision;
            var head = SupervisedEvaluation.Evaluate(classifier, new EvalOptions
            {
                Checkpoints = ["supervised"], EvalData = testDir, Vocab = vocab, Target = options.Target,
                Trigger = options.Trigger with { Seed = options.Seed }, Seed = options.Seed, Device = options.Device,
            }, "supervised");
            var first = evals[0];
            evals.Add(head with
            {
                Checkpoint = supervisedModel,
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
        commands.Add($"cleanclip report {evalDir} {string.Join(" ", evals.Select(c => Path.GetDirectoryName(c.Checkpoint)))} --out {Path.Combine(output, "report")}");

        var rows = evals.Select(c => new DemoRow(c.Label, c.CleanAccuracy?["1"], c.AttackSuccessRate?["1"],
            c.RobustAccuracy, c.DefenseEffectivenessRating, seconds.GetValueOrDefault(c.Label),
            At(c.AttackSuccessRate, "5"), c.LinearProbeAccuracy, c.LinearProbeAttackSuccessRate)).ToList();
        var resultsJson = Path.Combine(output, "results.json");
        AtomicFile.WriteAllText(resultsJson, JsonSerializer.Serialize(new
        {
            options = new
            {
                world_kind = options.WorldKind, world = real ? null : options.World,
                real = real ? new { data = dataDir, pretraining_range = options.Real.Pretraining.ToString(), cleaning_range = options.Real.Cleaning.ToString() } : null,
                trigger = options.Trigger.Name, patch_size = options.Trigger.PatchSize, options.Target, poison_rate = options.PoisonRate, options.Model,
                pretraining = options.Pretraining, cleaning = options.Cleaning, seed = options.Seed, linear_probe = probe,
            },
            rows, stage_seconds = seconds, total_seconds = clock.Elapsed.TotalSeconds, commands, report = report.MarkdownPath,
        }, EvalResults.Json));
        return new DemoResult(output, rows, report.MarkdownPath, resultsJson, commands, notes, clock.Elapsed);
    }

    private static double? At(IReadOnlyDictionary<string, double>? byK, string k) => byK is not null && byK.TryGetValue(k, out var v) ? v : null;

    /// <summary>
    /// What stage 1 built: the clean pretraining table (poisoned next), the cleaning table, the labeled test set, the
    /// classes file whose prompts join the vocabulary, and a labeled set for supervised finetuning and the probe
    /// (null: the synthetic demo generates one later).
    /// </summary>
    private sealed record DemoWorldFiles(string TrainCsv, int PretrainingPairs, string FinetuneCsv, string TestData, string ClassesFile, string? LabeledData);

    private static DemoWorldFiles SyntheticWorldFiles(DemoOptions options, string output, IDemoUi ui, List<string> commands)
    {
        var worldDir = Path.Combine(output, "world");
        ui.Stage("1/6 synthetic world", progress => SyntheticWorld.Generate(options.World with { Overwrite = true }, worldDir, progress));
        commands.Add($"cleanclip synth --out {worldDir} --n {options.World.Count} --finetune {options.World.FinetuneCount} --test {options.World.TestCount} --size {options.World.ImageSize} --seed {options.World.Seed} --kind-centred {options.World.KindCentredProbability} --overwrite");
        var testDir = Path.Combine(worldDir, "test");
        return new DemoWorldFiles(Path.Combine(worldDir, "train", "train.csv"), options.World.Count, Path.Combine(worldDir, "finetune", "finetune.csv"),
            testDir, Path.Combine(testDir, "classes.json"), null);
    }

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
            commands.Add($"cleanclip caption-table --data {dataDir} --split train --range {range} --seed {options.Seed} --out {table}");
        }
        return new DemoWorldFiles(pretrainTable, pretraining.Count, cleanTable, dataDir,
            Path.Combine(worldDir, "pretrain", CaptionTableJob.ClassesFileName), Path.GetDirectoryName(cleanTable));
    }

    /// <summary>
    /// Makes <paramref name="output"/> a demo's folder. A rerun replaces the world, runs and reports inside it, so it must
    /// be a demo's own (or new, or empty), and it must not hold or lie inside the real world's data folder.
    /// </summary>
    internal static void Claim(string output, string? dataDir)
    {
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !OwnedFolder.IsOwned(output, OutputTag))
            throw new IOException($"--out {output} is not empty and is not a demo's folder (no {OwnedFolder.MarkerName} of '{OutputTag}'); "
                + "the demo replaces its world, runs and reports there: choose a new or empty folder");
        if (dataDir is not null) OwnedFolder.EnsureApart(output, [dataDir], "write the demo into");
        OwnedFolder.Create(output, OutputTag);
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
