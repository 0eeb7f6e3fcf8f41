using System.Diagnostics;
using System.Text.Json;

namespace CleanClip.Bench;

/// <summary>
/// `bench compare`: CleanClip's numbers (as `bench all`) and the same measurements by bench/pytorch/clip_bench.py
/// (PyTorch re-statement of the reference, Debian's python3-torch), one after the other on this machine, with the
/// ratios and the issue's targets. The PyTorch side runs as users run it: default environment, 2 threads.
/// </summary>
internal static class CompareBench
{
    public const string Usage = "[--models RN50,ViT-B/32] [--batch 16] [--threads 2] [--repeats 3] [--precisions fp32,bf16] [--python /usr/bin/python3] [--json out.json]";

    private const int CompareTemplates = 8;

    internal sealed record Line(string Measure, double CleanClip, double PyTorch, double Ratio, string Target, bool? Met);

    public static int Run(string[] args)
    {
        string python = "/usr/bin/python3";
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
            if (args[i] == "--python" && i + 1 < args.Length) python = args[++i];
            else rest.Add(args[i]);
        var o = AllBench.Parse([.. rest], new AllBench.Options(["RN50", "ViT-B/32"], 16, 2, 3, 0, null));
        var script = Path.Combine(RepositoryFiles.Root() ?? throw new ArgumentException("run bench compare from inside the CleanClip repository (it needs bench/pytorch/clip_bench.py)"),
            "bench", "pytorch", "clip_bench.py");

        var images = Directory.CreateTempSubdirectory("cleanclip-compare-images-").FullName;
        try
        {
            var ours = AllBench.Measure(o, keepImages: images, evalTemplates: CompareTemplates);
            string models = string.Join(',', o.Models), common = $"--threads {o.Threads} --repeats {o.Repeats}";
            var gemm = Python(python, script, $"gemm --threads {o.Threads}");
            var step = Python(python, script, $"step --models {models} --batch {o.Batch} {common}");
            // 10 classes × 8 templates: the reference's 77-position text tower makes 80 templates take minutes per repeat.
            var eval = Python(python, script, $"eval --models {models} --templates {CompareTemplates} {common}");
            var pipeline = Python(python, script, $"pipeline --images-dir {images} --threads 1 --repeats {o.Repeats}");

            var lines = new List<Line>();
            void Add(string measure, double cs, double py, string target, double? minRatio)
            {
                double ratio = cs / py;
                lines.Add(new Line(measure, cs, py, ratio, target, minRatio is { } m ? ratio >= m : null));
            }
            Add($"GEMM fp32 GFLOP/s ({o.Threads} threads)", ours.GemmFp32Gflops, gemm.GetProperty("gflops").GetDouble(), "-", null);
            // Every CleanClip row against PyTorch's fp32 (the reference trains in fp32 on CPU); the issue asks ≥ 2× in fp32
            // and ≥ 4× with bf16 for the step, ≥ 2× for zero-shot.
            foreach (var m in ours.Models)
            {
                var py = Find(step, m.Model);
                double target = m.Precision == "bf16" ? 4.0 : 2.0;
                Add($"CleanCLIP step {m.Model} {m.Precision} pairs/s", m.StepPairsPerSecond, py.GetProperty("pairs_per_second").GetDouble(), $"≥ {target:F1}×", target);
            }
            foreach (var m in ours.Models)
            {
                var py = Find(eval, m.Model);
                Add($"zero-shot {m.Model} {m.Precision} images/s", m.EvalImagesPerSecond, py.GetProperty("images_per_second").GetDouble(), "≥ 2.0×", 2.0);
                Add($"classifier {m.Model} {m.Precision} captions/s", m.EvalCaptionsPerSecond, py.GetProperty("captions_per_second").GetDouble(), "-", null);
            }
            double ourFiles = PairsRate(ours.Pairs, "jpeg files", 1), ourCache = PairsRate(ours.Pairs, "decoded cache", 2);
            Add("pipeline pairs/s, 1 core, from JPEGs", ourFiles, pipeline.GetProperty("pairs_per_second").GetDouble(), "≥ 1.0×", 1.0);
            lines.Add(new Line("pipeline pairs/s, 2 cores, from the cache", ourCache, double.NaN, double.NaN, "≥ 600/s", ourCache >= 600));
            foreach (var m in ours.Models.Where(m => m.Model.StartsWith("RN", StringComparison.Ordinal) && m.Precision == "fp32"))
                lines.Add(new Line($"{m.Model} step GFLOP/s of the GEMM peak", m.FractionOfGemmPeak * 100, double.NaN, double.NaN, "≥ 60%", m.FractionOfGemmPeak >= 0.6));

            Print(lines, ours, o);
            if (o.Json is { } json)
            {
                var report = new { Lines = lines, CleanClip = ours, PyTorch = new { Gemm = gemm, Step = step, Eval = eval, Pipeline = pipeline } };
                File.WriteAllText(json, JsonSerializer.Serialize(report, StepBench.JsonOptions));
                Console.WriteLine($"wrote {json}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(images, recursive: true);
        }
    }

    private static JsonElement Find(JsonElement report, string model) =>
        report.GetProperty("results").EnumerateArray().First(r => r.GetProperty("model").GetString() == model);

    private static double PairsRate(JsonElement pairs, string source, int threads) =>
        pairs.GetProperty("rows").EnumerateArray()
            .First(r => r.GetProperty("source").GetString() == source && r.GetProperty("threads").GetInt32() == threads)
            .GetProperty("pairs_per_second").GetDouble();

    private static JsonElement Python(string python, string script, string arguments)
    {
        Console.Error.WriteLine($"pytorch: {arguments}");
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var a in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(a);
        // The PyTorch side runs as its users run it: none of CleanClip's process settings leak into it.
        foreach (var name in new[] { "OMP_WAIT_POLICY", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_" }) start.Environment.Remove(name);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{python} {script} {arguments} exited with {process.ExitCode}; it needs Debian's python3-torch, python3-torchvision and python3-pil");
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    private static void Print(List<Line> lines, AllBench.Results ours, AllBench.Options o)
    {
        Console.WriteLine();
        Console.WriteLine($"CleanClip vs PyTorch (bench/pytorch/clip_bench.py), {o.Threads} threads, batch {o.Batch} pairs, median of {o.Repeats}");
        Console.WriteLine($"{"measure",-44} {"CleanClip",10} {"PyTorch",10} {"ratio",7} {"target",8} {"met",4}");
        foreach (var l in lines)
            Console.WriteLine($"{l.Measure,-44} {l.CleanClip,10:F2} {(double.IsNaN(l.PyTorch) ? "-" : l.PyTorch.ToString("F2")),10} {(double.IsNaN(l.Ratio) ? "-" : l.Ratio.ToString("F2") + "×"),7} {l.Target,8} {(l.Met is { } met ? (met ? "yes" : "no") : ""),4}");
    }
}
