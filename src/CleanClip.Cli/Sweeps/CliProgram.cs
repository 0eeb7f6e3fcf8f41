using System.Reflection;

namespace CleanClip.Cli.Sweeps;

/// <summary>How to start this same cleanclip as a child process (or in a SLURM job, on a shared file system).</summary>
public static class CliProgram
{
    /// <summary>
    /// The running executable when it is cleanclip's own (the <c>cleanclip</c> or <c>CleanClip.Cli</c> apphost); otherwise
    /// <c>dotnet CleanClip.Cli.dll</c> with the dotnet that runs this process (under <c>dotnet CleanClip.Cli.dll</c> or a
    /// test host), else the one named by DOTNET_HOST_PATH or found on PATH.
    /// </summary>
    public static IReadOnlyList<string> Current()
    {
        var cli = typeof(CliProgram).Assembly;
        var process = Environment.ProcessPath;
        if (process is not null && !IsDotnet(process) && Assembly.GetEntryAssembly() == cli) return [process];
        var dotnet = process is not null && IsDotnet(process) ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : "dotnet";
        return [dotnet, cli.Location];
    }

    private static bool IsDotnet(string path) =>
        Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
