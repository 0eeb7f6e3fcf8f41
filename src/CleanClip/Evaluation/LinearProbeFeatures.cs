using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// Frozen image features for the linear probe: the image tower's output before L2 normalisation (as the reference
/// probes it), float32 [N, D] on the CPU, with one class index per row.
/// </summary>
public sealed class LinearProbeFeatures : IDisposable
{
    private const string FeaturesKey = "features";
    private const string LabelsKey = "labels";
    private const string CacheKeyName = "cache_key";

    public Tensor Features { get; }
    /// <summary>[N] int64 class indices.</summary>
    public Tensor Labels { get; }
    public int Count => (int)Features.shape[0];
    public int Dimension => (int)Features.shape[1];

    public LinearProbeFeatures(Tensor features, Tensor labels)
    {
        if (features.dim() != 2) throw new ArgumentException($"features must be [N, D], got [{string.Join(", ", features.shape)}]", nameof(features));
        if (labels.dim() != 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"labels must be [{features.shape[0]}], got [{string.Join(", ", labels.shape)}]", nameof(labels));
        // Takes ownership; a tensor of another dtype or device is converted (the original is then left to the GC).
        Features = features.dtype == ScalarType.Float32 && features.device_type == DeviceType.CPU ? features : features.to(ScalarType.Float32).cpu();
        Labels = labels.dtype == ScalarType.Int64 && labels.device_type == DeviceType.CPU ? labels : labels.to(ScalarType.Int64).cpu();
    }

    public static LinearProbeFeatures FromArrays(float[,] features, long[] labels) =>
        new(torch.tensor(features), torch.tensor(labels));

    /// <summary>
    /// Runs the image tower (eval mode, no gradients) over batches of normalised pixels [B, 3, R, R]; the labels are
    /// those of the batches' rows, in order. The model is left in eval mode.
    /// </summary>
    public static LinearProbeFeatures Extract(ClipModel model, IEnumerable<(Tensor Pixels, long[] Labels)> batches)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        var device = model.LogitScale.device;
        var rows = new List<Tensor>();
        var labels = new List<long>();
        try
        {
            foreach (var (pixels, batchLabels) in batches)
            {
                if (pixels.shape[0] != batchLabels.Length)
                    throw new ArgumentException($"a batch of {pixels.shape[0]} images came with {batchLabels.Length} labels");
                using var scope = NewDisposeScope();
                rows.Add(model.EncodeImage(pixels.to(device)).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
                labels.AddRange(batchLabels);
            }
            using var all = rows.Count == 0 ? torch.zeros(0, model.Config.EmbedDim) : torch.cat(rows, 0);
            return new LinearProbeFeatures(all.clone(), torch.tensor(labels.ToArray()));
        }
        finally
        {
            foreach (var row in rows) row.Dispose();
        }
    }

    /// <summary>
    /// Features of labelled image files, decoded and preprocessed at the model's resolution; unreadable images are
    /// skipped (recorded in <paramref name="skipped"/>) and their labels dropped with them.
    /// </summary>
    public static LinearProbeFeatures ExtractFiles(ClipModel model, IReadOnlyList<(string Path, int Label)> images,
        int batchSize = 64, List<SkippedInput>? skipped = null, int decodeThreads = 0)
    {
        var labelOf = new Dictionary<string, long>(StringComparer.Ordinal);
        var list = images.Select((image, i) => (Name: i.ToString(System.Globalization.CultureInfo.InvariantCulture), image.Path)).ToList();
        var batches = ImageBatches.ForModel(model, batchSize, decodeThreads);
        var features = Extract(model, batches.Read(list).Select(b =>
            (b.Pixels, b.Names.Select(n => (long)images[int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)].Label).ToArray())));
        skipped?.AddRange(batches.Skipped.Select(s => s with { Name = images[int.Parse(s.Name, System.Globalization.CultureInfo.InvariantCulture)].Path }));
        return features;
    }

    /// <summary>
    /// Writes the features as a safetensors file whose metadata holds <paramref name="cacheKey"/> (whatever identifies
    /// the checkpoint and the images, so a stale cache is recognised).
    /// </summary>
    public void Save(string path, string cacheKey) =>
        Safetensors.Write(path, new Dictionary<string, Tensor> { [FeaturesKey] = Features, [LabelsKey] = Labels },
            new Dictionary<string, string> { [CacheKeyName] = cacheKey });

    /// <summary>The cached features, or null when there is no file at <paramref name="path"/> or it was made for another key.</summary>
    /// <exception cref="CheckpointFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="InvalidDataException">The file lacks the features or labels tensor.</exception>
    public static LinearProbeFeatures? TryLoad(string path, string cacheKey)
    {
        if (!File.Exists(path)) return null;
        if (!Safetensors.ReadMetadata(path).TryGetValue(CacheKeyName, out var key) || key != cacheKey) return null;
        var tensors = Safetensors.Read(path);
        try
        {
            if (!tensors.TryGetValue(FeaturesKey, out var features) || !tensors.TryGetValue(LabelsKey, out var labels))
                throw new InvalidDataException($"{path}: a feature cache needs tensors '{FeaturesKey}' and '{LabelsKey}'");
            return new LinearProbeFeatures(features.clone(), labels.clone());
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Loads the cache when its key matches, otherwise extracts and (when <paramref name="path"/> is given) saves.</summary>
    public static LinearProbeFeatures LoadOrExtract(string? path, string cacheKey, Func<LinearProbeFeatures> extract)
    {
        if (path is not null && TryLoad(path, cacheKey) is { } cached) return cached;
        var features = extract();
        if (path is not null) features.Save(path, cacheKey);
        return features;
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
