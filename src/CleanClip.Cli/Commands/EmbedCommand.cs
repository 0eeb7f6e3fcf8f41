using System.CommandLine;
using CleanClip.Data;
using CleanClip.Evaluation;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip embed</c>: normalised image and text embeddings as .npy files.</summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var defaults = new EmbedOptions { Model = "", Output = "" };
        var model = ModelCliOptions.Model();
        var config = new ModelConfigCliOptions();
        var vocab = ModelCliOptions.Vocab(use: "needed with --texts");
        var images = DataCliOptions.Images("the images to embed.");
        var imageKey = DataCliOptions.ImageKey(defaults.ImageKey);
        var texts = new Option<string?>("--texts") { Description = "Text file, one caption per line." };
        var output = new Option<string>("--output") { Description = "Output folder.", Required = true };
        var batch = CliOptions.BatchSize(defaults.BatchSize, "Images or captions the model embeds per forward pass.");
        var truncation = CliOptions.Truncation(defaults.Truncation);
        var device = CliOptions.Device(defaults.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var allowOutsideRoot = CliOptions.AllowOutsideRoot();
        var command = new Command("embed", "Write L2-normalised image_embeddings.npy and text_embeddings.npy with an embed.json index.")
        {
            model, vocab, images, imageKey, texts, output, batch, device, trustTorchScript, truncation, allowOutsideRoot,
        };
        foreach (var option in config.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = defaults with
            {
                Model = parse.GetValue(model)!, ModelConfig = config.Name(parse), Heads = config.Heads(parse), Vocab = parse.GetValue(vocab),
                Images = parse.GetValue(images), ImageKey = parse.GetValue(imageKey)!, Texts = parse.GetValue(texts),
                Output = parse.GetValue(output)!, BatchSize = parse.GetValue(batch), Device = parse.GetValue(device)!, TrustTorchScript = parse.GetValue(trustTorchScript), Truncation = parse.GetValue(truncation),
                AllowOutsideRoot = parse.GetValue(allowOutsideRoot),
            };
            ConsoleUi.NoteFreshWeights(options.Model);
            var result = ConsoleUi.WithProgress(progress => EmbedJob.Run(options, progress));
            AnsiConsole.MarkupLine($"embedded [bold]{result.Images}[/] images and [bold]{result.Texts}[/] texts → {Markup.Escape(result.IndexPath)}");
            ReportSkipped(result.Skipped);
            return 0;
        }));
        return command;
    }

    internal static void ReportSkipped(IReadOnlyList<SkippedInput> skipped)
    {
        if (skipped.Count == 0) return;
        AnsiConsole.MarkupLine($"[yellow]skipped {skipped.Count} image(s):[/]");
        foreach (var s in skipped.Take(5)) AnsiConsole.MarkupLine($"  {Markup.Escape(s.Where())}: {Markup.Escape(s.Reason)}");
        if (skipped.Count > 5) AnsiConsole.MarkupLine($"  … and {skipped.Count - 5} more");
    }
}
