using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// Zero-shot class embeddings kept on disk, one safetensors file per (model weights, classes file, vocabulary,
/// truncation): ImageNet's 1000 classes × 80 templates cost a minute of text encoding per checkpoint, the images
/// only seconds. The key hashes the checkpoint's bytes (not its path or date, so a retrained file at the same path
/// misses and a copy elsewhere hits), the class names and templates as read (a reformatted file still hits), and the
/// vocabulary's bytes; a registry name stands for its seeded fresh weights.
/// </summary>
public sealed class ClassEmbeddingCache(string directory)
{
    public const string TensorName = "class_embeddings";
    private const int Version = 1;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary><c>$XDG_CACHE_HOME/cleanclip</c>, else <c>~/.cache/cleanclip</c>: the default of every CleanClip cache.</summary>
    public static string DefaultDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "cleanclip");
    }

    /// <summary>What the embeddings depend on, one <c>name=value</c> line each; the key is a hash of this text.</summary>
    public static string Describe(string model, string? modelConfig, long modelSeed, ClassesFile classes, string vocabPath,
        TruncationMode truncation, Precision precision = Precision.Fp32)
    {
        return string.Join('\n', new[]
        {
            $"version={Version}",
            $"weights={DescribeWeights(model, modelSeed)}",
            $"config={modelConfig?.ToLowerInvariant() ?? ""}",
            $"classes=sha256:{HashClasses(classes)}",
            $"vocab=sha256:{HashPath(vocabPath)}",
            $"truncation={truncation}",
        }.Concat(PrecisionLine(precision)));
    }

    /// <summary>A line for non-fp32 precisions only: fp32 keys have no precision line, so caches written without one stay valid.</summary>
    internal static IEnumerable<string> PrecisionLine(Precision precision) =>
        precision == Precision.Fp32 ? [] : [$"precision={precision.ToString().ToLowerInvariant()}"];

    /// <summary>The weights a checkpoint stands for: the SHA-256 of its bytes, or a registry name with its seed.</summary>
    public static string DescribeWeights(string model, long modelSeed) =>
        File.Exists(model) || System.IO.Directory.Exists(model)
            ? $"sha256:{HashPath(model)}"
            : $"registry:{model.ToLowerInvariant()}:seed={modelSeed}";

    public static string Key(string description) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)))[..32];

    public string PathFor(string key) => Path.Combine(Directory, "class-embeddings", key + ".safetensors");

    /// <summary>
    /// The cached [C, D] embeddings (CPU) if a readable file of that shape is there; an unreadable or mis-shaped
    /// file counts as a miss and is overwritten by the next <see cref="Store"/>.
    /// </summary>
    public Tensor? TryLoad(string key, int classCount, int embedDim)
    {
        var path = PathFor(key);
        if (!File.Exists(path)) return null;
        Dictionary<string, Tensor> tensors;
        try { tensors = Safetensors.Read(path); }
        catch (Exception e) when (e is CheckpointFormatException or IOException) { return null; }
        Tensor? found = null;
        foreach (var (name, t) in tensors)
        {
            if (name == TensorName && t.dtype == ScalarType.Float32 && t.shape.SequenceEqual(new long[] { classCount, embedDim })) found = t;
            else t.Dispose();
        }
        return found;
    }

    public void Store(string key, Tensor embeddings, string description)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(PathFor(key))!);
        using var cpu = embeddings.detach().to(ScalarType.Float32).cpu().contiguous();
        Safetensors.Write(PathFor(key), new Dictionary<string, Tensor> { [TensorName] = cpu },
            new Dictionary<string, string> { ["cleanclip.class_embeddings"] = description });
    }

    /// <summary>The classifier from the cache, or built with the model's text tower and then stored.</summary>
    public ZeroShotClassifier GetOrBuild(ClipModel model, ClipTokenizer tokenizer, ClassesFile classes, string description,
        out bool hit, IProgress<int>? classesDone = null)
    {
        var key = Key(description);
        // CPU either way, as Build leaves them: scoring moves the image embeddings there.
        var cached = TryLoad(key, classes.Classes.Count, model.Config.EmbedDim);
        hit = cached is not null;
        if (cached is not null) return new ZeroShotClassifier(classes, cached);
        var built = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes, classesDone: classesDone);
        Store(key, built.ClassEmbeddings, description);
        return built;
    }

    private static string HashClasses(ClassesFile classes) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { classes = classes.Classes, templates = classes.Templates })));

    /// <summary>SHA-256 of a file, or of a folder's files in ordinal path order (name and bytes of each).</summary>
    internal static string HashPath(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (System.IO.Directory.Exists(path))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(path, file).Replace('\\', '/') + "\n"));
                AppendFile(hash, file);
            }
        }
        else AppendFile(hash, path);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendFile(IncrementalHash hash, string file)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
    }
}
