using TorchSharp;

namespace CleanClip.Checkpoints;

/// <summary>
/// Finds the state dict inside an unpickled checkpoint: CleanCLIP and OpenCLIP save
/// {"epoch", "name", "state_dict", "optimizer"} (OpenCLIP's epoch_N.pt adds "scaler", its AMP loss scale, when it trains
/// with AMP; other entries besides these are read and then dropped with the tensors they hold); HF and plain
/// torch.save(model.state_dict()) save the state dict itself. DDP's "module." prefix is dropped by
/// <see cref="CheckpointReader"/>.
/// </summary>
internal static class CheckpointUnwrapper
{
    public static LoadedCheckpoint Unwrap(string path, object? graph)
    {
        try
        {
            var result = UnwrapGraph(path, graph);
            var kept = PickleGraph.Tensors(result.Optimizer);
            kept.UnionWith(result.StateDict.Values);
            foreach (var t in PickleGraph.Tensors(graph).Where(t => !kept.Contains(t))) t.Dispose();
            return result;
        }
        catch
        {
            foreach (var t in PickleGraph.Tensors(graph)) t.Dispose();
            throw;
        }
    }

    private static LoadedCheckpoint UnwrapGraph(string path, object? graph)
    {
        if (graph is Dictionary<string, object?> top)
        {
            if (top.TryGetValue("state_dict", out var inner))
                return new LoadedCheckpoint(TensorsOf(path, inner, "'state_dict'"), CheckpointFormat.PyTorchZip,
                    Epoch(path, top.GetValueOrDefault("epoch")), top.GetValueOrDefault("name") as string,
                    top.GetValueOrDefault("optimizer"), new Dictionary<string, long>());
            if (top.Values.All(v => v is torch.Tensor))
                return new LoadedCheckpoint(TensorsOf(path, top, "the file"), CheckpointFormat.PyTorchZip, null, null, null,
                    new Dictionary<string, long>());
            var keys = string.Join(", ", top.Keys.Take(10).Select(k => $"'{k}'")) + (top.Count > 10 ? ", ..." : "");
            throw new CheckpointFormatException(path,
                $"holds a dict with keys [{keys}] that is neither a state dict (only tensors) nor a checkpoint with a " +
                "'state_dict' entry");
        }
        if (graph is torch.Tensor t)
            throw new CheckpointFormatException(path,
                $"holds a single tensor of shape [{string.Join(", ", t.shape)}], not a state dict; PickleCheckpoint.Load returns it");
        throw new CheckpointFormatException(path, $"holds a {TorchPickleHost.Describe(graph)}, not a state dict");
    }

    private static Dictionary<string, torch.Tensor> TensorsOf(string path, object? value, string where)
    {
        if (value is not Dictionary<string, object?> dict)
            throw new CheckpointFormatException(path,
                $"{where} is a {TorchPickleHost.Describe(value)}, not a dict of tensors with string keys");
        var result = new Dictionary<string, torch.Tensor>(dict.Count);
        foreach (var (key, v) in dict)
            result[key] = v as torch.Tensor ?? throw new CheckpointFormatException(path,
                $"{where}: entry '{key}' is a {TorchPickleHost.Describe(v)}, not a tensor");
        return result;
    }

    private static int? Epoch(string path, object? value) => value switch
    {
        null => null,
        long e when e is >= int.MinValue and <= int.MaxValue => (int)e,
        _ => throw new CheckpointFormatException(path, $"'epoch' is {TorchPickleHost.Describe(value)} {value}, not an int"),
    };
}
