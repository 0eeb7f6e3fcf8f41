using System.Text.Json;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Checkpoints;

/// <summary>
/// The one place a model comes from: a registry name (fresh weights, OpenAI init, seeded) or a checkpoint file in
/// any supported format, with the architecture read from our metadata, from <paramref name="configName"/>, or
/// inferred from the tensor shapes the way OpenAI's <c>build_model</c> does. Given head counts override them all.
/// </summary>
public static class ModelLoader
{
    /// <summary>Safetensors metadata key under which CleanClip stores the model config as JSON.</summary>
    public const string ConfigMetadataKey = "cleanclip.config";

    public static ClipModel Load(string nameOrPath, string? configName = null, long seed = 0, Device? device = null,
        CheckpointReadOptions? read = null, HeadCounts? heads = null)
    {
        ClipModel model;
        if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath))
            model = FromFile(nameOrPath, configName, read, heads);
        else if (ModelRegistry.TryGet(nameOrPath, out var config))
        {
            torch.manual_seed(seed);
            model = new ClipModel((heads ?? HeadCounts.None).ApplyTo(config));
        }
        else
            throw new ArgumentException($"'{nameOrPath}' is neither a checkpoint file nor a known model; {ModelRegistry.KnownModels}");
        return device is null ? model : model.to(device);
    }

    /// <summary>
    /// The model <paramref name="nameOrPath"/> names, built with <paramref name="config"/> instead of the config its
    /// metadata, a registry entry or its shapes would give: a second copy of a model already loaded from it (the file's
    /// tensors must fit the config). A registry name gets the fresh weights of <paramref name="seed"/>, as in
    /// <see cref="Load"/>.
    /// </summary>
    public static ClipModel LoadAs(string nameOrPath, ClipConfig config, long seed = 0, Device? device = null, CheckpointReadOptions? read = null)
    {
        ClipModel model;
        if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath))
        {
            using var checkpoint = CheckpointReader.Read(nameOrPath, read);
            model = new ClipModel(config);
            try { StateDictLoader.Load(model, checkpoint.StateDict, nameOrPath); }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        else if (ModelRegistry.TryGet(nameOrPath, out _))
        {
            torch.manual_seed(seed);
            model = new ClipModel(config);
        }
        else
            throw new ArgumentException($"'{nameOrPath}' is neither a checkpoint file nor a known model; {ModelRegistry.KnownModels}");
        return device is null ? model : model.to(device);
    }

    public static ClipModel FromFile(string path, string? configName = null, CheckpointReadOptions? read = null, HeadCounts? heads = null)
    {
        using var checkpoint = CheckpointReader.Read(path, read);
        var model = new ClipModel(ConfigFor(path, checkpoint, configName, heads ?? HeadCounts.None));
        try
        {
            StateDictLoader.Load(model, checkpoint.StateDict, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes the model's weights with OpenAI's key names as safetensors, plus its config as metadata.</summary>
    public static void Save(ClipModel model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [ConfigMetadataKey] = model.Config.ToJson(),
            ["format"] = "pt",
        };
        using var scope = torch.NewDisposeScope();
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        Safetensors.Write(path, tensors, meta);
    }

    /// <summary>
    /// The config stored in a file's <see cref="ConfigMetadataKey"/> metadata, checked before anything is built: it
    /// must parse, describe a buildable model, and match the sizes the file's tensors give (so a corrupt or hostile
    /// config cannot make the loader allocate a model far larger than the file).
    /// </summary>
    /// <exception cref="CheckpointFormatException">Naming the file, the metadata key and what is wrong.</exception>
    public static ClipConfig ConfigFromMetadata(string path, string json, IReadOnlyDictionary<string, Tensor> stateDict, HeadCounts? heads = null)
    {
        ClipConfig config;
        try
        {
            config = (heads ?? HeadCounts.None).ApplyTo(ClipConfig.FromJson(json));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new CheckpointFormatException(path,
                $"metadata '{ConfigMetadataKey}' is not a valid model config: {CheckpointFiles.FirstLine(e.Message)}", e);
        }
        EnsureBuildable(path, config, $"metadata '{ConfigMetadataKey}': ");
        ClipConfig fromShapes;
        try { fromShapes = ConfigInference.InferShapes(Shapes(stateDict)); }
        catch (ArgumentException e) { throw new CheckpointFormatException(path, e.Message, e); }
        if (ConfigInference.Mismatches(config, fromShapes) is { Count: > 0 } mismatches)
            throw new CheckpointFormatException(path, $"metadata '{ConfigMetadataKey}' does not match the file's tensors: {string.Join("; ", mismatches)}");
        return config;
    }

    private static Dictionary<string, long[]> Shapes(IReadOnlyDictionary<string, Tensor> stateDict) =>
        stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    private static ClipConfig ConfigFor(string path, LoadedCheckpoint checkpoint, string? configName, HeadCounts heads)
    {
        ClipConfig config;
        if (configName is not null)
            config = heads.ApplyTo(ModelRegistry.Get(configName));
        else if (checkpoint.Metadata.TryGetValue(ConfigMetadataKey, out var json))
            return ConfigFromMetadata(path, json, checkpoint.StateDict, heads);
        else
        {
            try { config = ConfigInference.Infer(Shapes(checkpoint.StateDict), Path.GetFileNameWithoutExtension(path), heads); }
            catch (ArgumentException e) { throw new CheckpointFormatException(path, e.Message, e); }
        }
        EnsureBuildable(path, config, "");
        return config;
    }

    private static void EnsureBuildable(string path, ClipConfig config, string source)
    {
        try { config.EnsureBuildable(); }
        catch (ArgumentException e) { throw new CheckpointFormatException(path, source + e.Message, e); }
    }
}
