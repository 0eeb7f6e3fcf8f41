using System.CommandLine;
using CleanClip.Evaluation;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip zeroshot</c>: top-k labels per image from a classes file's prompt ensemble.</summary>
public static class ZeroShotCommand
{
    public static Command Create()
    {
        var defaults = new ZeroShotOptions { Model = "", Vocab = "", Images = "" };
        var model = ModelCliOptions.Model();
        var config = new ModelConfigCliOptions();
        var vocab = ModelCliOptions.Vocab(required: true);
        var classes = DataCliOptions.Classes("the classes and prompt templates; optional for MNIST, Fashion-MNIST and CIFAR folders, which name their classes.");
        var images = DataCliOptions.Images("the images to classify (a torchvision MNIST/Fashion-MNIST/CIFAR-10/100 folder too: its test split).", required: true);
        var imageKey = DataCliOptions.ImageKey(defaults.ImageKey);
        var topK = new Option<int>("--top-k") { Description = "Labels printed per image, best first.", DefaultValueFactory = _ => defaults.TopK };
        var batch = CliOptions.BatchSize(defaults.BatchSize);
        var truncation = CliOptions.Truncation(defaults.Truncation);
        var device = CliOptions.Device(defaults.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var allowOutsideRoot = CliOptions.AllowOutsideRoot();
        var precision = CliOptions.Precision(defaults.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var json = OutputCliOptions.Json<string?>("Also write the predictions to this JSON file.");
        var command = new Command("zeroshot", "Print the top-k zero-shot labels of each image.")
        {
            model, vocab, classes, images, imageKey, topK, batch, device, precision, forceBf16, trustTorchScript, json, truncation, allowOutsideRoot,
        };
        foreach (var option in config.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = defaults with
            {
                Model = parse.GetValue(model)!, ModelConfig = config.Name(parse), Heads = config.Heads(parse), Vocab = parse.GetValue(vocab)!,
                Classes = parse.GetValue(classes), Images = parse.GetValue(images)!, ImageKey = parse.GetValue(imageKey)!,
                TopK = parse.GetValue(topK), BatchSize = parse.GetValue(batch), Device = parse.GetValue(device)!, Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!), TrustTorchScript = parse.GetValue(trustTorchScript), Truncation = parse.GetValue(truncation),
                AllowOutsideRoot = parse.GetValue(allowOutsideRoot),
            };
            ConsoleUi.NoteFreshWeights(options.Model);
            var result = ConsoleUi.WithProgress(progress => ZeroShotJob.Run(options, progress));
            var table = new Table().AddColumns("image", $"top-{options.TopK} (cosine)");
            foreach (var p in result.Predictions)
                table.AddRow(Markup.Escape(p.Image), Markup.Escape(string.Join(", ", p.Top.Select(t => $"{t.Label} ({t.Score:F3})"))));
            AnsiConsole.Write(table);
            EmbedCommand.ReportSkipped(result.Skipped);
            if (parse.GetValue(json) is { } jsonPath)
            {
                ZeroShotJob.WriteJson(jsonPath, result);
                AnsiConsole.MarkupLine($"predictions → {Markup.Escape(jsonPath)}");
            }
            return 0;
        }));
        return command;
    }
}
