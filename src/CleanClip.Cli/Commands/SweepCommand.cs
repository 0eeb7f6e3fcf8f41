using System.CommandLine;
using System.Text.Json.Nodes;
using CleanClip.Cli.Sweeps;
using CleanClip.Reporting;
using Spectre.Console;
using CleanClip.Sweeps;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>cleanclip sweep --grid GRID.json --runner local|slurm --out DIR</c>: every combination of the grid's values as an
/// ordinary train/clean/finetune-supervised (or demo, matrix) command line with its own run folder <c>DIR/points/NAME</c>, run locally
/// (N child processes at a time) or as one SLURM job array; <c>DIR/sweep.json</c> records the grid, the points, their
/// command lines and states. Rerunning it skips complete points and continues the rest.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var grid = new Option<string>("--grid") { Description = "Grid file (JSON): 'command' (a cleanclip subcommand and its fixed arguments) and 'vary' (option → list of values); see docs/sweep.md.", Required = true };
        var options = new SweepRunnerCliOptions();
        var (runner, jobs, cpus, memory, gpus, partition, time, poll, dryRun) =
            (options.Runner, options.Jobs, options.CpusPerTask, options.Memory, options.Gpus, options.Partition, options.Time, options.Poll, options.DryRun);
        var output = OutputCliOptions.Out("Sweep folder: sweep.json, points/NAME run folders (with log.txt), and for slurm sweep.sbatch and sweep.points.", required: true);
        var command = new Command("sweep", "Run a grid of train/clean/finetune-supervised (or demo, matrix) points, locally or as a SLURM job array; resumable.")
        {
            grid, runner, jobs, output, cpus, memory, gpus, partition, time, poll, dryRun,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            bool slurm = parse.GetValue(runner) == "slurm";
            if (!slurm)
                foreach (var option in options.SlurmOnly)
                    if (CliOptions.WasGiven(parse, option)) throw new ArgumentException($"{option.Name} applies to --runner slurm");
            if (parse.GetValue(jobs) is < 1) throw new ArgumentException($"--jobs {parse.GetValue(jobs)}: run at least 1 point at a time");
            if (parse.GetValue(cpus) < 1) throw new ArgumentException($"--cpus-per-task {parse.GetValue(cpus)}: at least 1");
            if (parse.GetValue(gpus) < 0) throw new ArgumentException($"--gpus {parse.GetValue(gpus)}: 0 or more");
            if (!(parse.GetValue(poll) is > 0 and < 86400)) throw new ArgumentException($"--poll {parse.GetValue(poll)}: seconds between 0 and 86400");
            foreach (var option in new[] { memory, partition, time })
                if (parse.GetValue(option) is { } text && (text.Length == 0 || text.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\')))
                    throw new ArgumentException($"{option.Name} '{text}': one sbatch word, without spaces or quotes");

            var sweepGrid = SweepGrid.Load(parse.GetValue(grid)!);
            var outDir = parse.GetValue(output)!;
            var points = SweepPlan.Build(sweepGrid, CleanClipCli.Create(), outDir);
            if (slurm) CheckSbatchPath(Path.GetFullPath(outDir), "--out");
            if (slurm) CheckSbatchPath(Environment.CurrentDirectory, "the working directory");
            using var folder = SweepFolder.Open(outDir);
            var record = Record(folder, sweepGrid, points, slurm ? "slurm" : "local");
            if (slurm) CheckSbatchPath(record.WorkingDirectory, "the sweep's working directory");
            foreach (var point in record.Points) point.Observe();
            record.Write(folder.Path);

            var resources = new SlurmResources(parse.GetValue(jobs), parse.GetValue(cpus), parse.GetValue(memory), parse.GetValue(gpus),
                parse.GetValue(partition), parse.GetValue(time));
            var slurmRunner = new SlurmRunner(record, folder.Path, record.Program, resources);
            var toRun = record.Points.Where(p => p.State != PointState.Complete).ToList();
            if (parse.GetValue(dryRun))
            {
                if (slurm) slurmRunner.WriteFiles();
                AnsiConsole.Write(CommandTable(record));
                AnsiConsole.MarkupLine($"dry run: {Points(record.Points.Count)}, {toRun.Count} to run; nothing was started → {Markup.Escape(SweepRecord.PathIn(folder.Path))}" +
                    (slurm ? $", {Markup.Escape(slurmRunner.ScriptPath)}" : ""));
                return 0;
            }

            // A job of this sweep still in the queue is followed, never submitted twice (nor run beside it locally).
            string? followJob = null;
            if (record.Slurm is { JobId.Length: > 0 } earlier && StillQueued(earlier.JobId, required: slurm))
            {
                if (!slurm)
                    throw new ArgumentException($"SLURM job {earlier.JobId} of this sweep is still in the queue; follow it with --runner slurm, or scancel it before running locally");
                followJob = earlier.JobId;
            }
            if (toRun.Count == 0 && followJob is null)
            {
                AnsiConsole.MarkupLine($"all {record.Points.Count} points are complete; nothing to run");
                Report(record, folder.Path);
                return 0;
            }
            int complete = record.Points.Count(p => p.State == PointState.Complete);
            if (complete > 0 && followJob is null) AnsiConsole.MarkupLine($"{complete} of {record.Points.Count} points are complete already; running the other {toRun.Count}");

            bool interrupted = false;
            ConsoleUi.Cancellable(token =>
            {
                try
                {
                    if (slurm)
                    {
                        IReadOnlyList<PointRecord> submitted;
                        if (followJob is { } job)
                        {
                            submitted = record.Points.Where(p => record.Slurm!.Submitted.Contains(p.Index)).ToList();
                            AnsiConsole.MarkupLine($"following job {job} of this sweep, still in the queue (submitted {record.Slurm!.SubmittedUtc:u}); nothing new is submitted");
                        }
                        else
                        {
                            slurmRunner.WriteFiles();
                            foreach (var point in toRun) PointExit.Clear(point.Folder);
                            job = slurmRunner.Submit(toRun);
                            submitted = toRun;
                            lock (record)
                                record.Slurm = new SlurmRecord { JobId = job, Submitted = toRun.Select(p => p.Index).ToList(), SubmittedUtc = DateTime.UtcNow, Script = slurmRunner.ScriptPath };
                            slurmRunner.MarkSubmitted(toRun, job, _ => { });
                            AnsiConsole.MarkupLine($"submitted job {job}: {Points(toRun.Count)} as array {SlurmRunner.Indices(toRun.Select(p => p.Index))} ({Markup.Escape(slurmRunner.ScriptPath)})");
                        }
                        WithBar(record, submitted, changed => slurmRunner.Follow(job, submitted, TimeSpan.FromSeconds(parse.GetValue(poll)), changed, token));
                    }
                    else
                    {
                        var local = new LocalRunner(record, folder.Path, record.Program, parse.GetValue(jobs) ?? 1);
                        WithBar(record, toRun, changed => local.Run(toRun, changed, token));
                        if (token.IsCancellationRequested) interrupted = true;
                    }
                }
                catch (OperationCanceledException)
                {
                    interrupted = true;
                    AnsiConsole.MarkupLine($"[yellow]interrupted:[/] stopped following SLURM job {record.Slurm?.JobId}; it keeps running: rerun the same sweep to follow it again");
                }
                return 0;
            });
            Report(record, folder.Path);
            if (interrupted) return ConsoleUi.StoppedExitCode;
            return record.Points.All(p => p.State == PointState.Complete) ? 0 : 1;
        }));
        return command;
    }

    /// <summary>
    /// The folder's record when it has one (it must hold the same points: same names and command lines), else a new
    /// one; the program that runs the points is this one in either case.
    /// </summary>
    private static SweepRecord Record(SweepFolder folder, SweepGrid grid, IReadOnlyList<SweepPoint> points, string runner)
    {
        var path = SweepRecord.PathIn(folder.Path);
        SweepRecord record;
        if (File.Exists(path))
        {
            record = SweepRecord.Read(path);
            var difference = record.Points.Count != points.Count ? $"it has {record.Points.Count} points, the grid {points.Count}"
                : record.Points.Zip(points).FirstOrDefault(p => p.First.Name != p.Second.Name || !p.First.Command.SequenceEqual(p.Second.Arguments)) is ({ } was, { } now)
                    ? was.Name != now.Name ? $"point {was.Index} is {was.Name} there and {now.Name} here" : $"point {now.Name} has another command line"
                    : null;
            if (difference is not null)
                throw new ArgumentException($"{path} records another sweep ({difference}); rerun it with its own grid, or choose another --out");
        }
        else
        {
            record = new SweepRecord
            {
                WorkingDirectory = Environment.CurrentDirectory,
                Points = points.Select(p => new PointRecord
                {
                    Index = p.Index, Name = p.Name, Folder = p.Folder, Values = p.Values.ToDictionary(), Command = [.. p.Arguments],
                }).ToList(),
            };
        }
        record.GridFile = Path.GetFullPath(grid.File);
        record.Grid = JsonNode.Parse(File.ReadAllText(grid.File), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        record.Runner = runner;
        record.Program = [.. CliProgram.Current()];
        foreach (var point in record.Points) point.CommandLine = CommandLine.Join(record.Program.Concat(point.Command));
        return record;
    }

    /// <summary>#SBATCH lines are not shell words: the paths written into them must need no quoting.</summary>
    private static void CheckSbatchPath(string path, string what)
    {
        if (path.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\'))
            throw new ArgumentException($"--runner slurm: {what} {path} holds white space or quotes, which #SBATCH lines cannot carry; use a plainer path");
    }

    /// <summary>Whether a job is still in the queue; without SLURM's commands a local run takes it as gone.</summary>
    private static bool StillQueued(string jobId, bool required)
    {
        try { return SlurmRunner.Queued(jobId).Count > 0; }
        catch (InvalidOperationException) when (!required) { return false; }
    }

    /// <summary>One bar over the points being run; its description counts them by state.</summary>
    private static void WithBar(SweepRecord record, IReadOnlyList<PointRecord> points, Action<Action<PointRecord>> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("points", maxValue: Math.Max(1, points.Count));
                void Show()
                {
                    int Count(PointState s) => points.Count(p => p.State == s);
                    var parts = new[] { (PointState.Complete, "complete"), (PointState.Failed, "failed"), (PointState.Incomplete, "incomplete"),
                                        (PointState.Running, "running"), (PointState.Queued, "queued") }
                        .Where(s => Count(s.Item1) > 0).Select(s => $"{Count(s.Item1)} {s.Item2}");
                    task.Description = $"{Points(points.Count)}: {string.Join(", ", parts)}";
                    task.Value = points.Count(p => p.State is PointState.Complete or PointState.Failed or PointState.Incomplete);
                }
                Show();
                work(_ => Show());
                task.Value = task.MaxValue;
            });

    /// <summary>The end-of-sweep table (point, state, exit code, wall time) and where the record and failing logs are.</summary>
    private static void Report(SweepRecord record, string folder)
    {
        var table = new Table().AddColumns("point", "state", "exit code", "wall time", "run");
        foreach (var point in record.Points)
        {
            var state = point.State switch
            {
                PointState.Complete => "[green]complete[/]",
                PointState.Failed => "[red]failed[/]",
                PointState.Incomplete => "[yellow]incomplete[/]",
                var other => other.ToString().ToLowerInvariant(),
            };
            // How the latest attempt began: afresh, or continuing the folder's checkpoints (none for a point that never started).
            var run = point.State is PointState.Pending || point.Attempts == 0 ? "" : point.Resumed ? "resumed" : "fresh";
            table.AddRow(Markup.Escape(point.Name), state, point.ExitCode?.ToString() ?? "", point.WallSeconds is { } s ? $"{s:F1} s" : "", run);
        }
        AnsiConsole.Write(table);
        int complete = record.Points.Count(p => p.State == PointState.Complete);
        AnsiConsole.MarkupLine($"{complete} of {record.Points.Count} points complete → {Markup.Escape(SweepRecord.PathIn(folder))}");
        foreach (var point in record.Points.Where(p => p.State == PointState.Failed))
            AnsiConsole.MarkupLine($"[red]failed:[/] {Markup.Escape(point.Name)} (exit code {point.ExitCode}): see {Markup.Escape(Path.Combine(point.Folder, LocalRunner.LogName))}");
        if (record.Points.Any(p => p.State is PointState.Incomplete or PointState.Pending))
            AnsiConsole.MarkupLine("rerun the same sweep to continue the points that are not complete");
        else if (SweepFrontier.Read([folder], FrontierGroup(record)) is { Settings.Count: > 0 } frontier)
            FrontierCommand.Print(SweepFrontier.Write(frontier, Path.Combine(folder, FrontierFolder)));
    }

    /// <summary>Where a finished sweep whose runs evaluated themselves writes its CA-vs-ASR frontier.</summary>
    public const string FrontierFolder = "frontier";

    /// <summary>The frontier's groups: the first varied option with a value that is not a number (a method, say), else one group.</summary>
    private static string? FrontierGroup(SweepRecord record) => record.Points[0].Values.Keys.FirstOrDefault(option =>
        record.Points.Any(p => p.Values.TryGetValue(option, out var v) && !double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)));

    private static string Points(int count) => count == 1 ? "1 point" : $"{count} points";

    /// <summary>The points and their command lines, for --dry-run.</summary>
    private static Table CommandTable(SweepRecord record)
    {
        var table = new Table().AddColumns("#", "point", "state", "command line");
        foreach (var point in record.Points)
            table.AddRow(point.Index.ToString(), Markup.Escape(point.Name), point.State.ToString().ToLowerInvariant(), Markup.Escape(point.CommandLine));
        return table;
    }
}
