using System.CommandLine;
using CleanClip.Poisoning;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip triggers</c>: a contact sheet of every backdoor trigger on a few images.</summary>
public static class TriggersCommand
{
    public static Command Create()
    {
        var defaults = new TriggerSheetOptions { Output = "" };
        var output = OutputCliOptions.Out("PNG file to write.", required: true);
        var images = DataCliOptions.Images("the sheet's rows (default: three synthetic pictures).");
        var maxImages = DataCliOptions.MaxImages(defaults.MaxImages, "the first readable ones, one row each");
        var size = CliOptions.Size("Cell side and trigger resolution in pixels.", defaults.Size);
        var seed = CliOptions.Seed(defaults.Seed, "Seed of the per-image draws and the fixed patterns.");
        var patchSize = BackdoorCliOptions.PatchSize(defaults.Triggers.PatchSize, "the sheet's patch triggers");
        var resize = new Option<string>("--resize") { Description = "crop (CLIP resize + center crop) or squash (the reference).", DefaultValueFactory = _ => "crop" };
        var overflow = new Option<string>("--overflow") { Description = "BadNet noise outside [0,1]: clamp, or wrap (the reference).", DefaultValueFactory = _ => "clamp" };
        var wanetField = BackdoorCliOptions.WanetField("--seed");
        var command = new Command("triggers", "Draw every backdoor trigger on a few images as a labelled PNG contact sheet.")
        {
            output, images, maxImages, size, seed, patchSize, resize, overflow, wanetField,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = defaults with
            {
                Output = parse.GetValue(output)!, Images = parse.GetValue(images), MaxImages = parse.GetValue(maxImages),
                Size = parse.GetValue(size), Seed = parse.GetValue(seed),
                ResizeMode = KebabCaseEnumConverter<ResizeMode>.Parse(parse.GetValue(resize)!),
                Triggers = defaults.Triggers with
                {
                    Seed = parse.GetValue(seed), PatchSize = parse.GetValue(patchSize), WanetField = parse.GetValue(wanetField),
                    NoiseOverflow = KebabCaseEnumConverter<NoiseOverflow>.Parse(parse.GetValue(overflow)!),
                },
            };
            var result = TriggerSheet.Write(options);
            AnsiConsole.MarkupLine($"wrote [bold]{result.Rows}[/] × [bold]{result.Columns}[/] sheet ({result.Width}×{result.Height} px) → {Markup.Escape(result.Path)}");
            EmbedCommand.ReportSkipped(result.Skipped);
            return 0;
        }));
        return command;
    }
}
