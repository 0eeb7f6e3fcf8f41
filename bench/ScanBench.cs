using System.Diagnostics;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Detection;
using CleanClip.Models;
using TorchSharp;

namespace CleanClip.Bench;

/// <summary>
/// Scoring throughput of <c>cleanclip scan</c> with the embeddings already computed: random unit vectors written to a
/// .npy and read back through the same memory map the scan uses, then scored in seeded reference batches. Pairs/s is
/// rows divided by the wall time of <see cref="ScanScorer.Score"/>, median over repeats after one warm-up; pairs per
/// CPU-second divides by the process's CPU time instead, which a machine shared with other work disturbs less. The
/// trusted model's detectors (crossmodel, mismatch, trusted) read two more random matrices as its image and caption
/// embeddings, and the caption detectors (pmi, combined) one more as the scanned model's caption embeddings;
/// samecaption reads 200 caption ids in turn; the others are given them and leave them unread.
/// </summary>
internal static class ScanBench
{
    public const string Usage = "[--rows 20480] [--dims 128,512,1024] [--k 16] [--reference-batch 1024] [--detectors kdist,all] [--threads 2] [--repeats 3] [--json FILE]";

    private sealed record Options(int Rows, int[] Dims, int K, int ReferenceBatch, string[] Detectors, int Threads, int Repeats, string? Json);

    private sealed record Row(int Dim, string Detectors, int Rows, int K, int ReferenceBatch, int Threads, double Seconds, double PairsPerSecond, double CpuSeconds, double PairsPerCpuSecond);

    public static int Run(string[] args)
    {
        var o = Parse(args);
        TorchDevice.SetThreads(o.Threads);
        Console.WriteLine($"scan scoring, precomputed embeddings (memory-mapped .npy), {o.Rows} rows, k {o.K}, reference batch {o.ReferenceBatch}, {torch.get_num_threads()} threads, median of {o.Repeats} after a warm-up");
        Console.WriteLine($"{"dim",5} {"detectors",-10} {"s",8} {"pairs/s",10} {"cpu s",8} {"pairs/cpu-s",14}");
        var rows = new List<Row>();
        var folder = Directory.CreateTempSubdirectory("cleanclip-bench-scan-").FullName;
        try
        {
            foreach (var dim in o.Dims)
            {
                torch.manual_seed(0);
                using var matrix = RandomUnitRows(Path.Combine(folder, $"embeddings-{dim}.npy"), o.Rows, dim);
                using var trustedImages = RandomUnitRows(Path.Combine(folder, $"trusted-{dim}.npy"), o.Rows, dim);
                using var trustedCaptions = RandomUnitRows(Path.Combine(folder, $"trusted-captions-{dim}.npy"), o.Rows, dim);
                var source = new MappedEmbeddingRows(matrix);
                using var captionMatrix = RandomUnitRows(Path.Combine(folder, $"captions-{dim}.npy"), o.Rows, dim);
                var trusted = new TrustedView(new MappedEmbeddingRows(trustedImages), new MappedEmbeddingRows(trustedCaptions));
                var captions = new CaptionView(source, new MappedEmbeddingRows(captionMatrix), 1 / 0.07);
                // 200 distinct caption texts, as a table of class templates might have.
                var captionIds = Enumerable.Range(0, o.Rows).Select(i => i % 200).ToArray();
                foreach (var detectors in o.Detectors)
                {
                    var settings = new ScanSettings { K = o.K, ReferenceBatch = o.ReferenceBatch, Detectors = CleanClip.Detection.Detectors.Parse(detectors) };
                    var (seconds, cpu) = Median(o.Repeats, () => ScanScorer.Score(source, settings, trusted: trusted, captions: captions, captionIds: captionIds));
                    var row = new Row(dim, detectors, o.Rows, o.K, o.ReferenceBatch, torch.get_num_threads(), seconds, o.Rows / seconds, cpu, o.Rows / cpu);
                    rows.Add(row);
                    Console.WriteLine($"{row.Dim,5} {row.Detectors,-10} {row.Seconds,8:F3} {row.PairsPerSecond,10:F0} {row.CpuSeconds,8:F3} {row.PairsPerCpuSecond,14:F0}");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        if (o.Json is { } json)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(new { rows },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    /// <summary>[rows, dim] standard-normal rows scaled to unit length, written to <paramref name="path"/> and mapped.</summary>
    private static MappedFloatMatrix RandomUnitRows(string path, int rows, int dim)
    {
        using (var embeddings = torch.nn.functional.normalize(torch.randn(rows, dim), p: 2, dim: 1))
            NpyFile.WriteFloatRows(path, dim, [embeddings]);
        return NpyFile.MapFloatMatrix(path);
    }

    /// <summary>Median wall seconds and median process CPU seconds (all threads) of <paramref name="run"/>.</summary>
    private static (double Wall, double Cpu) Median(int repeats, Action run)
    {
        var walls = new List<double>();
        var cpus = new List<double>();
        var process = Process.GetCurrentProcess();
        for (int i = 0; i <= repeats; i++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            run();
            walls.Add(watch.Elapsed.TotalSeconds);
            process.Refresh();
            cpus.Add((process.TotalProcessorTime - cpu).TotalSeconds);
        }
        walls.RemoveAt(0);
        cpus.RemoveAt(0);
        walls.Sort();
        cpus.Sort();
        return (walls[walls.Count / 2], cpus[cpus.Count / 2]);
    }

    private static Options Parse(string[] args)
    {
        var o = new Options(20480, [128, 512, 1024], 16, 1024, ["kdist", "all"], 2, 3, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: bench scan {Usage}");
            o = args[i] switch
            {
                "--rows" => o with { Rows = int.Parse(Value()) },
                "--dims" => o with { Dims = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() },
                "--k" => o with { K = int.Parse(Value()) },
                "--reference-batch" => o with { ReferenceBatch = int.Parse(Value()) },
                "--detectors" => o with { Detectors = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--threads" => o with { Threads = int.Parse(Value()) },
                "--repeats" => o with { Repeats = int.Parse(Value()) },
                "--json" => o with { Json = Value() },
                _ => throw new ArgumentException($"unknown option {args[i]}; usage: bench scan {Usage}"),
            };
        }
        if (o.Rows < 2 || o.Repeats < 1 || o.Dims.Any(d => d < 1)) throw new ArgumentException("rows, repeats and dims must be positive");
        return o;
    }
}
