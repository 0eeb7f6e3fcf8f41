using CleanClip.Checkpoints;
using CleanClip.Models;
using CleanClip.Training.Checkpointing;
using CleanClip.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>
/// A supervised finetuning checkpoint: one safetensors file (written atomically) with the CLIP model's tensors under
/// their OpenAI names, the head under <c>head.*</c>, the AdamW moments under <c>optimizer.*</c>, and the model config
/// and <see cref="SupervisedState"/> as metadata. The run's exported <c>model.safetensors</c> is what other commands load;
/// these files are for <c>--resume</c>.
/// </summary>
public static class SupervisedCheckpoint
{
    public static void Write(string path, SupervisedClassifier classifier, AdamWOptimizer optimizer, SupervisedState state)
    {
        using var scope = NewDisposeScope();
        var tensors = classifier.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach());
        tensors.Add(SupervisedHead.WeightKey, classifier.Head.weight!.detach());
        tensors.Add(SupervisedHead.BiasKey, classifier.Head.bias!.detach());
        foreach (var (key, value) in optimizer.ToTensors(TrainingCheckpoint.OptimizerPrefix)) tensors.Add(key, value);
        Safetensors.Write(path, tensors, new Dictionary<string, string>
        {
            [ModelLoader.ConfigMetadataKey] = classifier.Model.Config.ToJson(),
            [SupervisedState.MetadataKey] = state.ToJson(),
            ["format"] = "pt",
        });
    }

    /// <summary>The state of a checkpoint, from its header only; null when the file is not a supervised checkpoint.</summary>
    public static SupervisedState? ReadState(string path) =>
        Safetensors.ReadMetadata(path).TryGetValue(SupervisedState.MetadataKey, out var json) ? SupervisedState.FromJson(json, path) : null;

    /// <summary>The classifier (CLIP weights, BatchNorm statistics and head) stored in a checkpoint, in train mode.</summary>
    public static SupervisedClassifier ReadClassifier(string path, Device? device = null)
    {
        var state = ReadState(path) ?? throw new InvalidDataException($"{path}: not a supervised finetuning checkpoint (no '{SupervisedState.MetadataKey}' metadata)");
        var metadata = Safetensors.ReadMetadata(path);
        if (!metadata.TryGetValue(ModelLoader.ConfigMetadataKey, out var config))
            throw new InvalidDataException($"{path}: no '{ModelLoader.ConfigMetadataKey}' metadata");
        var tensors = Safetensors.Read(path);
        try
        {
            if (!tensors.TryGetValue(SupervisedHead.WeightKey, out var weight) || !tensors.TryGetValue(SupervisedHead.BiasKey, out var bias))
                throw new InvalidDataException($"{path}: no '{SupervisedHead.WeightKey}'/'{SupervisedHead.BiasKey}' tensors");
            var clipTensors = tensors.Where(kv => !kv.Key.StartsWith(SupervisedHead.Prefix, StringComparison.Ordinal)
                                                  && !kv.Key.StartsWith(TrainingCheckpoint.OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            var model = new ClipModel(ModelLoader.ConfigFromMetadata(path, config, clipTensors));
            try
            {
                StateDictLoader.Load(model, clipTensors, path);
                if (device is not null) model.to(device);
                var classifier = new SupervisedClassifier(model, state.ClassNames, weight, bias);
                classifier.train();
                return classifier;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Writes the checkpoint of <paramref name="state"/>'s step, then deletes step files beyond the newest <paramref name="keep"/>.</summary>
    public static string Save(CheckpointFolder folder, int keep, SupervisedClassifier classifier, AdamWOptimizer optimizer, SupervisedState state)
    {
        Directory.CreateDirectory(folder.Path);
        var file = folder.PathFor(state.Step);
        Write(file, classifier, optimizer, state);
        foreach (var (_, old) in folder.StepFiles().Skip(keep)) File.Delete(old);
        return file;
    }
}
