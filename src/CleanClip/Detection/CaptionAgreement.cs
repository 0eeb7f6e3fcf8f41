using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// <see cref="Detector.SameCaption"/>: how many of a point's nearest neighbours in its reference batch carry the same
/// caption as the point itself.
/// </summary>
public static class CaptionAgreement
{
    /// <summary>One id per caption, in order: equal ids for equal texts (ordinal comparison).</summary>
    public static int[] Ids(IEnumerable<string> captions)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        return captions.Select(c => ids.TryGetValue(c, out int id) ? id : ids[c] = ids.Count).ToArray();
    }

    /// <summary>
    /// [n]: for each point of the batch, the share of its <paramref name="k"/> nearest other points whose caption id
    /// equals its own.
    /// </summary>
    /// <param name="captionIds">[n] int64, one id per distinct caption text, in the batch's order.</param>
    public static Tensor Score(Neighbourhoods neighbourhoods, Tensor captionIds, int k)
    {
        if (k < 1 || k > neighbourhoods.MaxK) throw new ArgumentException($"k = {k}: the neighbourhoods hold 1 to {neighbourhoods.MaxK} neighbours");
        if (captionIds.shape.Length != 1 || captionIds.shape[0] != neighbourhoods.Count)
            throw new ArgumentException($"{neighbourhoods.Count} points need as many caption ids, got [{string.Join(", ", captionIds.shape)}]");
        using var scope = torch.NewDisposeScope();
        var ids = captionIds.to(ScalarType.Int64);
        var neighbours = neighbourhoods.Indices.narrow(1, 0, k);
        var same = ids.index_select(0, neighbours.reshape(-1)).reshape(neighbours.shape).eq(ids.unsqueeze(1));
        return same.to(ScalarType.Float32).mean([1]).MoveToOuterDisposeScope();
    }
}
