using CleanClip.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Tests.Data.Pipeline;

/// <summary>Fake load and collate functions: an item is (index, seed), a batch is those as int64 tensors.</summary>
internal static class FakeItems
{
    public static ItemLoader<(int Index, ulong Seed)> Load(Action<int>? onLoad = null) => (index, seed) =>
    {
        onLoad?.Invoke(index);
        return (index, seed);
    };

    public static IReadOnlyDictionary<string, Tensor> Collate(IReadOnlyList<(int Index, ulong Seed)> items, IReadOnlyList<int> indices) =>
        new Dictionary<string, Tensor>
        {
            ["index"] = tensor(items.Select(i => (long)i.Index).ToArray()),
            ["seed"] = tensor(items.Select(i => unchecked((long)i.Seed)).ToArray()),
        };

    public static BatchPipeline<(int Index, ulong Seed)> Pipeline(int count, PipelineOptions options, Action<int>? onLoad = null) =>
        new(count, Load(onLoad), Collate, options);

    /// <summary>Each delivered batch as (number, indices, index tensor values, seed tensor values), disposing it.</summary>
    public static List<(int Number, int[] Indices, long[] IndexValues, long[] Seeds)> ReadAll(EpochBatches epoch)
    {
        var result = new List<(int, int[], long[], long[])>();
        foreach (var batch in epoch)
            using (batch)
                result.Add((batch.Number, batch.Indices.ToArray(), batch["index"].data<long>().ToArray(), batch["seed"].data<long>().ToArray()));
        return result;
    }
}
