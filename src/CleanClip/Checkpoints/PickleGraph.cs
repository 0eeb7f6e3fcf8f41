using TorchSharp;

namespace CleanClip.Checkpoints;

/// <summary>
/// Turns the unpickler's working values into the public object graph: dicts whose keys are all strings become
/// Dictionary&lt;string, object?&gt;, other dicts (the optimizer's per-parameter state is keyed by int) stay
/// Dictionary&lt;object, object?&gt;; order and sharing are kept. Leftover markers (a storage or a global never
/// applied) mean the pickle is not a checkpoint we understand.
/// </summary>
internal static class PickleGraph
{
    private const int MaxDepth = 256;

    public static object? Finish(object? root)
    {
        var done = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        return Convert(root, done, 0);
    }

    /// <summary>Every distinct tensor reachable from a finished graph.</summary>
    public static HashSet<torch.Tensor> Tensors(object? root)
    {
        var found = new HashSet<torch.Tensor>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            if (value is torch.Tensor t) found.Add(t);
            if (value is null or string || !seen.Add(value)) continue;
            switch (value)
            {
                case System.Collections.IDictionary d:
                    foreach (var v in d.Values) pending.Push(v);
                    break;
                case object?[] a:
                    foreach (var v in a) pending.Push(v);
                    break;
                case List<object?> l:
                    foreach (var v in l) pending.Push(v);
                    break;
            }
        }
        return found;
    }

    private static object? Convert(object? value, Dictionary<object, object> done, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"pickle nests deeper than {MaxDepth} levels");
        switch (value)
        {
            case null or bool or long or double or string or byte[] or torch.Tensor:
                return value;
            case TorchDtype d:
                return d.Type;
        }
        if (done.TryGetValue(value, out var converted)) return converted;
        switch (value)
        {
            case object?[] tuple:
                done[tuple] = tuple;
                for (int i = 0; i < tuple.Length; i++) tuple[i] = Convert(tuple[i], done, depth + 1);
                return tuple;
            case List<object?> list:
                done[list] = list;
                for (int i = 0; i < list.Count; i++) list[i] = Convert(list[i], done, depth + 1);
                return list;
            case Dictionary<object, object?> dict when dict.Keys.All(k => k is string):
            {
                var result = new Dictionary<string, object?>(dict.Count);
                done[dict] = result;
                foreach (var (k, v) in dict) result[(string)k] = Convert(v, done, depth + 1);
                return result;
            }
            case Dictionary<object, object?> dict:
            {
                var result = new Dictionary<object, object?>(dict.Count);
                done[dict] = result;
                foreach (var (k, v) in dict) result[Convert(k, done, depth + 1)!] = Convert(v, done, depth + 1);
                return result;
            }
            default:
                throw new InvalidDataException(
                    $"pickle leaves a bare {TorchPickleHost.Describe(value)} in the data; not a checkpoint this reader understands");
        }
    }
}
