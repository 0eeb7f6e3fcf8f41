using System.CommandLine;
using CleanClip.Demo;
using CleanClip.Training;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip demo</c>: the whole poison-and-clean story on synthetic or real images, with a heading and bars per stage; <c>--seeds</c> runs it per seed and summarises.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var d = new DemoOptions();
        var output = OutputCliOptions.Out("Output folder.", d.Output);
        var quick = DemoCliOptions.Quick();
        var attack = new Option<string>("--attack") { Description = $"Trigger: {string.Join(", ", Poisoning.TriggerFactory.Names)}.", DefaultValueFactory = _ => d.Trigger.Name };
        var patchSize = BackdoorCliOptions.PatchSize(d.Trigger.PatchSize, "the patch triggers (BadNet and its kin)");
        var seed = CliOptions.Seed(d.Seed, "Seed of every stage: the real world's captions, the poisoning, each training run and the evaluation (the synthetic world's images stay the same).");
        var seeds = DemoCliOptions.Seeds("Run the demo once per seed (e.g. 1,2,3), each in OUT/seed-N, and summarise them in OUT/seeds.md and seeds.json.");
        var world = DemoCliOptions.World(DemoOptions.DefaultWorld);
        var data = DemoCliOptions.Data();
        var filterRetrain = new Option<bool>("--filter-retrain")
        {
            Description = "Also the dataset-side defense: drop the pretraining pairs the scan scores highest and retrain on the rest, in the rounds of --filter-fractions (the 'filtered' row; one more pretraining per round).",
        };
        var filterFractions = DemoCliOptions.FilterFractions(d.FilterFractions);
        var device = CliOptions.Device(d.Device);
        var precision = CliOptions.Precision(d.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var runner = new Sweeps.SweepRunnerCliOptions();
        var command = new Command("demo", "Run the whole CleanCLIP story on synthetic shapes or real Fashion-MNIST images: poison, train, clean three ways, evaluate, report.")
        {
            output, world, data, quick, attack, patchSize, seed, seeds, filterRetrain, filterFractions, device, precision, forceBf16,
        };
        // With --seeds, the runner options run each seed as a point of a sweep (here or on SLURM) instead of one after the other in this process.
        foreach (var option in runner.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                Output = parse.GetValue(output)!, Seed = parse.GetValue(seed), Device = parse.GetValue(device)!, Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!),
                Trigger = d.Trigger with { Name = parse.GetValue(attack)!, PatchSize = parse.GetValue(patchSize) }, FilterRetrain = parse.GetValue(filterRetrain),
                FilterFractions = DemoCliOptions.ParseFilterFractions(parse.GetValue(filterFractions), d.FilterFractions),
            };
            if (CliOptions.WasGiven(parse, filterFractions) && !options.FilterRetrain)
                throw new ArgumentException("--filter-fractions sets the rounds of --filter-retrain: give --filter-retrain too");
            options = DemoCliOptions.Recipe(parse, options, world, data, quick);
            var seedList = parse.GetValue(seeds) is { } text ? DemoSeeds.Parse(text) : null;
            if (seedList is not null && parse.GetResult(seed) is { Implicit: false })
                throw new ArgumentException("give either --seed or --seeds, not both");
            if (runner.AnyGiven(parse))
            {
                if (seedList is null) throw new ArgumentException($"{string.Join(", ", runner.All.Where(o => CliOptions.WasGiven(parse, o)).Select(o => o.Name))}: a runner runs the seeds of --seeds; give --seeds");
                return SeedSweep.Run(parse, options.Output, "cleanclip demo --seeds --runner", seedList, OptionNames.Seed, runner, [output, seeds, seed, .. runner.All], demos =>
                {
                    var result = DemoSeeds.Collect(options, demos, Path.GetFullPath(options.Output));
                    AnsiConsole.Write(new Rule("seeds"));
                    AnsiConsole.WriteLine(File.ReadAllText(result.Table));
                    AnsiConsole.MarkupLine($"seeds → {Markup.Escape(result.Table)}, {Markup.Escape(result.Json)}");
                });
            }
            if (DemoJob.WordNetNote(options) is { } note) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            if (seedList is null)
            {
                var result = ConsoleUi.Cancellable(token => DemoJob.Run(options, new SpectreDemoUi(), token));
                Print(result);
            }
            else
            {
                var result = ConsoleUi.Cancellable(token => DemoSeeds.Run(options, seedList, new SpectreDemoUi(), token));
                Print(result);
            }
            return 0;
        }));
        return command;
    }

    private static void Print(DemoResult result)
    {
        foreach (var note in result.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        bool probe = result.Rows.Any(r => r.LinearProbeAttackSuccessRate is not null);
        var table = new Table().AddColumns(probe ? ["model", "CA@1", "ASR@1", "ASR@5", "RA", "DER", "LP CA", "LP ASR", "time"] : ["model", "CA@1", "ASR@1", "ASR@5", "RA", "DER", "time"]);
        foreach (var row in result.Rows)
        {
            var cells = new List<string> { row.Stage, Percent(row.CleanAccuracy), Percent(row.AttackSuccessRate), Percent(row.AttackSuccessRate5), Percent(row.RobustAccuracy),
                row.DefenseEffectivenessRating is { } der ? der.ToString("F2") : "" };
            if (probe) cells.AddRange([Percent(row.LinearProbeAccuracy), Percent(row.LinearProbeAttackSuccessRate)]);
            cells.Add($"{row.Seconds:F0} s");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(new Rule("results"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"CA: zero-shot accuracy on clean test images; ASR@k: share of triggered non-target images with the target in the top k; RA: accuracy on those; DER vs the poisoned model{(probe ? "; LP: a linear probe on the frozen image features" : "")}.");
        if (result.Scan is { } scan)
            AnsiConsole.MarkupLine($"scan of the poisoned pretraining pairs ({scan.Detector}): AUROC {scan.Auroc:F3}, precision at the true poison count ({scan.Poisoned} of {scan.Rows}) {Percent(scan.PrecisionAtCount)}");
        AnsiConsole.MarkupLine($"report: {Markup.Escape(result.Report)}   results: {Markup.Escape(result.ResultsJson)}   total {result.Elapsed.TotalMinutes:F1} min");
        AnsiConsole.Write(new Rule("reproduce each stage by hand"));
        foreach (var line in result.Commands) AnsiConsole.WriteLine(line);
    }

    private static void Print(DemoSeedsResult result)
    {
        var table = new Table().AddColumns("seed", "model", "CA@1", "ASR@1", "ASR@5", "LP ASR", "time");
        foreach (var run in result.Runs)
            foreach (var row in run.Rows)
                table.AddRow($"{run.Seed}", row.Stage, Percent(row.CleanAccuracy), Percent(row.AttackSuccessRate), Percent(row.AttackSuccessRate5),
                    Percent(row.LinearProbeAttackSuccessRate), $"{row.Seconds:F0} s");
        AnsiConsole.Write(new Rule("results per seed"));
        AnsiConsole.Write(table);
        var summary = new Table().AddColumns("model", "CA@1", "ASR@1", "ASR@5", "LP ASR");
        foreach (var s in result.Summary)
            summary.AddRow(s.Stage, DemoSeeds.Spread(s.CleanAccuracy), DemoSeeds.Spread(s.AttackSuccessRate), DemoSeeds.Spread(s.AttackSuccessRate5), DemoSeeds.Spread(s.LinearProbeAttackSuccessRate));
        AnsiConsole.Write(new Rule($"mean (min–max) over {result.Runs.Count} seeds"));
        AnsiConsole.Write(summary);
        AnsiConsole.MarkupLine($"table: {Markup.Escape(result.Table)}   numbers: {Markup.Escape(result.Json)}   each seed: {Markup.Escape(Path.Combine(result.Output, "seed-N"))}   total {result.Elapsed.TotalMinutes:F1} min");
    }

    internal static string Percent(double? value) => value is { } v ? $"{100 * v:F1}%" : "";

    internal sealed class SpectreDemoUi : IDemoUi
    {
        public T Stage<T>(string heading, Func<IProgress<JobProgress>, T> work)
        {
            AnsiConsole.Write(new Rule(Markup.Escape(heading)).LeftJustified());
            return ConsoleUi.WithProgress(work);
        }

        public T Training<T>(string heading, Func<IProgress<TrainingProgress>, T> work)
        {
            AnsiConsole.Write(new Rule(Markup.Escape(heading)).LeftJustified());
            return ConsoleUi.WithTraining(work);
        }
    }
}
