using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CleanClip.Cli.Sweeps;
using CleanClip.Demo;
using CleanClip.Sweeps;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>demo --seeds 1,2,3 --runner local|slurm</c>: each seed's demo is a point of a sweep in <c>OUT/sweep</c> (the same
/// runner as <c>cleanclip sweep</c>: N child processes here, or one SLURM job array), with the demo command line as
/// given minus the seed options; when every point is complete, the seeds are summarised in OUT/seeds.md and seeds.json
/// as an in-process <c>--seeds</c> run does. Rerunning continues: complete seeds are kept.
/// </summary>
public static class DemoSweep
{
    /// <summary>Marks OUT as written by this command.</summary>
    public const string OutputTag = "cleanclip demo --seeds --runner";
    public const string GridFileName = "grid.json";
    public const string SweepFolderName = "sweep";

    /// <param name="notForwarded">The demo options the points do not get as given (the output, the seeds, the runner's).</param>
    public static int Run(ParseResult parse, DemoOptions options, IReadOnlyList<ulong> seeds, SweepRunnerCliOptions runner, IReadOnlyList<Option> notForwarded)
    {
        var output = Path.GetFullPath(options.Output);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !OwnedFolder.IsOwned(output, OutputTag))
            throw new IOException($"--out {options.Output} is not empty and is not a folder of 'demo --seeds --runner' (no {OwnedFolder.MarkerName} of '{OutputTag}'); choose a new or empty folder");
        OwnedFolder.Create(output, OutputTag);

        // Each point is `demo` with the options given here, its seed varied by the grid.
        var forwarded = parse.CommandResult.Command.Options.Where(o => !notForwarded.Contains(o) && CliOptions.WasGiven(parse, o))
            .SelectMany(o => parse.GetResult(o)!.Tokens.Select(t => t.Value).Prepend(o.Name));
        var grid = Path.Combine(output, GridFileName);
        AtomicFile.WriteAllText(grid, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["command"] = forwarded.Prepend("demo").ToList(),
            ["vary"] = new Dictionary<string, object> { [OptionNames.Seed] = seeds },
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var sweepFolder = Path.Combine(output, SweepFolderName);
        var sweep = new List<string> { "sweep", "--grid", grid, OptionNames.Out, sweepFolder };
        sweep.AddRange(runner.Arguments(parse));
        int exit = CleanClipCli.Create().Parse(sweep).Invoke();
        if (exit != 0 || parse.GetValue(runner.DryRun)) return exit;

        var record = SweepRecord.Read(SweepRecord.PathIn(sweepFolder));
        var demos = record.Points.Select(p => (Seed: ulong.Parse(p.Values[OptionNames.Seed], CultureInfo.InvariantCulture), p.Folder)).ToList();
        var result = DemoSeeds.Collect(options, demos, output, TimeSpan.FromSeconds(record.Points.Sum(p => p.WallSeconds ?? 0)));
        AnsiConsole.Write(new Rule("seeds"));
        AnsiConsole.WriteLine(File.ReadAllText(result.Table));
        AnsiConsole.MarkupLine($"seeds → {Markup.Escape(result.Table)}, {Markup.Escape(result.Json)}");
        return 0;
    }
}
