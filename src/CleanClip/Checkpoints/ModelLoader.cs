using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Checkpoints;

/// <summary>
/// The one place a model comes from: a registry name (fresh weights, OpenAI init, seeded) or a checkpoint file in
/// any supported format, with the architecture read from our metadata, from <paramref name="configName"/>, or
/// inferred from the tensor shapes the way OpenAI's <c>build_model</c> does.
/// </summary>
public static class ModelLoader
{
    /// <summary>Safetensors metadata key under which CleanClip stores the model config as JSON.</summary>
    public const string ConfigMetadataKey = "cleanclip.config";

    public static ClipModel Load(string nameOrPath, string? configName = null, long seed = 0, Device? device = null,
        CheckpointReadOptions? read = null)
    {
        ClipModel model;
        if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath))
            model = FromFile(nameOrPath, configName, read);
        else if (ModelRegistry.TryGet(nameOrPath, out var config))
        {
            torch.manual_seed(seed);
            model = new ClipModel(config);
        }
        else
            throw new ArgumentException(
                $"'{nameOrPath}' is neither a checkpoint file nor a known model ({string.Join(", ", ModelRegistry.Names)})");
        return device is null ? model : model.to(device);
    }

    public static ClipModel FromFile(string path, string? configName = null, CheckpointReadOptions? read = null)
    {
        using var checkpoint = CheckpointReader.Read(path, read);
        var model = new ClipModel(ConfigFor(path, checkpoint, configName));
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

    private static ClipConfig ConfigFor(string path, LoadedCheckpoint checkpoint, string? configName)
    {
        var shapes = checkpoint.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        ClipConfig config;
        if (configName is not null)
            config = ModelRegistry.Get(configName);
        else if (checkpoint.Metadata.TryGetValue(ConfigMetadataKey, out var json))
            config = ClipConfig.FromJson(json);
        else
        {
            try { config = ConfigInference.Infer(shapes, Path.GetFileNameWithoutExtension(path)); }
            catch (ArgumentException e) { throw new CheckpointFormatException(path, e.Message, e); }
        }
        return config;
    }
}
