using System.CommandLine;
using CleanClip.Evaluation;
using CleanClip.Presets;
using CleanClip.Training;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>cleanclip train</c> (from scratch or continued contrastive training, e.g. on a poisoned table) and
/// <c>cleanclip clean</c> (CleanCLIP finetuning of a checkpoint with the paper's defaults, its baselines, or PAR):
/// one job underneath, two sets of defaults.
/// </summary>
public static class TrainingCommand
{
    /// <summary>Runs a parsed train or clean invocation: the job's options and, with --eval-data, the epoch evaluation's.</summary>
    public delegate int Runner(TrainJobOptions options, EvalOptions? epochEval);

    public static Command Train() => Train(Run);

    /// <summary><c>train</c> with <paramref name="run"/> in place of the job: it receives the options as parsed.</summary>
    public static Command Train(Runner run)
    {
        var d = new TrainJobOptions { Training = new TrainingOptions() };
        var init = new Option<string?>(OptionNames.Init) { Description = "Model name (fresh weights) or checkpoint to start from.", DefaultValueFactory = _ => d.Init };
        return Create("train", "Contrastive training from scratch or from a checkpoint (how a backdoored model is made from a poisoned table).", d, init, run);
    }

    public static Command Clean() => Clean(Run);

    /// <summary><c>clean</c> with <paramref name="run"/> in place of the job: it receives the options as parsed.</summary>
    public static Command Clean(Runner run)
    {
        var d = new TrainJobOptions { Training = TrainingOptions.Cleaning(), Out = "runs/clean" };
        var checkpoint = ModelCliOptions.Checkpoint("Checkpoint to clean (required unless --resume).");
        return Create("clean",
            "CleanCLIP finetuning of a (possibly backdoored) checkpoint on clean pairs; --method Mmcl or Ssl for the paper's baselines, --method Par for PAR (docs/par.md).",
            d, checkpoint, run);
    }

