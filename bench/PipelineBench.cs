using System.Diagnostics;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Models;
using TorchSharp;

namespace CleanClip.Bench;

/// <summary>
/// Images/second of decode + CLIP resize/crop at 224 px through <see cref="BatchPipeline{TItem}"/>, from JPEG files
/// and from a <see cref="DecodedCache"/>, per decode-thread count; then the same epochs while the consumer runs a
/// CPU "training step" on LibTorch's threads, to see which thread count wins when both compete for the cores.
/// Medians of the repeats after one warm-up epoch. Timings are only as quiet as the machine.
/// </summary>
internal static class PipelineBench
{
    public const string Usage = "[--images 256] [--width 640] [--height 480] [--resolution 224] [--batch 32] [--threads 1,2] [--repeats 3] [--torch-threads 0] [--no-overlap] [--json out.json]";

    // StepSeconds: mean duration of one training step inside the epoch; above the step's time alone, decode threads slowed training.
    private sealed record Row(string Source, int DecodeThreads, bool WithTraining, double MedianSeconds, double ImagesPerSecond, double ConsumerWaitSeconds, double? StepSeconds, double[] Runs);

    public static int Run(string[] args)
    {
        var options = Parse(args);
        TorchDevice.SetThreads(options.TorchThreads);
        var root = Directory.CreateTempSubdirectory("cleanclip-bench-pipeline-").FullName;
        try
        {
            Console.WriteLine($"{Environment.ProcessorCount} cores, LibTorch {torch.get_num_threads()} intra-op threads; writing {options.Images} synthetic {options.Width}x{options.Height} JPEGs...");
            var paths = SyntheticImages.Write(Path.Combine(root, "images"), options.Images, options.Width, options.Height);
            var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = options.Resolution });

            var build = Stopwatch.StartNew();
            using var cache = DecodedCache.Build(paths, options.Resolution, Path.Combine(root, "cache"));
            var buildSeconds = build.Elapsed.TotalSeconds;

