using CleanClip;
using CleanClip.Data;
using CleanClip.Data.Synthetic;

namespace DemoRecipe;

/// <summary>One split held in memory: images as one CHW uint8 block per image, captions (captioned splits) and labels.</summary>
public sealed record Split(int Size, byte[][] Images, string[] Captions, int[] Labels)
{
    public int Count => Images.Length;
}

/// <summary>
/// The synthetic world drawn in memory with the library's planner and renderer (the same pixels SyntheticWorld
/// writes as PNG, which is lossless), cached under /tmp so repeated experiments skip the drawing.
/// </summary>
public static class World
{
    public static (Split Train, Split Finetune, Split Test) Build(SyntheticWorldOptions options)
    {
        return (Draw(options, SyntheticSplit.Train), Draw(options, SyntheticSplit.Finetune), Draw(options, SyntheticSplit.Test));
    }

    private static Split Draw(SyntheticWorldOptions options, SyntheticSplit split)
    {
        var samples = WorldPlanner.Plan(options, split);
        int s = options.ImageSize;
        var key = $"{options.Seed}-{options.ImageSize}-{options.ClutterProbability}-{options.NoiseSigma}-{options.Supersampling}-{split}-{samples.Count}";
        var cache = Path.Combine("/tmp/demo-recipe-cache", key + ".bin");
        var images = new byte[samples.Count][];
        if (File.Exists(cache))
        {
            var all = File.ReadAllBytes(cache);
            for (int i = 0; i < images.Length; i++) images[i] = all.AsSpan(i * 3 * s * s, 3 * s * s).ToArray();
        }
        else
        {
            Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 },
                () => new SceneRenderer(s, options.Supersampling),
                (i, _, renderer) => { images[i] = ToChw(renderer.Render(samples[i].Scene)); return renderer; },
                r => r.Dispose());
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            using var file = File.Create(cache + ".tmp");
            foreach (var image in images) file.Write(image);
            file.Close();
            File.Move(cache + ".tmp", cache, overwrite: true);
        }
        return new Split(s, images, samples.Select(x => x.Caption?.Text ?? "").ToArray(), samples.Select(x => x.Label).ToArray());
    }

    public static byte[] ToChw(RgbImage image)
    {
        int plane = image.Width * image.Height;
        var chw = new byte[3 * plane];
        var hwc = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            chw[i] = hwc[3 * i];
            chw[plane + i] = hwc[3 * i + 1];
            chw[2 * plane + i] = hwc[3 * i + 2];
        }
        return chw;
    }

    public static RgbImage FromChw(byte[] chw, int size)
    {
        int plane = size * size;
        var hwc = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            hwc[3 * i] = chw[i];
            hwc[3 * i + 1] = chw[plane + i];
            hwc[3 * i + 2] = chw[2 * plane + i];
        }
        return new RgbImage(size, size, hwc);
    }
}
