using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Text;
using CleanClip.Training;
using CleanClip.Training.Augmentation;
using CleanClip.Training.Data;
using TorchSharp;

namespace CleanClip.Bench;

/// <summary>
/// Training pairs/second of the CleanCLIP input pipeline as <c>Trainer</c> runs it: decode (or read from the
/// <see cref="DecodedCache"/>), CLIP resize + centre crop, an AutoAugment view, both normalised into one batch tensor;
/// plus EDA views of the captions and tokenisation of originals and views on the consuming thread. No model runs,
/// so this is the rate the pipeline could feed a step at. Median of the repeats after one warm-up epoch.
/// The same JPEGs are also written as WebDataset shards (<see cref="ImagesPerShard"/> a shard, img2dataset's layout)
/// and read as <c>train</c> reads them: indexed once, each image read by seeking into its shard.
/// </summary>
internal static class PairsBench
{
    private const int ImagesPerShard = 64;

    public const string Usage = "[--images 256] [--width 320] [--height 240] [--threads 1,2] [--repeats 3] [--batch 32] [--vocab FILE] [--keep-images DIR] [--json out.json]";

    private sealed record Options(int Images, int Width, int Height, int[] Threads, int Repeats, int Batch, string? Vocab, string? KeepImages, string? Json);

    internal sealed record Row(string Source, int Threads, double PairsPerSecond, double PairsPerSecondPerThread, double MedianSeconds, double[] Runs);

    /// <summary>One stage alone on one thread, in milliseconds per pair (what the pipeline's time goes to).</summary>
    internal sealed record Stage(string Name, double MsPerPair);

    internal sealed record Report(int Images, int Width, int Height, int Resolution, bool Eda, bool WordNetSynonyms, bool Tokenized,
        double CacheBuildSeconds, double ShardIndexSeconds, List<Row> Rows, List<Stage> Stages, double PeakRssMib);

    public static int Run(string[] args)
    {
        var o = Parse(args);
        var report = Measure(o);
        Console.WriteLine($"training pairs: {o.Images} JPEGs {o.Width}x{o.Height} -> 224 px, AutoAugment view, EDA {(report.WordNetSynonyms ? "with" : "without")} WordNet, " +
                          $"{(report.Tokenized ? "tokenized" : "not tokenized (no --vocab)")}, batch {o.Batch}, median of {o.Repeats}");
        Console.WriteLine($"{"source",-14} {"threads",7} {"pairs/s",8} {"per thread",10} {"epoch s",8}");
        foreach (var r in report.Rows)
            Console.WriteLine($"{r.Source,-14} {r.Threads,7} {r.PairsPerSecond,8:F0} {r.PairsPerSecondPerThread,10:F0} {r.MedianSeconds,8:F2}");
        Console.WriteLine("one thread, per stage: " + string.Join(", ", report.Stages.Select(st => $"{st.Name} {st.MsPerPair:F2} ms")) + " per pair");
        Console.WriteLine($"cache build: {report.CacheBuildSeconds:F2} s; shard index ({ImagesPerShard} images a shard): {report.ShardIndexSeconds:F3} s; peak RSS {report.PeakRssMib:F0} MiB");
        if (o.Json is { } json)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(report, StepBench.JsonOptions));
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    private static Report Measure(Options o)
    {
        const int resolution = 224;
        var root = Directory.CreateTempSubdirectory("cleanclip-bench-pairs-").FullName;
        try
        {
            var imageFolder = o.KeepImages ?? Path.Combine(root, "images");
            var paths = SyntheticImages.Write(imageFolder, o.Images, o.Width, o.Height);
            var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = resolution });
            var build = Stopwatch.StartNew();
            using var cache = DecodedCache.Build(paths, resolution, Path.Combine(root, "cache"));
            var buildSeconds = build.Elapsed.TotalSeconds;
            var pattern = WriteShards(paths, Path.Combine(root, "shards"));
            var indexing = Stopwatch.StartNew();
            var shards = ShardDataset.Load(pattern).Rows;
            var indexSeconds = indexing.Elapsed.TotalSeconds;

