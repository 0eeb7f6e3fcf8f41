using System.CommandLine;
using CleanClip.Evaluation;
using CleanClip.Training;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>cleanclip train</c> (from scratch or continued contrastive training, e.g. on a poisoned table) and
/// <c>cleanclip clean</c> (CleanCLIP finetuning of a checkpoint with the paper's defaults, or its baselines):
/// one job underneath, two sets of defaults.
/// </summary>
public static class TrainingCommand
{
    public static Command Train() => Create("train",
        "Contrastive training from scratch or from a checkpoint (how a backdoored model is made from a poisoned table).",
        new TrainJobOptions { Training = new TrainingOptions() }, "--init", "Model name (fresh weights) or checkpoint to start from.", required: false);

    public static Command Clean() => Create("clean",
        "CleanCLIP finetuning of a (possibly backdoored) checkpoint on clean pairs; --method Mmcl or Ssl for the paper's baselines.",
        new TrainJobOptions { Training = TrainingOptions.Cleaning(), Out = "runs/clean" }, "--checkpoint", "Checkpoint to clean.", required: true);

    private static Command Create(string name, string description, TrainJobOptions d, string initName, string initHelp, bool required)
    {
        var trainData = new Option<string?>("--train-data") { Description = "Image-caption CSV/TSV or WebDataset shards, e.g. 'cc3m/{00000..00331}.tar' (docs/webdataset.md) (required unless --resume)." };
        var validation = new Option<string?>("--validation-data") { Description = "Image-caption CSV or WebDataset shards, e.g. 'cc3m/{00000..00331}.tar' (docs/webdataset.md) for the validation loss and best.safetensors." };
        var init = new Option<string>(initName) { Description = initHelp, Required = required, DefaultValueFactory = _ => d.Init };
        var config = new ModelConfigCliOptions();
        var vocab = new Option<string?>("--vocab") { Description = "BPE vocabulary (.txt.gz) of the model's text tower." };
        var imageKey = new Option<string>("--image-key") { DefaultValueFactory = _ => d.Table.ImageKey };
        var captionKey = new Option<string>("--caption-key") { DefaultValueFactory = _ => d.Table.CaptionKey };
        var delimiter = new Option<char?>("--delimiter") { Description = "Column separator (default: tab for .tsv, else comma)." };
        var output = new Option<string>("--out") { Description = "Run folder (checkpoints/, metrics.jsonl, TensorBoard events, model.safetensors).", DefaultValueFactory = _ => d.Out };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its latest checkpoint (bit-identical on CPU with the same threads)." };
        var device = CliOptions.Device(d.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var deterministic = new Option<bool>("--deterministic") { Description = "Only LibTorch's deterministic algorithms (no effect on CPU, where results already repeat for a fixed thread count; on CUDA it costs speed)." };
        var truncation = CliOptions.Truncation(d.Truncation);
        var training = new TrainingCliOptions(d.Training);
        var evalData = new Option<string?>("--eval-data") { Description = "Labeled folder (labels.csv + classes) for zero-shot CA (and ASR with --target) every --eval-every epochs." };
        var classes = new Option<string?>("--classes") { Description = "Classes file for --eval-data (default: the one beside its labels.csv)." };
        var target = new Option<string?>("--target") { Description = "Backdoor target class (name or index) for the ASR of --eval-data." };
        var trigger = new TriggerCliOptions(new CleanClip.Poisoning.TriggerOptions());
        var command = new Command(name, description)
        {
            trainData, validation, init, vocab, imageKey, captionKey, delimiter, output, resume, device, trustTorchScript, truncation, deterministic,
        };
        foreach (var option in config.All) command.Options.Add(option);
        foreach (var option in training.All.Concat(trigger.All).Append(evalData).Append(classes).Append(target)) command.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                TrainData = parse.GetValue(trainData), ValidationData = parse.GetValue(validation), Init = parse.GetValue(init)!,
                ModelConfig = config.Name(parse), Heads = config.Heads(parse), Vocab = parse.GetValue(vocab), Out = parse.GetValue(output)!,
                Resume = parse.GetValue(resume), Device = parse.GetValue(device)!, TrustTorchScript = parse.GetValue(trustTorchScript), Truncation = parse.GetValue(truncation),
                Deterministic = parse.GetValue(deterministic),
                Table = d.Table with { ImageKey = parse.GetValue(imageKey)!, CaptionKey = parse.GetValue(captionKey)!, Delimiter = parse.GetValue(delimiter) },
                Training = training.Read(parse, d.Training, parse.GetValue(device)!),
                Given = training.Given(parse)
                    .Concat(new (Option Option, string Property)[]
                        {
                            (trainData, nameof(TrainJobOptions.TrainData)), (validation, nameof(TrainJobOptions.ValidationData)),
                            (init, nameof(TrainJobOptions.Init)), (vocab, nameof(TrainJobOptions.Vocab)),
                        }.Where(p => CliOptions.WasGiven(parse, p.Option)).Select(p => KeyValuePair.Create(p.Property, p.Option.Name)))
                    .ToDictionary(),
            };
            if (parse.GetValue(evalData) is { } evalFolder)
            {
                var eval = new EvalOptions
                {
                    Checkpoints = ["training"], EvalData = evalFolder, Classes = parse.GetValue(classes), Vocab = options.Vocab ?? "",
                    Target = parse.GetValue(target) ?? "", Seed = options.Training.Seed,
                    Metrics = parse.GetValue(target) is null ? [EvalMetric.Ca] : [EvalMetric.Ca, EvalMetric.Asr],
                    Trigger = trigger.Read(parse, options.Training.Seed),
                };
                options = options with { Evaluate = (model, tokenizer) => EpochEvaluationOf(EvalJob.EvaluateModel(model, tokenizer, eval, "training")) };
            }
            if (options.Resume is null) ConsoleUi.NoteFreshWeights(options.Init);
            var result = ConsoleUi.Cancellable(token => ConsoleUi.WithTraining(progress => TrainJob.Run(options, progress, token)));
            Report(result);
            return ConsoleUi.ExitCode(result.Training.Outcome);
        }));
        return command;
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
