using System.CommandLine;
using CleanClip.Data.Synthetic;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip synth</c>: writes the deterministic synthetic captioned world used by the demo and tests.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticWorldOptions();
        var output = OutputCliOptions.Out("Output folder (must be empty or absent).", required: true);
        var count = new Option<int>(OptionNames.N) { Description = "Training image-caption pairs.", DefaultValueFactory = _ => defaults.Count };
        var size = CliOptions.Size("Image side in pixels.", defaults.ImageSize);
        var seed = CliOptions.Seed(defaults.Seed, "World seed; the same seed gives the same files.");
        var finetune = new Option<int>(OptionNames.Finetune) { Description = "Clean finetuning pairs, disjoint from training.", DefaultValueFactory = _ => defaults.FinetuneCount };
        var test = new Option<int>(OptionNames.Test) { Description = "Labeled test images, balanced over kinds.", DefaultValueFactory = _ => defaults.TestCount };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = one per core); the output does not depend on it.", DefaultValueFactory = _ => defaults.Threads };
        var overwrite = OutputCliOptions.Overwrite("an existing world in the output folder");
        var kindCentred = new Option<double>(OptionNames.KindCentred) { Description = "Share of captions built around the object's kind (the rest lead with colour, size, place).", DefaultValueFactory = _ => defaults.KindCentredProbability };
        var sizes = new Option<SizeClass[]>("--sizes") { Description = "Object sizes to draw (Small, Medium, Large); only Large makes an easier world.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. defaults.Sizes] };
        var clutter = new Option<double>("--clutter") { Description = "Chance that an image gets distractor dots and strokes.", DefaultValueFactory = _ => defaults.ClutterProbability };
        var command = new Command("synth", "Generate the synthetic captioned world: train and finetune image-caption CSVs, a labeled test set, world.json.")
        {
            output, count, size, seed, finetune, test, threads, overwrite, kindCentred, sizes, clutter,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = defaults with
            {
                Count = parse.GetValue(count), ImageSize = parse.GetValue(size), Seed = parse.GetValue(seed),
                FinetuneCount = parse.GetValue(finetune), TestCount = parse.GetValue(test),
                Threads = parse.GetValue(threads), Overwrite = parse.GetValue(overwrite), KindCentredProbability = parse.GetValue(kindCentred),
                Sizes = parse.GetValue(sizes)!, ClutterProbability = parse.GetValue(clutter),
            };
            var outDir = parse.GetValue(output)!;
            var result = ConsoleUi.WithProgress(progress => SyntheticWorld.Generate(options, outDir, progress));
            var table = new Table().AddColumns("split", "count", "folder", "table");
            foreach (var split in result.Splits)
                table.AddRow(split.Name, $"{split.Count}", Markup.Escape(split.Folder), Markup.Escape(Path.GetFileName(split.Table)));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{options.Kinds.Count} kinds, {options.ImageSize} px, seed {options.Seed}, " +
                $"{result.Elapsed.TotalSeconds:0.0} s → {Markup.Escape(result.Manifest)}");
            return 0;
        }));
        return command;
    }
}
