using CleanClip.Fuzz;

// SharpFuzz harness (AFL++ mode). Instrument CleanClip.dll in this program's output folder once with
// `sharpfuzz bin/Release/net10.0/CleanClip.dll`, then run one target for a bounded time, e.g.
//   AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
//   afl-fuzz -V 300 -t 10000 -m none -i fuzz/corpus/csv -o /tmp/findings-csv -- dotnet fuzz/CleanClip.Fuzz/bin/Release/net10.0/CleanClip.Fuzz.dll csv
// (fuzz/run.sh does all of this for every target). `... CleanClip.Fuzz.dll TARGET FILE` runs one input once.
if (args.Length is < 1 or > 2 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: CleanClip.Fuzz TARGET [FILE]   targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
var target = args[0];
var scratch = Path.Combine(Path.GetTempPath(), $"cleanclip-fuzz-{target}-{Environment.ProcessId}");
if (args.Length == 2)
{
    FuzzTargets.Run(target, File.ReadAllBytes(args[1]), scratch);
    return 0;
}
SharpFuzz.Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzTargets.Run(target, buffer.ToArray(), scratch);
});
return 0;