            var rows = new List<Row>();
            double? trainingStepSeconds = null;
            foreach (var threads in options.Threads)
            {
                var pipelineOptions = new PipelineOptions { BatchSize = options.Batch, DecodeThreads = threads, Seed = 1 };
                rows.Add(Measure("jpeg files", ImagePipeline.FromFiles(paths, preprocessor, pipelineOptions), threads, options.Repeats, step: null));
                rows.Add(Measure("decoded cache", ImagePipeline.FromCache(cache, preprocessor, pipelineOptions), threads, options.Repeats, step: null));
            }
            if (options.Overlap)
            {
                // A step as long as loading one batch from files on one thread: the case where overlap matters most.
                var batchCount = Math.Ceiling((double)options.Images / options.Batch);
                var loadPerBatch = rows.First(r => r.Source == "jpeg files" && r.DecodeThreads == options.Threads[0]).MedianSeconds / batchCount;
                using var step = TrainingStep.Calibrate(loadPerBatch);
                foreach (var threads in options.Threads)
                {
                    var pipelineOptions = new PipelineOptions { BatchSize = options.Batch, DecodeThreads = threads, Seed = 1 };
                    rows.Add(Measure("jpeg files", ImagePipeline.FromFiles(paths, preprocessor, pipelineOptions), threads, options.Repeats, step.Run));
                }
                trainingStepSeconds = step.Seconds;
                Console.WriteLine($"training step alone: {step.Seconds * 1000:F0} ms per batch; without overlap an epoch would take load time + {batchCount * step.Seconds:F2} s");
            }
            Print(rows, buildSeconds, options);
            if (options.Json is { } json)
            {
                var report = new
                {
                    Machine = new { Cores = Environment.ProcessorCount, TorchThreads = torch.get_num_threads() },
                    options.Images, options.Width, options.Height, options.Resolution, options.Batch, options.Repeats,
                    CacheBuildSeconds = buildSeconds,
                    CacheBuildImagesPerSecond = options.Images / buildSeconds,
                    TrainingStepAloneSeconds = trainingStepSeconds,
                    Results = rows,
                };
                File.WriteAllText(json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
                Console.WriteLine($"wrote {json}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Row Measure(string source, BatchPipeline<RgbImage> pipeline, int threads, int repeats, Action<Batch>? step)
    {
        var runs = new List<(double Seconds, double Wait, double Step)>();
        for (var epoch = 0; epoch <= repeats; epoch++)
        {
            var watch = Stopwatch.StartNew();
            var (images, steps, stepSeconds) = (0, 0, 0.0);
            using var batches = pipeline.Start(epoch);
            foreach (var batch in batches)
                using (batch)
                {
                    if (step is not null)
                    {
                        var stepWatch = Stopwatch.StartNew();
                        step(batch);
                        stepSeconds += stepWatch.Elapsed.TotalSeconds;
                        steps++;
                    }
                    images += batch.Count;
                }
            if (images != pipeline.ItemCount) throw new InvalidOperationException($"{images} of {pipeline.ItemCount} images arrived");
            // Epoch 0 warms the page cache and the JIT.
            if (epoch > 0) runs.Add((watch.Elapsed.TotalSeconds, batches.WaitTime.TotalSeconds, steps > 0 ? stepSeconds / steps : 0));
        }
        var median = runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
        return new Row(source, threads, step is not null, median.Seconds, pipeline.ItemCount / median.Seconds, median.Wait,
            step is null ? null : median.Step, [.. runs.Select(r => r.Seconds)]);
    }

    private static void Print(List<Row> rows, double buildSeconds, Options options)
    {
        Console.WriteLine();
        Console.WriteLine($"{options.Images} images {options.Width}x{options.Height} -> {options.Resolution} px, batch {options.Batch}, median of {options.Repeats}");
        Console.WriteLine($"{"source",-14} {"threads",7} {"training",8} {"images/s",9} {"ms/image",9} {"epoch s",8} {"wait s",7} {"step ms",8}");
        foreach (var r in rows)
            Console.WriteLine($"{r.Source,-14} {r.DecodeThreads,7} {(r.WithTraining ? "yes" : "no"),8} {r.ImagesPerSecond,9:F1} {1000 / r.ImagesPerSecond,9:F2} {r.MedianSeconds,8:F2} {r.ConsumerWaitSeconds,7:F2} {(r.StepSeconds is { } s ? (s * 1000).ToString("F0") : "-"),8}");
        Console.WriteLine($"cache build (decode + resize + write, {Environment.ProcessorCount} threads): {buildSeconds:F2} s, {options.Images / buildSeconds:F1} images/s");
    }

    private sealed record Options(int Images, int Width, int Height, int Resolution, int Batch, int[] Threads, int Repeats, int TorchThreads, bool Overlap, string? Json);

    private static Options Parse(string[] args)
    {
        var o = new Options(256, 640, 480, 224, 32, [1, 2], 3, 0, true, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: pipeline {Usage}");
            o = args[i] switch
            {
                "--images" => o with { Images = int.Parse(Value()) },
                "--width" => o with { Width = int.Parse(Value()) },
                "--height" => o with { Height = int.Parse(Value()) },
                "--resolution" => o with { Resolution = int.Parse(Value()) },
                "--batch" => o with { Batch = int.Parse(Value()) },
                "--threads" => o with { Threads = [.. Value().Split(',').Select(int.Parse)] },
                "--repeats" => o with { Repeats = int.Parse(Value()) },
                "--torch-threads" => o with { TorchThreads = int.Parse(Value()) },
                "--no-overlap" => o with { Overlap = false },
                "--json" => o with { Json = Value() },
                _ => throw new ArgumentException($"unknown argument {args[i]}; usage: pipeline {Usage}"),
            };
        }
        return o;
    }
}
