using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using CleanClip.Data;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Bench;

/// <summary>
/// Pairs/second of one CleanCLIP finetuning step on the CPU: B originals and B augmented views in ONE forward pass of
/// both towers (as the reference does, so BatchNorm sees both views), ClipLoss + InModalLoss (λ1 = λ2 = 1), backward,
/// AdamW by parameter role, logit-scale clamp. Random-init weights, random pixels and token ids; median of the repeats
/// after one warm-up step. Peak RSS is the process's VmHWM, which only grows: <c>--isolate</c> runs each model in a
/// fresh child process so each peak is that model's own.
/// </summary>
internal static class StepBench
{
    public const string Usage = "[model ...] [--batch 16] [--repeats 3] [--threads 2] [--precision fp32|bf16] [--isolate] [--json out.json]   (models default: tiny-rn RN50 ViT-B/32)";

    private sealed record Options(string[] Models, int Batch, int Repeats, int Threads, bool Isolate, string? Json, bool ChannelsLast = false, Precision Precision = Precision.Fp32);

    internal sealed record Result(string Model, int Batch, int Threads, long Parameters, double PairsPerSecond,
        double MedianSeconds, double MinSeconds, double MaxSeconds, double[] Runs, double WarmupSeconds,
        double FinalLoss, int NonFiniteLosses, [property: JsonPropertyName("peak_rss_mib")] double PeakRssMiB,
        [property: JsonPropertyName("rss_before_mib")] double RssBeforeMiB, bool Isolated, int TextPositions,
        double GflopPerStep, double AchievedGflops, bool OneDnn, string Precision = "fp32");

    public static int Run(string[] args) => Report(Parse(args));

    /// <summary>The results of `step ARGS` without printing them (for `bench all`).</summary>
    internal static List<Result> Measure(string[] args) => MeasureAll(Parse(args));

    private static List<Result> MeasureAll(Options options) =>
        [.. options.Models.Select(m => options.Isolate ? RunChild(m, options) : Measure(m, options))];

