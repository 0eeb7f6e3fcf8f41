using System.CommandLine;
using CleanClip.Reporting;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip report RUN_DIR...</c>: Markdown + PNG report from runs' eval.json and metrics.jsonl.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var defaults = new ReportOptions { Runs = [] };
        var runs = new Argument<string[]>("RUN_DIR") { Description = "Run folders holding eval.json and/or metrics.jsonl.", Arity = ArgumentArity.OneOrMore };
        var output = OutputCliOptions.Out("Folder for report.md, report.json and the figures.", defaults.Output);
        var examples = new Option<int>("--examples") { Description = "Eval images per checkpoint shown with and without the trigger (0: none).", DefaultValueFactory = _ => defaults.Examples };
        var device = CliOptions.Device(defaults.Device);
        var trustTorchScript = CliOptions.TrustTorchScript();
        var command = new Command("report", "Write a Markdown + PNG report: CA/ASR bars, training curves, CA-vs-ASR scatter, example predictions.")
        {
            runs, output, examples, device, trustTorchScript,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = defaults with
            {
                Runs = parse.GetValue(runs)!, Output = parse.GetValue(output)!, Examples = parse.GetValue(examples), Device = parse.GetValue(device)!, TrustTorchScript = parse.GetValue(trustTorchScript),
            };
            var result = ConsoleUi.WithProgress(progress => ReportJob.Run(options, progress));
            foreach (var note in result.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            AnsiConsole.MarkupLine($"{result.Figures.Count} figures; report → {Markup.Escape(result.MarkdownPath)}");
            return 0;
        }));
        return command;
    }
}
