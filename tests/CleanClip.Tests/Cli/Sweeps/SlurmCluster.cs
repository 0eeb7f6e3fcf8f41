using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace CleanClip.Tests.Cli.Sweeps;

/// <summary>
/// A real one-node SLURM cluster for the sweep tests, all of it in a temporary folder: a munge key and
/// <c>munged</c> on its own socket, a minimal <c>slurm.conf</c> (this host as controller and only node, 2 CPUs, one
/// <c>debug</c> partition, free ports, no accounting, no cgroups), <c>slurmctld -D</c> and <c>slurmd -D</c> as child
/// processes, and SLURM_CONF set for this process so <c>sbatch</c>, <c>squeue</c> and <c>scancel</c> talk to it.
/// <see cref="SkipReason"/> is set (and nothing started) when the daemons are not installed or this is not root.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    /// <summary>Why the SLURM tests cannot run here; null when the cluster is up.</summary>
    public string? SkipReason { get; }
    public string Root { get; } = "";
    public string Config { get; } = "";
    /// <summary>The node's memory as slurm.conf declares it (MB): --mem up to this is granted, more is refused.</summary>
    public const int RealMemoryMb = 2000;

    private readonly List<Process> _daemons = [];
    private readonly string? _previousConf;

    public SlurmCluster()
    {
        var missing = new[] { "munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel" }.Where(p => Find(p) is null).ToList();
        if (missing.Count > 0)
        {
            SkipReason = $"SLURM is not installed (missing {string.Join(", ", missing)}; Debian: apt-get install slurm-wlm munge, as .ci/run does)";
            return;
        }
        if (Environment.UserName != "root")
        {
            SkipReason = "the one-node SLURM cluster runs its daemons as root (SlurmUser=root), and this is not root";
            return;
        }
        Root = Directory.CreateTempSubdirectory("cleanclip-slurm-").FullName;
        // munged wants its socket folder open to all (execute), its key folder private.
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        string Folder(string name, UnixFileMode mode)
        {
            var path = Path.Combine(Root, name);
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, mode);
            return path;
        }
        var secret = Folder("munge", (UnixFileMode)0b111_000_000);
        var run = Folder("run", (UnixFileMode)0b111_101_101);
        var state = Folder("state", (UnixFileMode)0b111_101_101);
        var spool = Folder("spool", (UnixFileMode)0b111_101_101);
        var log = Folder("log", (UnixFileMode)0b111_101_101);
        try
        {
            var key = Path.Combine(secret, "munge.key");
            File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(1024));
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var socket = Path.Combine(run, "munge.socket");
            Start(Find("munged")!, ["--foreground", "--force", $"--socket={socket}", $"--key-file={key}", $"--log-file={Path.Combine(log, "munged.log")}",
                $"--pid-file={Path.Combine(run, "munged.pid")}", $"--seed-file={Path.Combine(secret, "munged.seed")}"], Path.Combine(log, "munged.out"));
            WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(20), "munged's socket", log);

            var host = Hostname();
            var controllerPort = FreePort();
            var nodePort = FreePort();
            while (nodePort == controllerPort) nodePort = FreePort();
            var plugstack = Path.Combine(Root, "plugstack.conf");
            File.WriteAllText(plugstack, "");
            Config = Path.Combine(Root, "slurm.conf");
            File.WriteAllText(Config, $"""
                ClusterName=cleanclip-test
                SlurmctldHost={host}
                SlurmctldPort={controllerPort}
                SlurmdPort={nodePort}
                SlurmUser=root
                SlurmdUser=root
                AuthType=auth/munge
                CryptoType=crypto/munge
                AuthInfo=socket={socket}
                StateSaveLocation={state}
                SlurmdSpoolDir={spool}
                SlurmctldPidFile={Path.Combine(run, "slurmctld.pid")}
                SlurmdPidFile={Path.Combine(run, "slurmd.pid")}
                SlurmctldLogFile={Path.Combine(log, "slurmctld.log")}
                SlurmdLogFile={Path.Combine(log, "slurmd.log")}
                PlugStackConfig={plugstack}
                MailProg=/bin/true
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                JobAcctGatherType=jobacct_gather/none
                AccountingStorageType=accounting_storage/none
                JobCompType=jobcomp/none
                SelectType=select/cons_tres
                SelectTypeParameters=CR_CPU
                SchedulerType=sched/backfill
                ReturnToService=2
                MpiDefault=none
                SwitchType=switch/none
                KillWait=5
                MessageTimeout=2
                NodeName={host} CPUs=2 RealMemory={RealMemoryMb} State=UNKNOWN
                PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP

                """);
            _previousConf = Environment.GetEnvironmentVariable("SLURM_CONF");
            Environment.SetEnvironmentVariable("SLURM_CONF", Config);
            Start(Find("slurmctld")!, ["-D", "-f", Config], Path.Combine(log, "slurmctld.out"));
            Start(Find("slurmd")!, ["-D", "-f", Config], Path.Combine(log, "slurmd.out"));
            WaitFor(() => Run("sinfo", "--noheader", "--format=%T").Output.Trim() == "idle", TimeSpan.FromSeconds(60), "the node to be idle in sinfo", log);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Kills slurmctld with SIGTERM, as `kill` or a shutdown would: it saves its state and exits, while the node's
    /// daemon and its running jobs carry on. (After SIGKILL, slurmctld 22.05 may recover a finished array task as
    /// pending, start it again and drain the node for a duplicate job id: SLURM's own recovery, which a sweep cannot
    /// repair; the job script's completion check keeps such a restart from running a finished point twice.)
    /// </summary>
    public void KillController()
    {
        var controller = _daemons.Single(d => Path.GetFileName(d.StartInfo.FileName) == "slurmctld");
        Run("kill", "-TERM", controller.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!controller.WaitForExit(30_000)) controller.Kill();
        _daemons.Remove(controller);
        controller.Dispose();
    }

    /// <summary>Starts slurmctld again; it recovers its jobs from the state folder and answers squeue once more.</summary>
    public void StartController()
    {
        var log = Path.Combine(Root, "log");
        Start(Find("slurmctld")!, ["-D", "-f", Config], Path.Combine(log, $"slurmctld-{_daemons.Count}.out"));
        WaitFor(() => Run("squeue", "--noheader").Exit == 0, TimeSpan.FromSeconds(60), "slurmctld to answer again", log);
    }

    /// <summary>Runs a SLURM client command (sbatch, squeue, scancel, sinfo) against this cluster.</summary>
    public static (int Exit, string Output, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    public void Dispose()
    {
        if (_daemons.Count > 1)
        {
            // Jobs first, so no slurmstepd outlives the daemons; then the daemons this fixture started, by process.
            Run("scancel", "--partition=debug");
            WaitFor(() => Run("squeue", "--noheader").Output.Trim().Length == 0, TimeSpan.FromSeconds(30), null, null);
        }
        foreach (var daemon in Enumerable.Reverse(_daemons))
        {
            try
            {
                if (!daemon.HasExited) daemon.Kill();
                daemon.WaitForExit(10_000);
            }
            catch (InvalidOperationException) { /* already gone */ }
            daemon.Dispose();
        }
        _daemons.Clear();
        if (SkipReason is null) Environment.SetEnvironmentVariable("SLURM_CONF", _previousConf);
        if (Root.Length > 0)
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { /* a leftover temp folder must not fail the tests that passed */ }
        }
    }

    private void Start(string program, string[] arguments, string output)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        var writer = new StreamWriter(output) { AutoFlush = true };
        DataReceivedEventHandler write = (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add(process);
    }

    /// <summary>Polls until <paramref name="ready"/>; on time-out throws with what the daemons logged (when <paramref name="what"/> is given).</summary>
    private void WaitFor(Func<bool> ready, TimeSpan timeout, string? what, string? logs)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (ready()) return;
            if (what is not null && _daemons.FirstOrDefault(d => d.HasExited) is { } dead)
                throw new InvalidOperationException($"{dead.StartInfo.FileName} exited with {dead.ExitCode} while waiting for {what}: {Tail(logs!)}");
            Thread.Sleep(250);
        }
        if (what is not null) throw new InvalidOperationException($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}: {Tail(logs!)}");
    }

    private static string Tail(string logs) => string.Join("\n", Directory.GetFiles(logs).Select(f =>
        $"--- {Path.GetFileName(f)}\n{string.Join("\n", File.ReadAllLines(f).TakeLast(15))}"));

    private static string Hostname() => Run("hostname", "-s").Output.Trim();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A program on PATH or in the sbin folders Debian puts the daemons in (not on a normal user's PATH).</summary>
    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin", "/usr/local/sbin"])
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
