using System.Diagnostics;

namespace CleanClip.Tests.Reliability;

/// <summary>The CLI as a separate, killable process: `dotnet CleanClip.Cli.dll ARGS` from the test's output folder.</summary>
internal static class CliProcess
{
    public static Process Start(IEnumerable<string> args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "CleanClip.Cli.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    public static void RunToEnd(IReadOnlyList<string> args)
    {
        using var child = Start(args);
        var error = child.StandardError.ReadToEndAsync();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"cleanclip {string.Join(' ', args)} exited with {child.ExitCode}: {error.Result}");
    }

    /// <summary>Starts the command and SIGKILLs it after <paramref name="delay"/>; false if it finished first (exit 0 required).</summary>
    public static bool KillAfter(IReadOnlyList<string> args, TimeSpan delay)
    {
        using var child = Start(args);
        if (child.WaitForExit(delay))
        {
            if (child.ExitCode != 0) throw new InvalidOperationException($"cleanclip {string.Join(' ', args)} exited with {child.ExitCode}: {child.StandardError.ReadToEnd()}");
            return false;
        }
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        return true;
    }
}
