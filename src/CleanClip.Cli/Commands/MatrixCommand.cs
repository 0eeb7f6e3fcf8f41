using System.CommandLine;
using CleanClip.Demo;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip matrix</c>: every listed attack against every listed defense over the seeds, with the demo's stages; a Spectre table at the end.</summary>
public static class MatrixCommand
{
    public static Command Create()
    {
        var d = new DemoOptions();
        var output = OutputCliOptions.Out("Output folder: new, empty, or an earlier matrix's (its finished cells are skipped).", required: true);
        var attacks = new Option<string>("--attacks")
        {
            Description = $"Comma-separated attacks: {string.Join(", ", MatrixJob.KnownAttacks.Select(a => a.Name))}, optimized (with --trigger-file).", Required = true,
        };
        var defenses = new Option<string>("--defenses")
        {
            Description = $"Comma-separated defenses: {string.Join(", ", MatrixJob.KnownDefenses.Select(x => x.Name))} (none: the poisoned model as it is).", Required = true,
        };
        var triggerFile = BackdoorCliOptions.TriggerFile("needed for --attacks optimized");
        var patchSize = BackdoorCliOptions.PatchSize(d.Trigger.PatchSize, "the patch triggers (BadNet, label-consistent); an optimized patch keeps its file's size");
        var seeds = DemoCliOptions.Seeds("Seeds (e.g. 1,2,3): the whole matrix once per seed, in OUT/seed-N; the table gives mean and min–max over them. Default 1.");
        var world = DemoCliOptions.World(DemoOptions.DefaultWorld);
        var data = DemoCliOptions.Data();
        var quick = DemoCliOptions.Quick();
        var filterFractions = DemoCliOptions.FilterFractions(d.FilterFractions);
        var device = CliOptions.Device(d.Device);
        var precision = CliOptions.Precision(d.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var command = new Command("matrix", "Poison, train, clean and evaluate every attack against every defense (the demo's recipe), one poisoned model per attack and seed; resumable.")
        {
            output, attacks, defenses, triggerFile, patchSize, seeds, world, data, quick, filterFractions, device, precision, forceBf16,
        };
        var runner = new Sweeps.SweepRunnerCliOptions();
        // The runner options run each seed as a point of a sweep (here or on SLURM) instead of one after the other in this process.
        foreach (var option in runner.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var recipe = d with
            {
                Trigger = d.Trigger with { PatchSize = parse.GetValue(patchSize) },
                Device = parse.GetValue(device)!, Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!),
                FilterFractions = DemoCliOptions.ParseFilterFractions(parse.GetValue(filterFractions), d.FilterFractions),
            };
            var options = new MatrixOptions
            {
                Demo = DemoCliOptions.Recipe(parse, recipe, world, data, quick),
                Attacks = MatrixJob.ParseAttacks(parse.GetValue(attacks)!, parse.GetValue(triggerFile)),
                Defenses = MatrixJob.ParseDefenses(parse.GetValue(defenses)!),
                Seeds = parse.GetValue(seeds) is { } text ? DemoSeeds.Parse(text) : [1],
                Output = parse.GetValue(output)!,
            };
            if (CliOptions.WasGiven(parse, filterFractions) && !options.Defenses.Any(x => x.IsFilter))
                throw new ArgumentException($"--filter-fractions sets the rounds of the {MatrixJob.FilterDefense} defense: add it to --defenses");
            if (runner.AnyGiven(parse))
                return SeedSweep.Run(parse, options.Output, "cleanclip matrix --seeds --runner", options.Seeds, seeds.Name, runner, [output, seeds, .. runner.All],
                    points => Print(MatrixJob.Collect(options, points.Select(p => p.Folder).ToList())));
            if (DemoJob.WordNetNote(options.Demo with { Methods = options.Defenses.Where(x => x.Method is not null).Select(x => x.Method!.Value).ToList() }) is { } note)
                AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            var result = ConsoleUi.Cancellable(token => MatrixJob.Run(options, new DemoCommand.SpectreDemoUi(), token));
            Print(result);
            return 0;
        }));
        return command;
    }

    private static void Print(MatrixResult result)
    {
        var table = new Table().AddColumns("attack", "defense", "CA@1", "ASR@1", "LP ASR");
        foreach (var s in result.Summary)
            table.AddRow(s.Attack, s.Defense, DemoSeeds.Spread(s.CleanAccuracy), DemoSeeds.Spread(s.AttackSuccessRate), DemoSeeds.Spread(s.LinearProbeAttackSuccessRate));
        int seeds = result.Cells.Select(c => c.Seed).Distinct().Count();
        AnsiConsole.Write(new Rule($"mean (min–max) over {seeds} seed{(seeds == 1 ? "" : "s")}"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("CA@1: zero-shot top-1 on clean test images (supervised: its own head); ASR@1: share of triggered non-target images classified as the target; LP ASR: a linear probe on the frozen image features.");
        AnsiConsole.MarkupLine($"cells run {result.CellsRun}, skipped (already done) {result.CellsSkipped}; poisoned models trained {result.PoisonedModelsTrained}; total {result.Elapsed.TotalMinutes:F1} min");
        AnsiConsole.MarkupLine($"table: {Markup.Escape(result.Table)}   numbers: {Markup.Escape(result.Json)}   charts: {Markup.Escape(result.Heatmap)}, {Markup.Escape(result.Scatter)}");
    }
}
