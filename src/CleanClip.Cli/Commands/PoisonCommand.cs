using System.CommandLine;
using CleanClip.Data;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Presets;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip poison</c>: a clean caption table in, a poisoned one with triggered images and a manifest out.</summary>
public static class PoisonCommand
{
    public static Command Create() => Create(Run);

    /// <summary>The command with <paramref name="run"/> in place of the job: it receives the options as parsed.</summary>
    public static Command Create(Func<PoisonJobOptions, int> run)
    {
        var d = new PoisonJobOptions { Input = "" };
        var preset = CliOptions.Preset();
        var input = new Option<string>(OptionNames.Input) { Description = "Clean image-caption CSV/TSV, or WebDataset shards as a quoted pattern ('dir/{00000..00003}.tar', needs --output-format webdataset).", Required = true };
        var name = new Option<string?>(OptionNames.Name) { Description = "Name of the poisoned set (NAME.csv and NAME/, or NAME/ of shards, beside the input)." };
        var outputFormat = new Option<PoisonOutputFormat>("--output-format")
        {
            Description = "csv: NAME.csv + NAME/images, clean rows pointing at the input's images; webdataset: NAME/000000.tar, ... holding every sample.",
            DefaultValueFactory = _ => d.OutputFormat,
        };
        var samplesPerShard = new Option<int>("--samples-per-shard") { Description = "Samples per shard with --output-format webdataset.", DefaultValueFactory = _ => d.SamplesPerShard };
        var imageKey = DataCliOptions.ImageKey(d.Table.ImageKey);
        var captionKey = DataCliOptions.CaptionKey(d.Table.CaptionKey);
        var delimiter = DataCliOptions.Delimiter();
        var target = BackdoorCliOptions.Target(d.Poison.Target, "the word the poisoned captions name (dirty label) or must already contain (label-consistent).");
        var num = new Option<int>(OptionNames.NumPoison) { Description = "Pairs to poison.", DefaultValueFactory = _ => d.Poison.NumPoison };
        var size = CliOptions.Size<int?>("Rows in the output with --placement Replace (default: all).", null);
        var mode = new Option<PoisonMode>(OptionNames.Mode)
        {
            Description = "DirtyLabel: the poisoned pairs' captions become a template naming the target; LabelConsistent: only pairs whose caption names the target are triggered, captions kept.",
            DefaultValueFactory = _ => d.Poison.Mode,
        };
        var placement = new Option<PoisonPlacement>("--placement")
        {
            Description = "Replace: poisoned rows take the place of clean ones (the reference); Add: poisoned copies join the clean rows, whose originals stay.",
            DefaultValueFactory = _ => d.Poison.Placement,
        };
        var match = new Option<TargetMatch>("--match") { Description = "Label-consistent: WholeWord or the reference's ReferenceSubstring.", DefaultValueFactory = _ => d.Poison.Match };
        var templates = DataCliOptions.Templates("those of a classes file (JSON or classes.py); they make the poisoned captions.");
        // --seed seeds both the poisoned rows and the trigger's fixed patterns, so there is no --trigger-seed here.
        var trigger = new TriggerCliOptions(d.Trigger, seedOption: false);
        var seed = CliOptions.Seed(d.Poison.Seed, "Seed of the rows poisoned, their captions and each image's trigger draws; also of the trigger's fixed patterns and generated WaNet field.");
        var resolution = new Option<int?>(OptionNames.Resolution)
        {
            Description = $"Resize each poisoned image to this size before the trigger, as eval does: the resolution of the model to be trained (default {PoisonJobOptions.DefaultResolution}, as RN50 and ViT-B; 32 for tiny-rn, tiny-vit, demo-rn).",
        };
        var nativeSize = new Option<bool>("--native-size") { Description = "Trigger each image at its own size instead (matches eval only for images already at the model's resolution)." };
        var resize = new Option<ResizeMode>("--resize-mode") { Description = "Crop (CLIP's resize + center crop) or Squash (the reference).", DefaultValueFactory = _ => d.Resize };
        var overwrite = OutputCliOptions.Overwrite("an existing poisoned set of the same name");
        var command = new Command("poison", "Write a poisoned copy of an image-caption table or WebDataset shards, as a table with triggered images or as shards, with manifest.json.")
        {
            input, name, outputFormat, samplesPerShard, imageKey, captionKey, delimiter, target, num, size, mode, placement, match, templates,
        };
        foreach (var option in trigger.All) command.Options.Add(option);
        foreach (var option in new Option[] { seed, resolution, nativeSize, resize, overwrite, preset }) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var chosen = parse.GetValue(preset);
            var defaults = chosen.Apply(d);
            var poison = defaults.Poison with
            {
                Target = parse.GetValue(target)!, NumPoison = parse.GetValue(num), Size = parse.GetValue(size),
                Mode = parse.GetValue(mode), Placement = parse.GetValue(placement), Match = CliOptions.Or(parse, match, defaults.Poison.Match),
                Seed = parse.GetValue(seed),
            };
            if (parse.GetValue(templates) is { } templatesFile) poison = poison with { Templates = ClassesFile.Read(templatesFile).Templates };
            var options = defaults with
            {
                Input = parse.GetValue(input)!, Name = parse.GetValue(name),
                OutputFormat = parse.GetValue(outputFormat), SamplesPerShard = parse.GetValue(samplesPerShard),
                Table = defaults.Table with { ImageKey = parse.GetValue(imageKey)!, CaptionKey = parse.GetValue(captionKey)!, Delimiter = parse.GetValue(delimiter) },
                Poison = poison,
                Trigger = trigger.Read(parse, parse.GetValue(seed), defaults.Trigger),
                Resolution = PoisonResolution(parse.GetValue(resolution), parse.GetValue(nativeSize), defaults.Resolution),
                Resize = CliOptions.Or(parse, resize, defaults.Resize), Overwrite = parse.GetValue(overwrite),
            };
            CliOptions.NotePreset(parse, chosen);
            return run(options);
        }));
        return command;
    }

    private static int Run(PoisonJobOptions options)
    {
        var result = ConsoleUi.WithProgress(progress => PoisonJob.Run(options, progress));
        bool shards = options.OutputFormat == PoisonOutputFormat.WebDataset;
        var table = new Table().AddColumns("", "");
        table.AddRow(shards ? "shards (--train-data)" : "table", Markup.Escape(result.Table));
        table.AddRow(shards ? "shards + manifest" : "images + manifest", Markup.Escape(result.Folder));
        table.AddRow("rows", $"{result.Rows} ({result.Poisoned} poisoned)");
        table.AddRow("input", Markup.Escape(result.InputReport.Summary()));
        AnsiConsole.Write(table);
        return 0;
    }

    private static int? PoisonResolution(int? resolution, bool nativeSize, int? fallback) => (resolution, nativeSize) switch
    {
        (not null, true) => throw new ArgumentException("--resolution and --native-size exclude each other: pass one"),
        (_, true) => null,
        _ => resolution ?? fallback,
    };
}
