using System.Diagnostics;
using System.Text.Json;

namespace CleanClip.Bench;

/// <summary>
/// Runs this bench program as a child process with <c>--json TEMP</c> appended and returns what it wrote. Peak resident
/// memory (VmHWM) only grows within a process, so each measurement that reports its own peak runs alone in a child.
/// </summary>
internal static class ChildBench
{
    public static JsonDocument Run(IReadOnlyList<string> args)
    {
        var json = Path.Combine(Path.GetTempPath(), $"cleanclip-bench-{Guid.NewGuid():N}.json");
        try
        {
            // The child's own table goes to our stderr, as progress; its results come back through the JSON file.
            var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
            // Under `dotnet bench.dll` the process is the dotnet host and the program is its first argument.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(typeof(ChildBench).Assembly.Location);
            foreach (var a in args.Append("--json").Append(json)) start.ArgumentList.Add(a);
            using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start a child bench process");
            child.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
            child.BeginOutputReadLine();
            child.WaitForExit();
            if (child.ExitCode != 0) throw new InvalidOperationException($"the child bench `{string.Join(' ', args)}` exited with {child.ExitCode}");
            return JsonDocument.Parse(File.ReadAllText(json));
        }
        finally
        {
            File.Delete(json);
        }
    }
}

/// <summary>Sizes from /proc/self/status: VmHWM is the peak resident set, VmRSS the current one.</summary>
internal static class ProcStatus
{
    public static double MiB(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
        return double.NaN;
    }
}
