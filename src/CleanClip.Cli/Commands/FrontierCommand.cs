using System.CommandLine;
using CleanClip.Reporting;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip frontier SWEEP_DIR... --by OPTION --out DIR</c>: CA against ASR over sweeps' points (<see cref="SweepFrontier"/>).</summary>
public static class FrontierCommand
{
    public static Command Create()
    {
        var sweeps = new Argument<string[]>("SWEEP_DIR") { Description = "Sweep folders (cleanclip sweep --out); points with the same varied values in several of them are pooled.", Arity = ArgumentArity.OneOrMore };
        var by = new Option<string?>("--by") { Description = "Group the settings by this option of their command line (e.g. method), each group with its own Pareto front." };
        var output = OutputCliOptions.Out($"Folder for {SweepFrontier.MarkdownFile}, {SweepFrontier.JsonFile} and {SweepFrontier.PlotFile}.", "frontier");
        var command = new Command("frontier", "Clean accuracy against ASR over the points of one or more sweeps whose runs evaluated themselves (--eval-data, --target): mean and range per setting, Pareto front per group.")
        {
            sweeps, by, output,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var result = SweepFrontier.Write(parse.GetValue(sweeps)!, parse.GetValue(by), parse.GetValue(output)!);
            Print(result);
            return 0;
        }));
        return command;
    }

    internal static void Print(SweepFrontier.Result result)
    {
        var table = new Table().AddColumns("group", "setting", "runs", "CA@1 %", "ASR@1 %", "front");
        foreach (var s in result.Settings)
            table.AddRow(Markup.Escape(s.Group), Markup.Escape(s.Values), s.Runs.Count.ToString(), s.CleanAccuracy.Percent(), s.AttackSuccessRate.Percent(), s.OnFront ? "★" : "");
        AnsiConsole.Write(table);
        foreach (var note in result.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        AnsiConsole.MarkupLine($"frontier → {Markup.Escape(result.MarkdownPath)} (+ {Path.GetFileName(result.JsonPath)}{(result.PlotPath is null ? "" : ", " + Path.GetFileName(result.PlotPath))})");
    }
}
