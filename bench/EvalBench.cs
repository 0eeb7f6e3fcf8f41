using System.Diagnostics;
using System.Text.Json;
using CleanClip;
using CleanClip.Evaluation;
using CleanClip.Models;
using TorchSharp;

namespace CleanClip.Bench;

/// <summary>
/// Zero-shot evaluation throughput with random weights: images/s of the model part (image tower, L2 norm, the
/// [B, D]×[D, C] classifier matmul and top-5) on random, already preprocessed pixels, and captions/s of building a
/// classifier (templates × classes prompts through the EOT-trimmed text tower, then the template ensemble). Decoding
/// and preprocessing are measured by <c>bench pipeline</c>. Median over repeats after one warm-up.
/// </summary>
internal static class EvalBench
{
    public const string Usage = "[--models tiny-rn,RN50,ViT-B/32] [--batch 32] [--threads 2] [--repeats 5] [--classes 10] [--templates 80] [--precision fp32|bf16] [--json FILE]";

    private sealed record Options(string[] Models, int Batch, int Threads, int Repeats, int Classes, int Templates, string? Json, Precision Precision = Precision.Fp32);

    private sealed record Row(string Model, int Resolution, int Batch, int Threads, double ImagesPerSecond, double ImageBatchMs,
        int Captions, double CaptionsPerSecond, double ClassifierMs, double PeakRssMib, string Precision);

    public static int Run(string[] args)
    {
        var o = Parse(args);
        TorchDevice.SetThreads(o.Threads);
        var rows = new List<Row>();
        Console.WriteLine($"zero-shot eval, random weights, {o.Precision.ToString().ToLowerInvariant()}, batch {o.Batch}, {torch.get_num_threads()} threads, median of {o.Repeats} after a warm-up");
        Console.WriteLine($"{"model",-10} {"res",4} {"images/s",9} {"ms/batch",9} {"captions",9} {"captions/s",11} {"classifier ms",14}");
        foreach (var name in o.Models)
        {
            var row = Measure(name, o);
            rows.Add(row);
            Console.WriteLine($"{row.Model,-10} {row.Resolution,4} {row.ImagesPerSecond,9:F1} {row.ImageBatchMs,9:F1} {row.Captions,9} {row.CaptionsPerSecond,11:F1} {row.ClassifierMs,14:F1}");
        }
        if (o.Json is { } json)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(new { threads = o.Threads, repeats = o.Repeats, rows },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    private static Row Measure(string name, Options o)
    {
        var config = ModelRegistry.Get(name);
        torch.manual_seed(0);
        using var model = new ClipModel(config);
        model.eval();
        model.Precision = o.Precision;
        using var noGrad = torch.no_grad();
        int r = config.ImageResolution;
        using var pixels = torch.randn(o.Batch, 3, r, r);

        // Prompts like "a photo of a {c}." end after about 6-14 tokens; the trimmed text tower stops at the longest EOT of the batch.
        int captions = o.Classes * o.Templates;
        var rng = new SplitMix64(7);
        using var tokens = torch.randint(1, config.VocabSize - 2, [captions, config.ContextLength], torch.int64);
        for (int i = 0; i < captions; i++)
        {
            int eot = 6 + rng.NextInt(9);
            tokens[i, eot] = config.VocabSize - 1;
            tokens[i, TorchSharp.torch.TensorIndex.Slice(eot + 1)] = 0;
        }
        using var classEmbeddings = torch.nn.functional.normalize(torch.randn(o.Classes, config.EmbedDim), p: 2, dim: -1);

        double image = Median(o.Repeats, () =>
        {
            var scores = torch.matmul(model.ImageEmbeddings(pixels), classEmbeddings.t());
            scores.topk(Math.Min(5, o.Classes), dim: 1).indexes.data<long>().ToArray();
        });
        double text = Median(o.Repeats, () =>
        {
            // As ZeroShotClassifier.Build: 256 prompts per forward pass, then the template ensemble.
            var rows = new List<torch.Tensor>();
            for (int start = 0; start < captions; start += 256)
                rows.Add(model.EncodeText(tokens.narrow(0, start, Math.Min(256, captions - start))));
            ZeroShotClassifier.EnsemblePrompts(torch.cat(rows, 0).view(o.Classes, o.Templates, -1)).data<float>().ToArray();
        });
        return new Row(name, r, o.Batch, torch.get_num_threads(), o.Batch / image, image * 1000, captions, captions / text, text * 1000,
            ProcStatus.MiB("VmHWM"), o.Precision.ToString().ToLowerInvariant());
    }

    private static double Median(int repeats, Action run)
    {
        var times = new List<double>();
        for (int i = 0; i <= repeats; i++)
        {
            using var scope = torch.NewDisposeScope();
            var watch = Stopwatch.StartNew();
            run();
            if (i > 0) times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static Options Parse(string[] args)
    {
        var o = new Options(["tiny-rn", "RN50", "ViT-B/32"], 32, 2, 5, 10, 80, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: bench eval {Usage}");
            o = args[i] switch
            {
                "--models" => o with { Models = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--batch" => o with { Batch = int.Parse(Value()) },
                "--threads" => o with { Threads = int.Parse(Value()) },
                "--repeats" => o with { Repeats = int.Parse(Value()) },
                "--classes" => o with { Classes = int.Parse(Value()) },
                "--templates" => o with { Templates = int.Parse(Value()) },
                "--json" => o with { Json = Value() },
                "--precision" => o with { Precision = Enum.Parse<Precision>(Value(), ignoreCase: true) },
                _ => throw new ArgumentException($"unknown option {args[i]}; usage: bench eval {Usage}"),
            };
        }
        if (o.Batch < 1 || o.Repeats < 1 || o.Classes < 1 || o.Templates < 1) throw new ArgumentException("batch, repeats, classes and templates must be positive");
        return o;
    }
}
