using System.CommandLine;
using CleanClip.Data;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip caption-table</c>: a captioned training table (PNGs + image,caption,label CSV) from a labeled image set.</summary>
public static class CaptionTableCommand
{
    public static Command Create()
    {
        var d = new CaptionTableJobOptions { Data = "", Out = "" };
        var data = DataCliOptions.Data("Labeled images: a torchvision MNIST/Fashion-MNIST (raw/*-ubyte[.gz]) or CIFAR-10/100 folder, a labels.csv folder, or <class>/<image> folders.", required: true);
        var split = new Option<DatasetSplit>(OptionNames.Split) { Description = "Train or Test split of a torchvision folder (other layouts have one).", DefaultValueFactory = _ => d.Split };
        var templates = DataCliOptions.Templates("a text file, one a line (default: a dozen phrasings of \"a photo of a {}.\").");
        var classes = DataCliOptions.Classes("names the classes instead of the dataset's own.");
        var count = new Option<int?>("--count") { Description = "Images to caption, drawn at random by --seed (default: the whole split)." };
        var range = new Option<string?>(OptionNames.Range) { Description = "START:END: draw only from the split's images START..END-1 (either may be left out), so tables from disjoint ranges share no image." };
        var seed = CliOptions.Seed(d.Seed, "Chooses the images and each image's template.");
        var output = OutputCliOptions.Out("The table to write, DIR/table.csv; DIR must be new or empty and also gets images/, classes.json and caption-table.json.", required: true);
        var command = new Command("caption-table", "Write a captioned training table (PNG images + image,caption,label CSV) from a labeled image set, captions from class names and templates.")
        {
            data, split, templates, classes, count, range, seed, output,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                Data = parse.GetValue(data)!, Split = parse.GetValue(split), Templates = parse.GetValue(templates), Classes = parse.GetValue(classes),
                Count = parse.GetValue(count), Range = CaptionTableJob.ParseRange(parse.GetValue(range)), Seed = parse.GetValue(seed), Out = parse.GetValue(output)!,
            };
            var result = ConsoleUi.WithProgress(progress => CaptionTableJob.Run(options, progress));
            AnsiConsole.MarkupLine($"{result.Rows} of {result.SourceImages} images from {Markup.Escape(result.Source)} → {Markup.Escape(result.Table)}");
            return 0;
        }));
        return command;
    }
}
