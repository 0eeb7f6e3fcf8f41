using System.CommandLine;
using CleanClip.Demo;
using CleanClip.Training;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip demo</c>: the whole poison-and-clean story on synthetic data, with a heading and bars per stage.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var d = new DemoOptions();
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => d.Output };
        var quick = new Option<bool>("--quick") { Description = "The two-minute version (smaller world, fewer epochs)." };
        var attack = new Option<string>("--attack") { Description = $"Trigger: {string.Join(", ", Poisoning.TriggerFactory.Names)}.", DefaultValueFactory = _ => d.Trigger.Name };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => d.Seed };
        var device = CliOptions.Device(d.Device);
        var precision = CliOptions.Precision(d.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var command = new Command("demo", "Run the whole CleanCLIP story on synthetic data: poison, train, clean three ways, evaluate, report.")
        {
            output, quick, attack, seed, device, precision, forceBf16,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                Output = parse.GetValue(output)!, Seed = parse.GetValue(seed), Device = parse.GetValue(device)!, Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!),
                Trigger = d.Trigger with { Name = parse.GetValue(attack)! },
            };
            if (parse.GetValue(quick)) options = DemoOptions.Quick(options);
            if (DemoJob.WordNetNote(options) is { } note) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            var result = ConsoleUi.Cancellable(token => DemoJob.Run(options, new SpectreDemoUi(), token));
            Print(result);
            return 0;
        }));
        return command;
    }

    private static void Print(DemoResult result)
    {
        foreach (var note in result.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        var table = new Table().AddColumns("model", "CA@1", "ASR@1", "RA", "DER", "time");
        foreach (var row in result.Rows)
            table.AddRow(row.Stage, Percent(row.CleanAccuracy), Percent(row.AttackSuccessRate), Percent(row.RobustAccuracy),
                row.DefenseEffectivenessRating is { } der ? der.ToString("F2") : "", $"{row.Seconds:F0} s");
        AnsiConsole.Write(new Rule("results"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"CA: zero-shot accuracy on clean test images; ASR: share of triggered non-target images called the target; RA: accuracy on those; DER vs the poisoned model.");
        AnsiConsole.MarkupLine($"report: {Markup.Escape(result.Report)}   results: {Markup.Escape(result.ResultsJson)}   total {result.Elapsed.TotalMinutes:F1} min");
        AnsiConsole.Write(new Rule("reproduce each stage by hand"));
        foreach (var line in result.Commands) AnsiConsole.WriteLine(line);
    }

    private static string Percent(double? value) => value is { } v ? $"{100 * v:F1}%" : "";

    private sealed class SpectreDemoUi : IDemoUi
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
