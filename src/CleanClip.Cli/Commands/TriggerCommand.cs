using System.CommandLine;
using System.Globalization;
using CleanClip.Attacks;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip trigger optimize</c>: learn a BadCLIP-style patch against a clean model and save it as a trigger file.</summary>
public static class TriggerCommand
{
    public static Command Create() => new("trigger", "Make trigger files.") { Optimize() };

    private static Command Optimize()
    {
        var d = new TriggerOptimizeOptions { Model = "", Vocab = "", EvalData = "", Output = "" };
        var model = ModelCliOptions.Model("The clean model the patch is learned against");
        var config = new ModelConfigCliOptions();
        var vocab = ModelCliOptions.Vocab(required: true);
        var evalData = DataCliOptions.EvalData("its classes give the target text, and the trigger's zero-shot ASR on the clean model is measured on it.", required: true);
        var classes = DataCliOptions.Classes("the classes and prompt templates (default: classes.py or classes.json beside labels.csv).");
        var target = BackdoorCliOptions.Target(d.Target, "a class name or index.");
        var images = DataCliOptions.Images("the images to stamp the patch on (default: the eval set's non-target images).");
        var targetImages = new Option<string?>("--target-images") { Description = "Natural target-class images (folder or table); default: the eval set's target-class images." };
        var maxImages = DataCliOptions.MaxImages(d.MaxImages, "the first ones of each pool");
        var patchSize = BackdoorCliOptions.PatchSize(d.PatchSize, "the patch learned, placed at the image centre");
        var steps = new Option<int>("--steps") { Description = "Adam steps, one batch each.", DefaultValueFactory = _ => d.Steps };
        var lr = TrainingLoopCliOptions.LearningRate(d.LearningRate, "Adam learning rate.");
        var batch = CliOptions.BatchSize(d.BatchSize, "Images per Adam step.");
        var tripletWeight = new Option<double>("--triplet-weight") { Description = "Weight of the triplet term (target images vs clean embedding).", DefaultValueFactory = _ => d.TripletWeight };
        var tripletMargin = new Option<double>("--triplet-margin") { Description = "Margin of the triplet term on unit embeddings.", DefaultValueFactory = _ => d.TripletMargin };
        var seed = CliOptions.Seed(d.Seed, "Seed of the initial patch and the batch draws.");
        var device = CliOptions.Device(d.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var output = OutputCliOptions.Out("Patch file to write: .npy (float32 [3,P,P]) or .png; a FILE.json report goes beside it.", required: true);
        var command = new Command("optimize", "Learn a BadCLIP-style trigger patch against a clean model; report its zero-shot ASR on that model.")
        {
            model, vocab, evalData, classes, target, images, targetImages, maxImages, patchSize, steps, lr, batch,
            tripletWeight, tripletMargin, seed, device, trustTorchScript, output,
        };
        foreach (var option in config.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                Model = parse.GetValue(model)!, ModelConfig = config.Name(parse), Heads = config.Heads(parse), Vocab = parse.GetValue(vocab)!,
                EvalData = parse.GetValue(evalData)!, Classes = parse.GetValue(classes), Target = parse.GetValue(target)!,
                Images = parse.GetValue(images), TargetImages = parse.GetValue(targetImages), MaxImages = parse.GetValue(maxImages),
                PatchSize = parse.GetValue(patchSize), Steps = parse.GetValue(steps), LearningRate = parse.GetValue(lr),
                BatchSize = parse.GetValue(batch), TripletWeight = parse.GetValue(tripletWeight), TripletMargin = parse.GetValue(tripletMargin),
                Seed = parse.GetValue(seed), Device = parse.GetValue(device)!, TrustTorchScript = parse.GetValue(trustTorchScript),
                Output = parse.GetValue(output)!,
            };
            var result = ConsoleUi.WithProgress(progress => TriggerOptimizer.Run(options, progress));
            var r = result.Report;
            string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
            string P(double? v) => v is { } f ? (100 * f).ToString("F1", CultureInfo.InvariantCulture) : "-";
            AnsiConsole.MarkupLine($"loss {F(r.InitialLoss)} → {F(r.FinalLoss)}, cosine to '{Markup.Escape(options.Target)}' text {F(r.InitialTargetCosine)} → {F(r.FinalTargetCosine)}");
            var eval = r.CleanModelEval;
            AnsiConsole.MarkupLine($"clean model, before poisoning: ASR@1 {P(eval.AttackSuccessRate?["1"])}% ({eval.AsrImages} non-target images), CA@1 {P(eval.CleanAccuracy?["1"])}%");
            AnsiConsole.MarkupLine($"trigger → {Markup.Escape(result.PatchPath)}; report → {Markup.Escape(result.ReportPath)}");
            return 0;
        }));
        return command;
    }
}