            var wordNet = WordNet.Find() is { } folder ? WordNet.Load(folder) : null;
            var captions = new CaptionViews(Captions(o.Images), new Eda(wordNet), EdaRefresh.Epoch, seed: 1);
            var tokenizer = o.Vocab is { } vocab ? ClipTokenizer.FromVocabFile(vocab) : null;
            var augmentation = new AutoAugment();

            var rows = new List<Row>();
            foreach (var threads in o.Threads)
            {
                var options = new PipelineOptions { BatchSize = o.Batch, DropLast = true, DecodeThreads = threads, Seed = 1 };
                rows.Add(Time("jpeg files", threads, ViewPipeline.FromFiles(paths, preprocessor, augmentation, options), captions, tokenizer, o.Repeats));
                rows.Add(Time("jpeg shards", threads, ViewPipeline.FromRows(shards, preprocessor, augmentation, options), captions, tokenizer, o.Repeats));
                rows.Add(Time("decoded cache", threads, ViewPipeline.FromCache(cache, preprocessor, augmentation, options), captions, tokenizer, o.Repeats));
            }
            var stages = Stages(paths, shards, cache, preprocessor, augmentation, captions, tokenizer, o.Batch);
            return new Report(o.Images, o.Width, o.Height, resolution, true, wordNet is not null, tokenizer is not null, buildSeconds, indexSeconds,
                rows, stages, ProcStatus.MiB("VmHWM"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Row Time(string source, int threads, BatchPipeline<ViewPair> pipeline, CaptionViews captions, ClipTokenizer? tokenizer, int repeats)
    {
        var runs = new List<double>();
        int pairs = 0;
        for (int epoch = 0; epoch <= repeats; epoch++)
        {
            var watch = Stopwatch.StartNew();
            pairs = 0;
            using (var batches = pipeline.Start(epoch))
                foreach (var batch in batches)
                    using (batch)
                    {
                        // What Trainer.Step does before the model runs: originals and EDA views, tokenized together.
                        var texts = batch.Indices.Select(captions.Original).Concat(batch.Indices.Select(i => captions.Augmented(i, epoch))).ToList();
                        if (tokenizer is not null)
                            using (torch.NewDisposeScope()) tokenizer.TokenizeToTensor(texts);
                        pairs += batch.Count;
                    }
            if (epoch > 0) runs.Add(watch.Elapsed.TotalSeconds);
        }
        var median = runs.Order().ElementAt(runs.Count / 2);
        return new Row(source, threads, pairs / median, pairs / median / threads, median, [.. runs]);
    }

    /// <summary>The images as img2dataset-style shards (KEY.jpg + KEY.txt) of <see cref="ImagesPerShard"/>; returns their brace pattern.</summary>
    private static string WriteShards(List<string> paths, string folder)
    {
        Directory.CreateDirectory(folder);
        var chunks = paths.Chunk(ImagesPerShard).ToList();
        for (int s = 0; s < chunks.Count; s++)
        {
            using var file = File.Create(Path.Combine(folder, $"{s:D5}.tar"));
            using var writer = new TarWriter(file, TarEntryFormat.Pax);
            for (int i = 0; i < chunks[s].Length; i++)
            {
                var key = $"{s * ImagesPerShard + i:D9}";
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{key}.jpg") { DataStream = new MemoryStream(File.ReadAllBytes(chunks[s][i])) });
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{key}.txt") { DataStream = new MemoryStream("a photo"u8.ToArray()) });
            }
        }
        return Path.Combine(folder, $"{{00000..{chunks.Count - 1:D5}}}.tar");
    }

    private static List<Stage> Stages(List<string> paths, IReadOnlyList<CaptionRow> shards, DecodedCache cache, ClipPreprocessor preprocessor, AutoAugment augmentation,
        CaptionViews captions, ClipTokenizer? tokenizer, int batch)
    {
        int n = paths.Count;
        double Ms(Action run)
        {
            run();
            var watch = Stopwatch.StartNew();
            run();
            return watch.Elapsed.TotalMilliseconds / n;
        }
        var images = Enumerable.Range(0, n).Select(i => cache.GetImage(i)).ToList();
        var texts = Enumerable.Range(0, n).Select(captions.Original).ToList();
        var decoded = paths.Select(p => ImageDecoder.TryDecode(p, out var image, out _) ? image! : throw new InvalidDataException(p)).ToList();
        var stages = new List<Stage>
        {
            new("file read", Ms(() => { foreach (var p in paths) File.ReadAllBytes(p); })),
            new("shard member read", Ms(() => { foreach (var r in shards) r.ReadBytes(); })),
            new("decode", Ms(() => { foreach (var p in paths) ImageDecoder.TryDecode(p, out _, out _); })),
            new("resize+crop", Ms(() => { foreach (var i in decoded) preprocessor.ResizeAndCrop(i); })),
            new("cache read", Ms(() => { for (int i = 0; i < n; i++) cache.Load(i, 0); })),
            new("autoaugment", Ms(() => { for (int i = 0; i < n; i++) augmentation.Apply(images[i], (ulong)i); })),
            new("stack+normalize x2", Ms(() =>
            {
                for (int s = 0; s + batch <= n; s += batch)
                    using (torch.NewDisposeScope())
                    {
                        var both = images.Skip(s).Take(batch).Concat(images.Skip(s).Take(batch)).ToList();
                        preprocessor.Normalize(ImagePipeline.Stack(both));
                    }
            })),
            new("eda", Ms(() => { for (int i = 0; i < n; i++) captions.Augmented(i, 1); })),
        };
        if (tokenizer is not null)
            stages.Add(new("tokenize x2", Ms(() => { using (torch.NewDisposeScope()) tokenizer.TokenizeToTensor([.. texts, .. texts]); })));
        return stages;
    }

    /// <summary>Caption-like sentences of 8-16 common words (EDA's synonym lookups need real words).</summary>
    private static List<string> Captions(int count)
    {
        string[] words = ["a", "photo", "of", "the", "small", "dog", "running", "on", "green", "grass", "near", "old", "house",
            "with", "red", "car", "parked", "beside", "tall", "tree", "under", "blue", "sky", "and", "white", "clouds", "man", "holding", "umbrella"];
        var random = new SplitMix64(42);
        return [.. Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Range(0, 8 + random.NextInt(9)).Select(_ => words[random.NextInt(words.Length)])))];
    }

