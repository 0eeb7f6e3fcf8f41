using System.Text.Json;
using CleanClip.Models;
using TorchSharp;

namespace CleanClip.Bench;

/// <summary>
/// `bench all`: every headline number in one run — GEMM peak, CleanCLIP step pairs/s with FLOPs and the fraction of the
/// peak, zero-shot images/s and captions/s, training-pair pipeline rates, and memory over a 1,000-step tiny run. Each
/// model runs in its own child process, so each peak RSS is that measurement's own.
/// </summary>
internal static class AllBench
{
    public const string Usage = "[--models tiny-rn,RN50,ViT-B/32] [--batch 16] [--threads 2] [--repeats 3] [--precisions fp32,bf16] [--memory-steps 1000] [--json out.json]";

    internal sealed record Options(string[] Models, int Batch, int Threads, int Repeats, int MemorySteps, string? Json)
    {
        public string[] Precisions { get; init; } = ["fp32", "bf16"];
    }

    internal sealed record ModelRow(string Model, string Precision, double StepPairsPerSecond, double StepSeconds, double GflopPerStep, double AchievedGflops,
        double FractionOfGemmPeak, bool OneDnn, double StepPeakRssMib, double EvalImagesPerSecond, double EvalCaptionsPerSecond, double EvalPeakRssMib);

    internal sealed record Results(object Machine, double GemmFp32Gflops, double GemmBf16Gflops, List<ModelRow> Models, JsonElement Pairs, JsonElement? Memory);

    public static int Run(string[] args)
    {
        var o = Parse(args);
        var results = Measure(o);
        Print(results, o);
        if (o.Json is { } json)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(results, StepBench.JsonOptions));
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    internal static Results Measure(Options o, string? keepImages = null, int evalTemplates = 80)
    {
        Console.Error.WriteLine($"GEMM peak on {o.Threads} threads...");
        double fp32 = GemmBench.Gflops(o.Threads), bf16 = GemmBench.Gflops(o.Threads, torch.ScalarType.BFloat16);
        var rows = new List<ModelRow>();
        foreach (var model in o.Models)
            foreach (var precision in o.Precisions)
            {
                var step = StepBench.Measure([model, "--isolate", "--batch", $"{o.Batch}", "--threads", $"{o.Threads}", "--repeats", $"{o.Repeats}", "--precision", precision])[0];
                Console.Error.WriteLine($"{model} {precision}: zero-shot evaluation...");
                using var evalDoc = ChildBench.Run(["eval", "--models", model, "--threads", $"{o.Threads}", "--repeats", $"{o.Repeats}", "--templates", $"{evalTemplates}", "--precision", precision]);
                var eval = evalDoc.RootElement.GetProperty("rows")[0];
                // Achieved GFLOP/s as a share of the GEMM peak of the same number format.
                double peak = precision == "bf16" ? bf16 : fp32;
                rows.Add(new ModelRow(model, precision, step.PairsPerSecond, step.MedianSeconds, step.GflopPerStep, step.AchievedGflops, step.AchievedGflops / peak,
                    step.OneDnn, step.PeakRssMiB, eval.GetProperty("images_per_second").GetDouble(), eval.GetProperty("captions_per_second").GetDouble(),
                    eval.GetProperty("peak_rss_mib").GetDouble()));
            }
        Console.Error.WriteLine("training-pair pipeline...");
        using var pairsDoc = ChildBench.Run(keepImages is null ? ["pairs"] : ["pairs", "--keep-images", keepImages]);
        JsonElement? memory = null;
        if (o.MemorySteps > 0)
        {
            Console.Error.WriteLine($"memory over {o.MemorySteps} tiny-rn steps...");
            using var memoryDoc = ChildBench.Run(["memory", "--steps", $"{o.MemorySteps}", "--every", $"{Math.Max(1, o.MemorySteps / 10)}"]);
            memory = memoryDoc.RootElement.Clone();
        }
        var machine = new { Cores = Environment.ProcessorCount, o.Threads, LoadAverage = File.ReadAllText("/proc/loadavg").Trim(),
            OpenMpWaitPolicy = StepBench.OmpWaitPolicy, TorchRuntime.LargeBlocksOnHeap, Date = DateTime.UtcNow.ToString("u") };
        return new Results(machine, fp32, bf16, rows, pairsDoc.RootElement.Clone(), memory);
    }

    private static void Print(Results r, Options o)
    {
        Console.WriteLine();
        Console.WriteLine($"GEMM peak (4096², {o.Threads} threads): fp32 {r.GemmFp32Gflops:F0} GFLOP/s, bf16 {r.GemmBf16Gflops:F0} GFLOP/s");
        Console.WriteLine($"CleanCLIP step: batch {o.Batch} pairs (2×{o.Batch} images and captions); zero-shot: batch 32, 10 classes × 80 templates; 'of peak' is of the GEMM peak of the row's precision");
        Console.WriteLine($"{"model",-10} {"prec",4} {"pairs/s",8} {"s/step",7} {"GFLOP/step",10} {"GFLOP/s",8} {"of peak",8} {"oneDNN",6} {"step RSS",9} {"images/s",9} {"captions/s",10} {"eval RSS",9}");
        foreach (var m in r.Models)
            Console.WriteLine($"{m.Model,-10} {m.Precision,4} {m.StepPairsPerSecond,8:F2} {m.StepSeconds,7:F2} {m.GflopPerStep,10:F0} {m.AchievedGflops,8:F1} {m.FractionOfGemmPeak,8:P0} {(m.OneDnn ? "on" : "off"),6} {m.StepPeakRssMib,8:F0}M {m.EvalImagesPerSecond,9:F1} {m.EvalCaptionsPerSecond,10:F0} {m.EvalPeakRssMib,8:F0}M");
        Console.WriteLine("training pairs (decode or cache, resize, AutoAugment view, EDA, tokens):");
        foreach (var row in r.Pairs.GetProperty("rows").EnumerateArray())
            Console.WriteLine($"  {row.GetProperty("source").GetString(),-14} {row.GetProperty("threads").GetInt32()} thread(s): {row.GetProperty("pairs_per_second").GetDouble(),6:F0} pairs/s");
        Console.WriteLine($"  peak RSS {r.Pairs.GetProperty("peak_rss_mib").GetDouble():F0} MiB");
        if (r.Memory is { } mem)
            Console.WriteLine($"memory: {mem.GetProperty("steps").GetInt32()} tiny-rn steps, RSS growth {mem.GetProperty("growth_mib").GetDouble():F1} MiB from the first sample ({mem.GetProperty("growth_mib_per1000_steps").GetDouble():F2} MiB per 1000 steps)");
    }

    internal static Options Parse(string[] args, Options? defaults = null)
    {
        var o = defaults ?? new Options(["tiny-rn", "RN50", "ViT-B/32"], 16, 2, 3, 1000, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: all {Usage}");
            o = args[i] switch
            {
                "--models" => o with { Models = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--batch" => o with { Batch = int.Parse(Value()) },
                "--threads" => o with { Threads = int.Parse(Value()) },
                "--repeats" => o with { Repeats = int.Parse(Value()) },
                "--memory-steps" => o with { MemorySteps = int.Parse(Value()) },
                "--precisions" => o with { Precisions = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.ToLowerInvariant()).ToArray() },
                "--json" => o with { Json = Value() },
                _ => throw new ArgumentException($"unknown argument {args[i]}; usage: all {Usage}"),
            };
        }
        foreach (var m in o.Models) ModelRegistry.Get(m);
        foreach (var p in o.Precisions) Enum.Parse<Precision>(p, ignoreCase: true);
        return o;
    }
}
