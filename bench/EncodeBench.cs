using System.Diagnostics;
using CleanClip.Models;
using TorchSharp;

namespace CleanClip.Bench;

/// <summary>
/// Forward-pass throughput of a model config on random inputs, median over repeats after one warm-up.
/// Arguments: [model=tiny-rn] [batch=16] [repeats=5] [threads=0].
/// </summary>
internal static class EncodeBench
{
    public static int Run(string[] args)
    {
        string name = args.Length > 0 ? args[0] : "tiny-rn";
        int batch = args.Length > 1 ? int.Parse(args[1]) : 16;
        int repeats = args.Length > 2 ? int.Parse(args[2]) : 5;
        TorchDevice.SetThreads(args.Length > 3 ? int.Parse(args[3]) : 0);

        var config = ModelRegistry.Get(name);
        torch.manual_seed(0);
        using var model = new ClipModel(config);
        model.eval();
        using var noGrad = torch.no_grad();
        using var pixels = torch.randn(batch, 3, config.ImageResolution, config.ImageResolution);
        using var tokens = torch.randint(1, config.VocabSize - 2, [batch, config.ContextLength], torch.int64);
        tokens[torch.TensorIndex.Colon, 20] = config.VocabSize - 1;        // captions end at about 20 tokens

        double Median(Action run)
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

        double image = Median(() => model.EncodeImage(pixels));
        double text = Median(() => model.EncodeText(tokens));
        model.TrimText = false;
        double textFull = Median(() => model.EncodeText(tokens));
        Console.WriteLine($"{name} batch {batch}, {torch.get_num_threads()} threads");
        Console.WriteLine($"  image encode: {batch / image,8:F1} images/s");
        Console.WriteLine($"  text encode:  {batch / text,8:F1} captions/s (EOT-trimmed), {batch / textFull,8:F1} captions/s (all {config.ContextLength} positions)");
        return 0;
    }
}
