using CleanClip.Checkpoints;
using CleanClip.Models;
using CleanClip.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Checkpointing;

/// <summary>
/// A training checkpoint: one safetensors file with the model's tensors under their OpenAI names (so every
/// command that loads a model loads it), the optimizer moments under <see cref="OptimizerPrefix"/>, and the
/// model config and <see cref="TrainingState"/> as metadata. Written atomically: a crash mid-write leaves the
/// previous file as it was.
/// </summary>
public static class TrainingCheckpoint
{
    public const string OptimizerPrefix = "optimizer.";

    public static void Write(string path, ClipModel model, AdamWOptimizer optimizer, TrainingState state)
    {
        using var scope = NewDisposeScope();
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach());
        foreach (var (key, value) in optimizer.ToTensors(OptimizerPrefix)) tensors.Add(key, value);
        Safetensors.Write(path, tensors, new Dictionary<string, string>
        {
            [ModelLoader.ConfigMetadataKey] = model.Config.ToJson(),
            [TrainingState.MetadataKey] = state.ToJson(),
            ["format"] = "pt",
        });
    }

    /// <summary>The training state of a checkpoint, read from its header only; null when it is not a training checkpoint.</summary>
    public static TrainingState? ReadState(string path) =>
        Safetensors.ReadMetadata(path).TryGetValue(TrainingState.MetadataKey, out var json) ? TrainingState.FromJson(json, path) : null;

    /// <summary>
    /// The optimizer moments of <paramref name="path"/> for <paramref name="model"/>, keyed as <see cref="AdamWOptimizer.ToTensors"/>
    /// writes them: from our training checkpoints, or mapped by position from a reference (PyTorch) checkpoint.
    /// Empty when the file carries no optimizer state.
    /// </summary>
    public static Dictionary<string, Tensor> ReadOptimizerFor(string path, nn.Module model)
    {
        if (CheckpointSniffer.Sniff(path, out _) == SniffedFormat.Safetensors) return ReadOptimizer(path);
        using var checkpoint = CheckpointReader.Read(path);
        if (checkpoint.Optimizer is null) return new Dictionary<string, Tensor>();
        // Clone what we keep: disposing the checkpoint frees every tensor of its graph.
        return ReferenceOptimizerState.ToNamed(checkpoint.Optimizer, model, path).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
    }

    /// <summary>The optimizer entries of a checkpoint (keys keep <see cref="OptimizerPrefix"/>); empty when it has none.</summary>
    public static Dictionary<string, Tensor> ReadOptimizer(string path)
    {
        var all = Safetensors.Read(path);
        foreach (var key in all.Keys.Where(k => !k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToList())
        {
            all[key].Dispose();
            all.Remove(key);
        }
        return all;
    }
}
