using System.CommandLine;

namespace CleanClip.Cli.Sweeps;

/// <summary>
/// How a sweep's points run: <c>--runner local|slurm</c>, how many at once, and the SLURM job's resources. Declared
/// once for <c>sweep</c> and for the commands that run their parts as a sweep (<c>demo --seeds</c>, <c>matrix --seeds</c>).
/// </summary>
public sealed class SweepRunnerCliOptions
{
    public Option<string> Runner { get; } = new("--runner") { Description = "local (child processes here) or slurm (one sbatch job array).", DefaultValueFactory = _ => "local" };
    public Option<int?> Jobs { get; } = new("--jobs") { Description = "Points run at once (local: default 1; slurm: the %N of --array, default no limit)." };
    public Option<int> CpusPerTask { get; } = new("--cpus-per-task") { Description = "slurm: cores per point.", DefaultValueFactory = _ => 1 };
    public Option<string?> Memory { get; } = new("--mem") { Description = "slurm: memory per point as sbatch reads it (e.g. 16G; default: the cluster's)." };
    public Option<int> Gpus { get; } = new("--gpus") { Description = "slurm: GPUs per point (--gres=gpu:G).", DefaultValueFactory = _ => 0 };
    public Option<string?> Partition { get; } = new("--partition") { Description = "slurm: partition (default: the cluster's)." };
    public Option<string?> Time { get; } = new("--time") { Description = "slurm: time limit per point as sbatch reads it (e.g. 4:00:00)." };
    public Option<double> Poll { get; } = new("--poll") { Description = "slurm: seconds between squeue checks while following the job.", DefaultValueFactory = _ => 10 };
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Check the grid, write sweep.json (and for slurm the job script and points file), list the points; run and submit nothing." };

    public SweepRunnerCliOptions() => Runner.AcceptOnlyFromAmong("local", "slurm");

    public IEnumerable<Option> All => [Runner, Jobs, CpusPerTask, Memory, Gpus, Partition, Time, Poll, DryRun];

    /// <summary>The SLURM-only options.</summary>
    public IEnumerable<Option> SlurmOnly => [CpusPerTask, Memory, Gpus, Partition, Time, Poll];

    /// <summary>Whether the command line names any of these options.</summary>
    public bool AnyGiven(ParseResult parse) => All.Any(o => CliOptions.WasGiven(parse, o));

    /// <summary>The options the command line gave, as <c>sweep</c> arguments (the tokens as typed).</summary>
    public IEnumerable<string> Arguments(ParseResult parse) => CliOptions.GivenArguments(parse, All);
}
