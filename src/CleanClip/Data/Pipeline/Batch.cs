using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// One collated batch, owned by the consumer: its tensors belong to no dispose scope, so dispose the batch
/// (or move its tensors into a scope) once the step that used it is done.
/// </summary>
public sealed class Batch : IDisposable
{
    private readonly IReadOnlyDictionary<string, Tensor> _tensors;

    public int Epoch { get; }

    /// <summary>Position in the epoch (0-based); a batch whose items were all skipped is never delivered, so numbers can jump.</summary>
    public int Number { get; }

    /// <summary>Dataset indices of the items in the batch, in the order of the tensors' first dimension.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Items of this batch's slice that were skipped; <see cref="Indices"/> is shorter by this many.</summary>
    public IReadOnlyList<SkippedItem> Skipped { get; }

    public int Count => Indices.Count;

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <exception cref="KeyNotFoundException">The collate function produced no tensor of that name.</exception>
    public Tensor this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"batch has no tensor '{name}'; it has: {string.Join(", ", _tensors.Keys)}");

    internal Batch(int epoch, int number, IReadOnlyList<int> indices, IReadOnlyList<SkippedItem> skipped, IReadOnlyDictionary<string, Tensor> tensors)
    {
        Epoch = epoch;
        Number = number;
        Indices = indices;
        Skipped = skipped;
        _tensors = tensors;
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values) tensor.Dispose();
    }
}
