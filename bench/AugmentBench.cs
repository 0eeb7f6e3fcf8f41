using System.Diagnostics;
using CleanClip.Data;
using CleanClip.Training.Augmentation;

namespace CleanClip.Bench;

/// <summary>
/// Single-thread images/second of each image augmentation on random-noise R×R images (noise is the worst case for
/// nothing: every op touches every pixel the same), plus per-op timings for AutoAugment's ops. Median of the repeats.
/// </summary>
internal static class AugmentBench
{
    public const string Usage = "[--resolution 224] [--images 400] [--repeats 5]";

    public static int Run(string[] args)
    {
        int resolution = 224, images = 400, repeats = 5;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--resolution": resolution = int.Parse(Value()); break;
                case "--images": images = int.Parse(Value()); break;
                case "--repeats": repeats = int.Parse(Value()); break;
                default: throw new ArgumentException($"unknown option {args[i]}; usage: bench augment {Usage}");
            }
        }
        var inputs = Enumerable.Range(0, 16).Select(i => Noise(resolution, (ulong)i)).ToArray();
        Console.WriteLine($"{resolution}x{resolution} RGB, {images} images per run, one thread, median of {repeats}");
        foreach (var name in ImageAugmentations.Names)
        {
            var augmentation = ImageAugmentations.Create(name);
            double rate = Median(repeats, () =>
            {
                for (int i = 0; i < images; i++) augmentation.Apply(inputs[i % inputs.Length], (ulong)i);
            }, images);
            Console.WriteLine($"  {name,-12} {rate,8:F0} images/s");
        }
        Console.WriteLine("AutoAugment ops at their policy magnitudes:");
        foreach (var op in Enum.GetValues<AutoAugmentOp>())
        {
            double magnitude = AutoAugmentPolicy.Magnitude(op, 8, resolution, resolution);
            double rate = Median(repeats, () =>
            {
                for (int i = 0; i < images; i++) AutoAugment.ApplyOp(inputs[i % inputs.Length], op, magnitude);
            }, images);
            Console.WriteLine($"  {op,-12} {rate,8:F0} ops/s");
        }
        return 0;
    }

    private static double Median(int repeats, Action run, int count)
    {
        run();
        var rates = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            run();
            rates.Add(count / watch.Elapsed.TotalSeconds);
        }
        rates.Sort();
        return rates[rates.Count / 2];
    }

    private static RgbImage Noise(int size, ulong seed)
    {
        var random = new SplitMix64(seed);
        var pixels = new byte[3 * size * size];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.NextInt(256);
        return new RgbImage(size, size, pixels);
    }
}
