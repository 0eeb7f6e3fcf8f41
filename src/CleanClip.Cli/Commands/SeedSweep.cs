using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CleanClip.Cli.Sweeps;
using CleanClip.Sweeps;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>demo --seeds 1,2,3 --runner local|slurm</c> and <c>matrix --seeds ... --runner ...</c>: each seed is a point of a
/// sweep in <c>OUT/sweep</c> (the runner of <c>cleanclip sweep</c>: N child processes here, or one SLURM job array) whose
/// command is the one given, minus the output, seed and runner options, for that one seed; when every point is
/// complete the caller summarises the points' folders into OUT. Rerunning continues: complete seeds are kept.
/// </summary>
public static class SeedSweep
{
    public const string GridFileName = "grid.json";
    public const string SweepFolderName = "sweep";

    /// <param name="output">OUT: new, empty, or one this command wrote (marked with <paramref name="tag"/>).</param>
    /// <param name="seedOption">The option that gives a point its seed (demo's --seed, matrix's --seeds).</param>
    /// <param name="notForwarded">The command's options the points do not get as given (the output, the seeds, the runner's).</param>
    /// <param name="collect">Summarises the points' folders, by seed, into OUT once all are complete.</param>
    public static int Run(ParseResult parse, string output, string tag, IReadOnlyList<ulong> seeds, string seedOption, SweepRunnerCliOptions runner,
        IReadOnlyList<Option> notForwarded, Action<IReadOnlyList<(ulong Seed, string Folder)>> collect)
    {
        var command = parse.CommandResult.Command;
        var folder = Path.GetFullPath(output);
        if (!OwnedFolder.MayClaim(folder, tag))
            throw new IOException($"--out {output} is not empty and is not a folder of '{command.Name} --seeds --runner' (no {OwnedFolder.MarkerName} of '{tag}'); choose a new or empty folder");
        OwnedFolder.Create(folder, tag);

        var forwarded = CliOptions.GivenArguments(parse, command.Options.Except(notForwarded));
        var grid = Path.Combine(folder, GridFileName);
        AtomicFile.WriteAllText(grid, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["command"] = forwarded.Prepend(command.Name).ToList(),
            ["vary"] = new Dictionary<string, object> { [seedOption] = seeds },
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var sweepFolder = Path.Combine(folder, SweepFolderName);
        int exit = CleanClipCli.Create().Parse(["sweep", "--grid", grid, OptionNames.Out, sweepFolder, .. runner.Arguments(parse)]).Invoke();
        if (exit != 0 || parse.GetValue(runner.DryRun)) return exit;
        var record = SweepRecord.Read(SweepRecord.PathIn(sweepFolder));
        collect(record.Points.Select(p => (ulong.Parse(p.Values[seedOption], CultureInfo.InvariantCulture), p.Folder)).ToList());
        return 0;
    }
}
