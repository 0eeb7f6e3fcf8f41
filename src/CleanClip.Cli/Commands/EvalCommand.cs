using System.CommandLine;
using System.Globalization;
using CleanClip.Evaluation;
using CleanClip.Presets;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip eval</c>: CA, ASR, RA, DER, linear probe and retrieval of one or more checkpoints, as a table and eval.json.</summary>
public static class EvalCommand
{
    public static Command Create() => Create(Run);

    /// <summary>The command with <paramref name="run"/> in place of the job: it receives the options as parsed.</summary>
    public static Command Create(Func<EvalOptions, int> run)
    {
        var d = new EvalOptions { EvalData = "", Vocab = "" };
        var checkpoints = ModelCliOptions.Checkpoints("Checkpoint files or model names (fresh weights); repeat or list several for one comparison table, baseline first.");
        var labels = new Option<string?>(OptionNames.Labels) { Description = "Comma-separated names for the checkpoints (default: file names)." };
        var config = new ModelConfigCliOptions("Architecture name for checkpoint files that do not say.");
        var evalData = DataCliOptions.EvalData("the images every checkpoint is scored on.", required: true);
        var classes = DataCliOptions.Classes("the classes and prompt templates (default: classes.py or classes.json beside labels.csv).");
        var vocab = ModelCliOptions.Vocab(required: true);
        var truncation = CliOptions.Truncation(d.Truncation);
        var metrics = new Option<string>(OptionNames.Metrics) { Description = "Comma-separated: ca, asr, ra, linear-probe (needs --probe-train-data), retrieval (needs --retrieval-data).", DefaultValueFactory = _ => "ca,asr,ra" };
        var probeTrain = new Option<string?>(OptionNames.ProbeTrainData) { Description = "Labeled folder (like --eval-data, same classes; of a torchvision folder its train split) the linear probe is trained on; it is scored on --eval-data, clean and triggered." };
        var probeSeed = new Option<ulong>(OptionNames.ProbeSeed) { Description = "Seeds the linear probe's initial weights and its feature order.", DefaultValueFactory = _ => d.LinearProbe.Seed };
        var retrievalData = new Option<string?>("--retrieval-data") { Description = $"{DataCliOptions.Pairs} for retrieval recall@1/5/10 and the retrieval ASR (captions naming --target)." };
        var target = BackdoorCliOptions.Target(d.Target, "a class name or index.");
        var referenceAsr = new Option<bool>("--reference-asr") { Description = "Squash images to the model resolution before the trigger, as the reference does (default: resize + center crop)." };
        var seed = CliOptions.Seed(d.Seed, "Eval image i gets the trigger seed Derive(seed, i).");
        var batch = CliOptions.BatchSize(d.BatchSize);
        var device = CliOptions.Device(d.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var precision = CliOptions.Precision(d.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var output = OutputCliOptions.Out("Folder for eval.json (default: the first checkpoint's folder, or the current one).");
        var cacheDir = DataCliOptions.CacheDir("Class-embedding", d.CacheDir);
        var trigger = new TriggerCliOptions(d.Trigger);
        var preset = CliOptions.Preset();
        var command = new Command("eval", "Zero-shot clean accuracy, attack success rate and robust accuracy of checkpoints, with DER against the first; linear probe and retrieval on request.")
        {
            checkpoints, labels, evalData, classes, vocab, truncation, metrics, probeTrain, probeSeed, retrievalData, target, referenceAsr, seed, batch, device, precision, forceBf16, trustTorchScript, output, cacheDir, preset,
        };
        foreach (var option in config.All) command.Options.Add(option);
        foreach (var option in trigger.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var chosen = parse.GetValue(preset);
            var defaults = chosen.Apply(d);
            var options = defaults with
            {
                Checkpoints = parse.GetValue(checkpoints)!,
                Labels = parse.GetValue(labels)?.Split(',', StringSplitOptions.TrimEntries),
                ModelConfig = config.Name(parse), Heads = config.Heads(parse), EvalData = parse.GetValue(evalData)!, Classes = parse.GetValue(classes),
                Vocab = parse.GetValue(vocab)!, Truncation = CliOptions.Or(parse, truncation, defaults.Truncation),
                Metrics = EvalOptions.ParseMetrics(parse.GetValue(metrics)!), Target = parse.GetValue(target)!,
                ProbeTrainData = parse.GetValue(probeTrain), LinearProbe = defaults.LinearProbe with { Seed = parse.GetValue(probeSeed) }, RetrievalData = parse.GetValue(retrievalData),
                ReferenceAsr = CliOptions.Or(parse, referenceAsr, defaults.ReferenceAsr), Seed = parse.GetValue(seed), BatchSize = parse.GetValue(batch),
                Device = parse.GetValue(device)!, Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!), TrustTorchScript = parse.GetValue(trustTorchScript), Output = parse.GetValue(output), CacheDir = parse.GetValue(cacheDir) ?? d.CacheDir,
                Trigger = trigger.Read(parse, parse.GetValue(seed), defaults.Trigger),
            };
            CliOptions.NotePreset(parse, chosen);
            return run(options);
        }));
        return command;
    }

    private static int Run(EvalOptions options)
    {
        foreach (var model in options.Checkpoints) ConsoleUi.NoteFreshWeights(model);
        var result = ConsoleUi.WithProgress(progress => EvalJob.Run(options, progress));
        AnsiConsole.Write(Table(result.Results, options));
        if (result.Results is { Trigger: { } t, Target: { } targetName })
            AnsiConsole.MarkupLine($"trigger {Markup.Escape(t.Name)} → target '{Markup.Escape(targetName)}' ({result.Results.Checkpoints[0].AsrImages} non-target images; percentages)");
        if (result.Dataset.SkippedCount > 0) AnsiConsole.MarkupLine($"[yellow]eval set:[/] {Markup.Escape(result.Dataset.Summary())}");
        EmbedCommand.ReportSkipped(result.SkippedImages);
        foreach (var note in result.Notes) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        AnsiConsole.MarkupLine($"eval.json → {Markup.Escape(result.JsonPath)}");
        return 0;
    }

    /// <summary>
    /// One row per checkpoint; metrics as percentages with one decimal, "-" where not computed. The linear-probe and
    /// retrieval columns appear only when those metrics were asked for.
    /// </summary>
    private static Table Table(EvalResults results, EvalOptions options)
    {
        bool probe = options.Wants(EvalMetric.LinearProbe), retrieval = options.Wants(EvalMetric.Retrieval);
        var columns = new List<string> { "checkpoint", "images", "CA@1", "CA@5", "ASR@1", "ASR@5", "RA", "DER" };
        if (probe) columns.AddRange(["LP CA", "LP ASR"]);
        if (retrieval) columns.AddRange(["I→T R@1", "T→I R@1", "ret-ASR@10"]);
        columns.Add("s");
        var table = new Table().AddColumns(columns.ToArray());
        foreach (var c in results.Checkpoints)
        {
            var cells = new List<string>
            {
                Markup.Escape(c.Label), c.Images.ToString(CultureInfo.InvariantCulture),
                Percent(c.CleanAccuracy, "1"), Percent(c.CleanAccuracy, "5"),
                Percent(c.AttackSuccessRate, "1"), Percent(c.AttackSuccessRate, "5"),
                Percent(c.RobustAccuracy), Percent(c.DefenseEffectivenessRating),
            };
            if (probe) cells.AddRange([Percent(c.LinearProbeAccuracy), Percent(c.LinearProbeAttackSuccessRate)]);
            if (retrieval) cells.AddRange([Percent(c.Retrieval, "image_to_text_r1"), Percent(c.Retrieval, "text_to_image_r1"), Percent(c.Retrieval, "asr_top10")]);
            cells.Add(c.Seconds.ToString("F1", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    private static string Percent(IReadOnlyDictionary<string, double>? byK, string k) =>
        Percent(byK is not null && byK.TryGetValue(k, out var v) ? v : null);

    private static string Percent(double? fraction) =>
        fraction is { } f ? (100 * f).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