    private static int Report(Options options)
    {
        var results = MeasureAll(options);
        Print(results, options);
        if (options.Json is { } json)
        {
            var report = new
            {
                Machine = new { Cores = Environment.ProcessorCount, LoadAverage = File.ReadAllText("/proc/loadavg").Trim(), OmpWaitPolicy },
                options.Batch, options.Repeats, options.Threads,
                Results = results,
            };
            File.WriteAllText(json, JsonSerializer.Serialize(report, JsonOptions));
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    internal static string OmpWaitPolicy => TorchRuntime.OpenMpWaitPolicy ?? "(unknown)";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A loss can turn NaN (oneDNN's narrow-convolution fault, docs/experiments/onednn-conv-nan.md); keep the timing anyway.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static Result Measure(string name, Options options)
    {
        var config = ModelRegistry.Get(name);
        torch.set_num_threads(options.Threads);
        var rssBefore = ProcStatus.MiB("VmRSS");
        torch.manual_seed(0);
        using var model = new ClipModel(config);
        model.train();
        model.Precision = options.Precision;
        using var step = new CleanClipStep(model);
        int b = options.Batch, r = config.ImageResolution;
        using var raw = torch.randint(0, 256, [2 * b, 3, r, r], ScalarType.Byte);
        using var normalized = new ClipPreprocessor(new PreprocessOptions { Resolution = r }).Normalize(raw);
        // Channels-last strides (TorchSharp has no memory_format argument; a permuted copy has the same strides):
        // LibTorch's convolution then picks NHWC kernels and the layout propagates through BatchNorm and ReLU.
        using var pixels = options.ChannelsLast ? normalized.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : normalized.alias();
        using var tokens = Captions(2 * b, config, seed: 1);
        long parameters = model.parameters().Sum(p => p.numel());
        // The trimmed text tower runs up to the batch's last EOT; FLOPs count what actually runs.
        int textPositions = model.TrimText ? (int)tokens.argmax(-1).max().item<long>() + 1 : config.ContextLength;
        double gflop = ModelFlops.TrainingStep(config, 2 * b, textPositions) / 1e9;

        double loss = double.NaN;
        int nonFinite = 0;
        double Step()
        {
            var watch = Stopwatch.StartNew();
            loss = step.Run(pixels, tokens);
            if (!double.IsFinite(loss)) nonFinite++;
            return watch.Elapsed.TotalSeconds;
        }

        Console.Error.Write($"{name}: warm-up");
        var warmup = Step();
        Console.Error.Write($" {warmup:F2} s; steps");
        var runs = new double[options.Repeats];
        for (int i = 0; i < runs.Length; i++)
        {
            runs[i] = Step();
            Console.Error.Write($" {runs[i]:F2} s");
        }
        Console.Error.WriteLine();
        var sorted = runs.Order().ToArray();
        var median = sorted[sorted.Length / 2];
        return new Result(config.Name, b, torch.get_num_threads(), parameters, b / median, median, sorted[0], sorted[^1],
            runs, warmup, loss, nonFinite, ProcStatus.MiB("VmHWM"), rssBefore, Isolated: false, textPositions, gflop, gflop / median,
            TorchRuntime.OneDnnEnabled, options.Precision.ToString().ToLowerInvariant());
    }

    /// <summary>
    /// Token rows as the tokenizer makes them: SOT (vocab − 2), caption tokens, EOT (vocab − 1, the highest id, which
    /// the text tower pools at), zeros after; lengths around 20 like real captions.
    /// </summary>
    private static Tensor Captions(int count, ClipConfig config, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var ids = new long[count * config.ContextLength];
        for (int row = 0; row < count; row++)
        {
            int length = rng.NextInt(14, 26);                           // tokens including SOT and EOT
            var offset = row * config.ContextLength;
            ids[offset] = config.VocabSize - 2;
            for (int i = 1; i < length - 1; i++) ids[offset + i] = 1 + rng.NextInt(config.VocabSize - 3);
            ids[offset + length - 1] = config.VocabSize - 1;
        }
        return torch.tensor(ids, [count, config.ContextLength]);
    }

    /// <summary>One model in a fresh process (this program, `step MODEL ... --json TEMP`), so VmHWM is its own.</summary>
    private static Result RunChild(string model, Options options)
    {
        using var doc = ChildBench.Run(["step", model, "--batch", $"{options.Batch}", "--repeats", $"{options.Repeats}", "--threads", $"{options.Threads}",
            "--precision", $"{options.Precision}", .. options.ChannelsLast ? new[] { "--channels-last" } : []]);
        return doc.RootElement.GetProperty("results")[0].Deserialize<Result>(JsonOptions)! with { Isolated = true };
    }

    private static void Print(List<Result> results, Options options)
    {
        Console.WriteLine();
        Console.WriteLine($"CleanCLIP step (2×{options.Batch} images + captions in one forward, both towers, backward, AdamW), {options.Precision.ToString().ToLowerInvariant()}, {options.Threads} threads, median of {options.Repeats} after 1 warm-up");
        Console.WriteLine($"OMP_WAIT_POLICY={OmpWaitPolicy}, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{"model",-10} {"params M",9} {"pairs/s",8} {"s/step",8} {"min",7} {"max",7} {"warm-up s",9} {"GFLOP/step",10} {"GFLOP/s",8} {"oneDNN",6} {"peak RSS MiB",13} {"last loss",9} {"non-finite",10}");
        foreach (var r in results)
            Console.WriteLine($"{r.Model,-10} {r.Parameters / 1e6,9:F1} {r.PairsPerSecond,8:F2} {r.MedianSeconds,8:F3} {r.MinSeconds,7:F3} {r.MaxSeconds,7:F3} {r.WarmupSeconds,9:F2} {r.GflopPerStep,10:F1} {r.AchievedGflops,8:F1} {(r.OneDnn ? "on" : "off"),6} {r.PeakRssMiB,13:F0} {r.FinalLoss,9:F3} {r.NonFiniteLosses,10}");
        Console.WriteLine(options.Isolate || results.Count == 1
            ? "peak RSS: VmHWM of a process that ran only that model"
            : "peak RSS: VmHWM is process-wide and only grows, so each row includes the rows above it (use --isolate for per-model peaks)");
    }

    private static Options Parse(string[] args)
    {
        var models = new List<string>();
        var o = new Options([], 16, 3, 2, false, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: step {Usage}");
            switch (args[i])
            {
                case "--batch": o = o with { Batch = int.Parse(Value()) }; break;
                case "--repeats": o = o with { Repeats = int.Parse(Value()) }; break;
                case "--threads": o = o with { Threads = int.Parse(Value()) }; break;
                case "--isolate": o = o with { Isolate = true }; break;
                case "--channels-last": o = o with { ChannelsLast = true }; break;
                case "--precision": o = o with { Precision = Enum.Parse<Precision>(Value(), ignoreCase: true) }; break;
                case "--json": o = o with { Json = Value() }; break;
                case var flag when flag.StartsWith("--", StringComparison.Ordinal):
                    throw new ArgumentException($"unknown argument {flag}; usage: step {Usage}");
                case var name:
                    ModelRegistry.Get(name);                                   // fail before any model runs
                    models.Add(name);
                    break;
            }
        }
        if (o.Batch < 1 || o.Repeats < 1 || o.Threads < 1) throw new ArgumentException($"--batch, --repeats and --threads must be ≥ 1; usage: step {Usage}");
        return o with { Models = models.Count > 0 ? [.. models] : ["tiny-rn", "RN50", "ViT-B/32"] };
    }
}
