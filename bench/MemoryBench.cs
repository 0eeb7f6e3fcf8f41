using System.Diagnostics;
using System.Text.Json;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Bench;

/// <summary>
/// Memory over a long run: <c>--steps</c> CleanCLIP training steps of a tiny model (fresh random pixels and captions each
/// step, as a data pipeline gives), resident memory sampled every <c>--every</c> steps. A tensor leaked per step shows as
/// a steady climb; flat means every step's tensors are freed. Growth is measured from the first sample (after warm-up).
/// </summary>
internal static class MemoryBench
{
    public const string Usage = "[--model tiny-rn] [--steps 1000] [--every 100] [--batch 16] [--threads 2] [--json out.json]";

    internal sealed record Sample(int Step, double RssMib, double ManagedMib);

    internal sealed record Report(string Model, int Steps, int Batch, List<Sample> Samples, double GrowthMib, double GrowthMibPer1000Steps, double Seconds);

    public static int Run(string[] args)
    {
        string model = "tiny-rn", json = "";
        int steps = 1000, every = 100, batch = 16, threads = 2;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: memory {Usage}");
            switch (args[i])
            {
                case "--model": model = Value(); break;
                case "--steps": steps = int.Parse(Value()); break;
                case "--every": every = int.Parse(Value()); break;
                case "--batch": batch = int.Parse(Value()); break;
                case "--threads": threads = int.Parse(Value()); break;
                case "--json": json = Value(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}; usage: memory {Usage}");
            }
        }
        var report = Measure(ModelRegistry.Get(model), steps, every, batch, threads);
        Console.WriteLine($"{report.Model}: {report.Steps} CleanCLIP steps of batch {report.Batch} in {report.Seconds:F0} s");
        foreach (var s in report.Samples) Console.WriteLine($"  step {s.Step,5}: RSS {s.RssMib,8:F1} MiB, managed heap {s.ManagedMib,6:F1} MiB");
        Console.WriteLine($"growth from the first sample: {report.GrowthMib:F1} MiB ({report.GrowthMibPer1000Steps:F2} MiB per 1000 steps)");
        if (json != "") File.WriteAllText(json, JsonSerializer.Serialize(report, StepBench.JsonOptions));
        return 0;
    }

    private static Report Measure(ClipConfig config, int steps, int every, int b, int threads)
    {
        TorchDevice.SetThreads(threads);
        torch.manual_seed(0);
        using var model = new ClipModel(config);
        model.train();
        using var cleanClipStep = new CleanClipStep(model, learningRate: 1e-4);
        int r = config.ImageResolution;
        var samples = new List<Sample>();
        var watch = Stopwatch.StartNew();
        for (int step = 1; step <= steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                var pixels = torch.randn(2 * b, 3, r, r);
                var tokens = torch.randint(1, config.VocabSize - 1, [2 * b, 20]);
                tokens[.., 19] = config.VocabSize - 1;
                cleanClipStep.Run(pixels, tokens);
            }
            if (step % every == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                samples.Add(new Sample(step, ProcStatus.MiB("VmRSS"), GC.GetTotalMemory(true) / 1048576.0));
            }
        }
        double growth = samples.Count > 1 ? samples[^1].RssMib - samples[0].RssMib : 0;
        double span = samples.Count > 1 ? samples[^1].Step - samples[0].Step : 1;
        return new Report(config.Name, steps, b, samples, growth, growth / span * 1000, watch.Elapsed.TotalSeconds);
    }
}