    private static Options Parse(string[] args)
    {
        var o = new Options(256, 320, 240, [1, 2], 3, 32, RepositoryFiles.DefaultVocab(), null, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; usage: pairs {Usage}");
            o = args[i] switch
            {
                "--images" => o with { Images = int.Parse(Value()) },
                "--width" => o with { Width = int.Parse(Value()) },
                "--height" => o with { Height = int.Parse(Value()) },
                "--threads" => o with { Threads = [.. Value().Split(',').Select(int.Parse)] },
                "--repeats" => o with { Repeats = int.Parse(Value()) },
                "--batch" => o with { Batch = int.Parse(Value()) },
                "--vocab" => o with { Vocab = Value() },
                "--keep-images" => o with { KeepImages = Value() },
                "--json" => o with { Json = Value() },
                _ => throw new ArgumentException($"unknown argument {args[i]}; usage: pairs {Usage}"),
            };
        }
        if (o.Vocab is { } v && !File.Exists(v)) throw new ArgumentException($"--vocab {v}: no such file");
        return o;
    }
}

/// <summary>Inputs the benches find next to the repository (the shared data folder beside the project root).</summary>
internal static class RepositoryFiles
{
    public static string? Root()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CleanClip.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>OpenAI's BPE vocabulary at ../shared/clip/ from the repository root, when present.</summary>
    public static string? DefaultVocab() =>
        Root() is { } root && Path.Combine(root, "..", "shared", "clip", "bpe_simple_vocab_16e6.txt.gz") is var path && File.Exists(path) ? path : null;
}
