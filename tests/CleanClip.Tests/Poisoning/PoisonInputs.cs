using System.Text.Json;
using CleanClip.Data;
using CleanClip.Tests.Data.Datasets;
using CleanClip.Tests.Data.Pipeline;
using CleanClip.Tests.Data.Shards;
using SkiaSharp;

namespace CleanClip.Tests.Poisoning;

/// <summary>Tiny inputs for poisoning into WebDataset shards, and what a written set holds.</summary>
internal static class PoisonInputs
{
    /// <summary>A tiny image of a few pixels a side: every other one a PNG, the rest JPEG.</summary>
    public static byte[] Image(int i) =>
        TestImages.Encode(10 + i % 4, 8 + i % 3, i, i % 2 == 0 ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);

    public static string Extension(int i) => i % 2 == 0 ? "png" : "jpg";

    /// <summary>A table <c>train.csv</c> of <paramref name="count"/> images in <c>images/</c>, captioned "a photo of thing I"; returns its path.</summary>
    public static string Table(TempDir dir, int count)
    {
        var lines = new List<string> { "image,caption" };
        for (int i = 0; i < count; i++)
        {
            string file = $"images/{i:D4}.{Extension(i)}";
            dir.Bytes(file, Image(i));
            lines.Add($"{file},a photo of thing {i}");
        }
        return dir.Text("train.csv", string.Join('\n', lines) + "\n");
    }

    /// <summary>Every sample of the shards <paramref name="pattern"/> names, with its image and json, as the streaming reader gives them.</summary>
    public static List<ShardSample> Samples(string pattern) =>
        ShardPattern.Expand(pattern).SelectMany(shard => ShardFiles.ReadAll(shard).Samples).ToList();

    /// <summary>The <c>is_backdoor</c> flag of a written sample's json.</summary>
    public static bool IsBackdoor(ShardSample sample) => Json(sample).GetProperty("is_backdoor").GetInt32() == 1;

    public static JsonElement Json(ShardSample sample) => JsonDocument.Parse(sample.Json!).RootElement;

    public static JsonElement Manifest(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json"))).RootElement;
}
