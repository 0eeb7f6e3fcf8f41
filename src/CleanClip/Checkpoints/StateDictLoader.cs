using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Checkpoints;

/// <summary>
/// Copies a state dict into a module after checking every key first, so a checkpoint that does not fit is reported
/// whole (missing, unexpected and mis-shaped keys in one message) and the module is left untouched. Weights holding
/// NaN or infinities are refused the same way, by name: no model computes anything meaningful with them.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Keys a checkpoint may lack: BatchNorm's step counter has no effect on eval or on momentum updates.</summary>
    private static bool Optional(string key) => key.EndsWith("num_batches_tracked", StringComparison.Ordinal);

    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string? filePath = null)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k) && !Optional(k)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var misShaped = target.Where(kv => source.TryGetValue(kv.Key, out var s) && !s.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} (model {Shape(kv.Value)}, file {Shape(source[kv.Key])})").ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
            throw new CheckpointFormatException(filePath,
                "the checkpoint does not fit the model: " + string.Join("; ", new[]
                {
                    List("missing keys", missing), List("unexpected keys", unexpected), List("mis-shaped keys", misShaped),
                }.Where(s => s.Length > 0)));

        var nonFinite = target.Keys.Where(k => source.TryGetValue(k, out var s) && !AllFinite(s)).ToList();
        if (nonFinite.Count > 0)
            throw new CheckpointFormatException(filePath,
                $"refusing weights that are not finite: {List("tensor(s) holding NaN or infinite values", nonFinite)} " +
                "(a corrupt file, or a checkpoint of a run that diverged)");

        using var _ = torch.no_grad();
        foreach (var (key, tensor) in target)
            if (source.TryGetValue(key, out var value))
                tensor.copy_(value);
    }

    private static bool AllFinite(Tensor t)
    {
        if (!t.is_floating_point()) return true;
        using var finite = t.isfinite();
        using var all = finite.all();
        return all.item<bool>();
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    private static string List(string what, List<string> keys) =>
        keys.Count == 0 ? ""
        : $"{keys.Count} {what}: {string.Join(", ", keys.Take(12))}{(keys.Count > 12 ? $", … ({keys.Count - 12} more)" : "")}";
}