    /// <param name="init">The model the run starts from: train's --init, clean's --checkpoint.</param>
    private static Command Create(string name, string description, TrainJobOptions d, Option<string?> init, Runner run)
    {
        var trainData = DataCliOptions.TrainData($"{DataCliOptions.Pairs} (required unless --resume).");
        var validation = new Option<string?>("--validation-data") { Description = $"{DataCliOptions.Pairs} for the validation loss and best.safetensors." };
        var config = new ModelConfigCliOptions();
        var vocab = ModelCliOptions.Vocab();
        var imageKey = DataCliOptions.ImageKey(d.Table.ImageKey);
        var captionKey = DataCliOptions.CaptionKey(d.Table.CaptionKey);
        var delimiter = DataCliOptions.Delimiter();
        var output = OutputCliOptions.Out("Run folder (checkpoints/, metrics.jsonl, TensorBoard events, model.safetensors).", d.Out);
        var resume = TrainingLoopCliOptions.Resume();
        var device = CliOptions.Device(d.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var deterministic = new Option<bool>("--deterministic") { Description = "Only LibTorch's deterministic algorithms (no effect on CPU, where results already repeat for a fixed thread count; on CUDA it costs speed)." };
        var truncation = CliOptions.Truncation(d.Truncation);
        var training = new TrainingCliOptions(d.Training);
        var evalData = DataCliOptions.EvalData("scored by zero-shot CA (and ASR with --target) every --eval-every epochs.");
        var classes = DataCliOptions.Classes("the classes and prompt templates of --eval-data (default: classes.py or classes.json beside its labels.csv).");
        var target = BackdoorCliOptions.Target(null, "a class name or index, for the ASR of --eval-data.");
        var trigger = new TriggerCliOptions(new CleanClip.Poisoning.TriggerOptions());
        var preset = CliOptions.Preset();
        var command = new Command(name, description)
        {
            trainData, validation, init, vocab, imageKey, captionKey, delimiter, output, resume, device, trustTorchScript, truncation, deterministic, preset,
        };
        foreach (var option in config.All) command.Options.Add(option);
        foreach (var option in training.All.Concat(trigger.All).Append(evalData).Append(classes).Append(target)) command.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            // A resumed run keeps the preset it recorded unless --preset is given (which must then match it).
            var resumeDir = parse.GetValue(resume);
            if (name == "clean" && parse.GetValue(init) is null && resumeDir is null)
                throw new ArgumentException("--checkpoint: give the checkpoint to clean (or --resume RUN to continue a run)");
            bool recorded = !CliOptions.WasGiven(parse, preset) && resumeDir is not null;
            var chosen = recorded ? TrainJob.RecordedPreset(resumeDir!) : parse.GetValue(preset);
            var defaults = chosen.Apply(d);
            var options = defaults with
            {
                TrainData = parse.GetValue(trainData), ValidationData = parse.GetValue(validation), Init = parse.GetValue(init) ?? d.Init,
                ModelConfig = config.Name(parse), Heads = config.Heads(parse), Vocab = parse.GetValue(vocab), Out = parse.GetValue(output)!,
                Resume = resumeDir, Device = parse.GetValue(device)!, TrustTorchScript = parse.GetValue(trustTorchScript),
                Truncation = CliOptions.Or(parse, truncation, defaults.Truncation), Deterministic = parse.GetValue(deterministic),
                Table = defaults.Table with { ImageKey = parse.GetValue(imageKey)!, CaptionKey = parse.GetValue(captionKey)!, Delimiter = parse.GetValue(delimiter) },
                Training = training.Read(parse, defaults.Training, parse.GetValue(device)!),
                Given = training.Given(parse)
                    .Concat(new (Option Option, string Property)[]
                        {
                            (trainData, nameof(TrainJobOptions.TrainData)), (validation, nameof(TrainJobOptions.ValidationData)),
                            (init, nameof(TrainJobOptions.Init)), (vocab, nameof(TrainJobOptions.Vocab)), (preset, nameof(TrainingOptions.Preset)),
                        }.Where(p => CliOptions.WasGiven(parse, p.Option)).Select(p => KeyValuePair.Create(p.Property, p.Option.Name)))
                    .ToDictionary(),
            };
            EvalOptions? eval = null;
            if (parse.GetValue(evalData) is { } evalFolder)
                eval = new EvalOptions
                {
                    EvalData = evalFolder, Classes = parse.GetValue(classes), Vocab = options.Vocab ?? "",
                    Target = parse.GetValue(target) ?? "", Seed = options.Training.Seed,
                    Metrics = parse.GetValue(target) is null ? [EvalMetric.Ca] : [EvalMetric.Ca, EvalMetric.Asr],
                    Trigger = trigger.Read(parse, options.Training.Seed, chosen.Apply(new CleanClip.Poisoning.TriggerOptions())),
                };
            CliOptions.NotePreset(parse, chosen, recorded ? $" (recorded by {resumeDir})" : null);
            return run(options, eval);
        }));
        return command;
    }

    private static int Run(TrainJobOptions options, EvalOptions? eval)
    {
        if (eval is not null)
            options = options with { Evaluate = (model, tokenizer) => EpochEvaluationOf(EvalJob.EvaluateModel(model, tokenizer, eval, "training")) };
        if (options.Resume is null) ConsoleUi.NoteFreshWeights(options.Init);
        var result = ConsoleUi.Cancellable(token => ConsoleUi.WithTraining(progress => TrainJob.Run(options, progress, token)));
        Report(result);
        return ConsoleUi.ExitCode(result.Training.Outcome);
    }

    private static EpochEvaluation EpochEvaluationOf(CheckpointEval eval) =>
        new(eval.CleanAccuracy!["1"], eval.AttackSuccessRate?["1"]);

    private static void Report(TrainJobResult result)
    {
        var r = result.Training;
        var table = ConsoleUi.TrainingSummary(result.Notes, r.Outcome, result.ResumedFrom, r.Steps, r.LastLoss);
        if (r.BestValidationLoss is { } val) table.AddRow("best validation loss", val.ToString("F4"));
        table.AddRow("time", $"{r.Elapsed.TotalSeconds:F1} s");
        if (r.ModelFile is { } model) table.AddRow("model", Markup.Escape(model));
        if (r.LastCheckpoint is { } checkpoint) table.AddRow("last checkpoint", Markup.Escape(checkpoint));
        if (r.BestCheckpoint is { } best) table.AddRow("best checkpoint", Markup.Escape(best));
        table.AddRow("metrics", Markup.Escape(Path.Combine(r.RunDirectory, "metrics.jsonl")));
        AnsiConsole.Write(table);
    }
}
