using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Poisoning;

namespace CleanClip.Evaluation;

/// <summary>
/// Where <c>cleanclip eval</c> keeps linear-probe features: <c>&lt;cache&gt;/probe-features/&lt;key&gt;.safetensors</c>,
/// one file per (weights, image set, clean or trigger settings). The file's metadata holds the whole description, so a
/// key collision reads as a miss. Weights are identified by their bytes (<see cref="ClassEmbeddingCache.DescribeWeights"/>);
/// an image set by each image's path, label, size and modification time, not its bytes: hashing the bytes of an
/// ImageNet-sized train split would cost minutes on every run, and a stale hit needs an edit that keeps both size and
/// time, which no ordinary tool makes.
/// </summary>
public sealed class ProbeFeatureCache(string directory)
{
    private const int Version = 1;

    public string Directory { get; } = Path.GetFullPath(directory);

    public string PathFor(string description) =>
        Path.Combine(Directory, "probe-features", ClassEmbeddingCache.Key(description) + ".safetensors");

    /// <summary>What features of <paramref name="images"/> depend on; <paramref name="trigger"/> null for clean images.</summary>
    /// <param name="resize">How images are brought to the model resolution before the trigger.</param>
    /// <param name="seed">Image i gets the trigger seed <c>Derive(seed, i)</c>.</param>
    public static string Describe(string weights, string? modelConfig, IReadOnlyList<LabeledImage> images, string root,
        TriggerOptions? trigger, ResizeMode resize, ulong seed, Precision precision = Precision.Fp32)
    {
        var lines = new List<string>
        {
            $"version={Version}",
            $"weights={weights}",
            $"config={modelConfig?.ToLowerInvariant() ?? ""}",
            $"images=sha256:{HashImages(images, root)}",
            $"count={images.Count}",
        };
        if (trigger is null) lines.Add("trigger=none");
        else
        {
            lines.Add($"trigger={JsonSerializer.Serialize(trigger, EvalResults.Json).ReplaceLineEndings(" ")}");
            if (trigger.WanetField is { } field && File.Exists(field)) lines.Add($"wanet_field=sha256:{ClassEmbeddingCache.HashPath(field)}");
            lines.Add($"resize={resize}");
            lines.Add($"seed={seed.ToString(CultureInfo.InvariantCulture)}");
        }
        lines.AddRange(ClassEmbeddingCache.PrecisionLine(precision));
        return string.Join('\n', lines);
    }

    /// <summary>The cached features, or null when there is none for <paramref name="description"/> (an unreadable file is a miss).</summary>
    public LinearProbeFeatures? TryLoad(string description)
    {
        try { return LinearProbeFeatures.TryLoad(PathFor(description), description); }
        catch (Exception e) when (e is Checkpoints.CheckpointFormatException or InvalidDataException or IOException) { return null; }
    }

    public void Store(string description, LinearProbeFeatures features)
    {
        var path = PathFor(description);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        features.Save(path, description);
    }

    /// <summary>The cached features, or those <paramref name="extract"/> makes (then stored); <paramref name="hit"/> says which.</summary>
    public LinearProbeFeatures GetOrExtract(string description, Func<LinearProbeFeatures> extract, out bool hit)
    {
        var cached = TryLoad(description);
        hit = cached is not null;
        if (cached is not null) return cached;
        var features = extract();
        Store(description, features);
        return features;
    }

    private static string HashImages(IReadOnlyList<LabeledImage> images, string root)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var image in images)
        {
            var info = new FileInfo(image.ImagePath);
            long length = info.Exists ? info.Length : -1;
            long time = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
            var relative = Path.GetRelativePath(root, image.ImagePath).Replace('\\', '/');
            hash.AppendData(Encoding.UTF8.GetBytes(
                $"{relative}\t{image.Label.ToString(CultureInfo.InvariantCulture)}\t{length.ToString(CultureInfo.InvariantCulture)}\t{time.ToString(CultureInfo.InvariantCulture)}\n"));
            // An image held in memory (read from an idx or CIFAR file) has no file of its own: its pixels identify it.
            if (image.Pixels is { } pixels) hash.AppendData(pixels.Pixels);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
