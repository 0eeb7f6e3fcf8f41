using System.CommandLine;
using CleanClip.Presets;
using CleanClip.Training;
using CleanClip.Training.Supervised;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>cleanclip finetune-supervised</c>: the paper's supervised finetuning ("sufi") of a CLIP checkpoint's image tower
/// with a linear head on a labeled folder; the result is a CLIP checkpoint (image tower updated) plus the head.
/// </summary>
public static class SupervisedCommand
{
    private static readonly string[] HeadInits = ["random", "zero-shot"];

    public static Command Create() => Create(Run);

    /// <summary>The command with <paramref name="run"/> in place of the job: it receives the options as parsed.</summary>
    public static Command Create(Func<SupervisedJobOptions, int> run)
    {
        var d = new SupervisedJobOptions();
        var t = d.Training;
        var checkpoint = ModelCliOptions.Checkpoint("CLIP checkpoint to finetune (required unless --resume).");
        var config = new ModelConfigCliOptions();
        var trainData = DataCliOptions.TrainData("Labeled folder: labels.csv (image,label) + classes file, or one sub-folder per class (required unless --resume).");
        var classes = DataCliOptions.Classes("the classes, and for --head-init zero-shot their templates (default: classes.py or classes.json beside labels.csv).");
        var headInit = new Option<string>(OptionNames.HeadInit) { Description = "random (the reference) or zero-shot (the class embeddings of the classes file's templates, scaled to the features; needs --vocab).", DefaultValueFactory = _ => "random" };
        headInit.AcceptOnlyFromAmong(HeadInits);
        var vocab = ModelCliOptions.Vocab(use: "for --head-init zero-shot");
        var output = OutputCliOptions.Out("Run folder (config.json, metrics.jsonl, checkpoints/, model.safetensors, head.safetensors).", d.Out);
        var resume = TrainingLoopCliOptions.Resume();
        var device = CliOptions.Device(d.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var precision = CliOptions.Precision(t.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var truncation = CliOptions.Truncation(d.Truncation);
        var epochs = TrainingLoopCliOptions.Epochs(t.Epochs);
        var lr = TrainingLoopCliOptions.LearningRate(t.LearningRate);
        var batch = CliOptions.BatchSize(t.BatchSize, "Images per step.");
        var warmup = TrainingLoopCliOptions.Warmup(t.WarmupSteps, "the reference's README: 500; its parser comment: 100");
        var wd = TrainingLoopCliOptions.WeightDecay(t.WeightDecay, "on parameters whose name has no 'bias' (the reference's rule here)");
        var seed = CliOptions.Seed(t.Seed, "Seed of the data order, the random head and fresh weights.");
        var threads = DataCliOptions.DecodeThreads(t.DecodeThreads);
        var saveEvery = TrainingLoopCliOptions.SaveEvery(t.SaveEverySteps);
        var keep = TrainingLoopCliOptions.Keep(t.KeepCheckpoints);
        var logEvery = TrainingLoopCliOptions.LogEvery(t.LogEverySteps);
        var stopAfter = TrainingLoopCliOptions.StopAfter();
        var preset = CliOptions.Preset();
        var command = new Command("finetune-supervised",
            "Supervised finetuning: image tower + linear head with cross-entropy on a labeled folder (the reference's defaults); writes a CLIP checkpoint and the head.")
        {
            checkpoint, trainData, classes, headInit, vocab, output, resume, device, trustTorchScript, truncation,
            epochs, lr, batch, warmup, wd, seed, precision, forceBf16, threads, saveEvery, keep, logEvery, stopAfter, preset,
        };
        foreach (var option in config.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var chosen = parse.GetValue(preset);
            var defaults = chosen.Apply(d);
            var options = defaults with
            {
                Checkpoint = parse.GetValue(checkpoint), ModelConfig = config.Name(parse), Heads = config.Heads(parse), TrainData = parse.GetValue(trainData),
                Classes = parse.GetValue(classes), Vocab = parse.GetValue(vocab), Out = parse.GetValue(output)!,
                Resume = parse.GetValue(resume), Device = parse.GetValue(device)!, TrustTorchScript = parse.GetValue(trustTorchScript), Truncation = CliOptions.Or(parse, truncation, defaults.Truncation),
                Training = defaults.Training with
                {
                    HeadInit = parse.GetValue(headInit) == "zero-shot" ? HeadInit.ZeroShot : HeadInit.Random,
                    Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch),
                    WarmupSteps = parse.GetValue(warmup), WeightDecay = parse.GetValue(wd), Seed = parse.GetValue(seed), Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!),
                    DecodeThreads = parse.GetValue(threads), SaveEverySteps = parse.GetValue(saveEvery), KeepCheckpoints = parse.GetValue(keep),
                    LogEverySteps = parse.GetValue(logEvery), StopAfterSteps = parse.GetValue(stopAfter),
                },
            };
            CliOptions.NotePreset(parse, chosen);
            return run(options);
        }));
        return command;
    }

    private static int Run(SupervisedJobOptions options)
    {
        if (options.Resume is null && options.Checkpoint is { } file) ConsoleUi.NoteFreshWeights(file);
        var result = ConsoleUi.Cancellable(token => ConsoleUi.WithTraining(progress => SupervisedJob.Run(options, progress, token)));
        Report(result);
        return ConsoleUi.ExitCode(result.Training.Outcome);
    }

    private static void Report(SupervisedJobResult result)
    {
        var r = result.Training;
        var table = ConsoleUi.TrainingSummary(result.Notes, r.Outcome, result.ResumedFrom, r.Steps, r.LastLoss);
        for (int e = 0; e < r.EpochAccuracies.Count; e++) table.AddRow($"train accuracy, epoch {e + 1}", $"{100 * r.EpochAccuracies[e]:F1}%");
        table.AddRow("time", $"{r.Elapsed.TotalSeconds:F1} s");
        if (r.ModelFile is { } model) table.AddRow("model", Markup.Escape(model));
        if (r.HeadFile is { } head) table.AddRow("head", Markup.Escape(head));
        if (r.LastCheckpoint is { } last) table.AddRow("last checkpoint", Markup.Escape(last));
        table.AddRow("metrics", Markup.Escape(Path.Combine(r.RunDirectory, "metrics.jsonl")));
        AnsiConsole.Write(table);
    }
}
