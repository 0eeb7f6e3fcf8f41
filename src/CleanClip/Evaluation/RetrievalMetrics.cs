using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// Retrieval scores on unit embeddings (cosine = dot product). Recall@k: the share of queries with a ground truth
/// among their k best-scoring candidates. A ground truth's rank is the number of non-ground-truth candidates scoring
/// strictly higher than the query's best ground truth, so ties are resolved in the ground truth's favour and no
/// result depends on the order of equal scores; a query is a hit at k when that rank is below k.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>
    /// Text→image recall: caption t's one ground truth is image <c>captionImage[t]</c>.
    /// </summary>
    /// <param name="images">[I, D] unit image embeddings.</param>
    /// <param name="captions">[T, D] unit caption embeddings.</param>
    /// <param name="captionImage">For each caption, the row of its image in <paramref name="images"/>.</param>
    public static IReadOnlyDictionary<int, double> TextToImage(Tensor images, Tensor captions, IReadOnlyList<int> captionImage, IReadOnlyList<int> ks)
    {
        Check(images, captions, captionImage);
        using var scope = NewDisposeScope();
        var scores = torch.matmul(captions, images.t()); // [T, I]
        var truth = torch.tensor(captionImage.Select(i => (long)i).ToArray()).unsqueeze(1);
        var best = scores.gather(1, truth); // [T, 1]
        var ranks = scores.gt(best).sum(1).data<long>().ToArray();
        return Recalls(ranks, ks);
    }

    /// <summary>
    /// Image→text recall: image i's ground truths are every caption t with <c>captionImage[t] == i</c> (all captions of
    /// the rows with that image). Images without a caption are not queries.
    /// </summary>
    public static IReadOnlyDictionary<int, double> ImageToText(Tensor images, Tensor captions, IReadOnlyList<int> captionImage, IReadOnlyList<int> ks)
    {
        Check(images, captions, captionImage);
        using var scope = NewDisposeScope();
        int imageCount = (int)images.shape[0];
        var scores = torch.matmul(images, captions.t()); // [I, T]
        var owner = torch.tensor(captionImage.Select(i => (long)i).ToArray());
        var isTruth = owner.unsqueeze(0).eq(torch.arange(imageCount).unsqueeze(1)); // [I, T]
        var best = scores.masked_fill(isTruth.logical_not(), double.NegativeInfinity).max(1).values.unsqueeze(1);
        var ranks = scores.gt(best).logical_and(isTruth.logical_not()).sum(1).data<long>().ToArray();
        var queried = isTruth.any(1).data<bool>().ToArray();
        return Recalls(ranks.Where((_, i) => queried[i]).ToArray(), ks);
    }

    /// <summary>
    /// Retrieval ASR: for each query, the share of its top-k gallery items (k capped at the gallery size) that are
    /// triggered, averaged over queries. Ties at the k-th place are broken by <c>topk</c>, which the tests avoid.
    /// </summary>
    /// <param name="queries">[Q, D] unit embeddings of the target-class captions.</param>
    /// <param name="gallery">[G, D] unit image embeddings.</param>
    /// <param name="triggered">Whether each gallery image carries the trigger.</param>
    public static double AttackSuccessRate(Tensor queries, Tensor gallery, IReadOnlyList<bool> triggered, int k = 10)
    {
        if (gallery.shape[0] != triggered.Count)
            throw new ArgumentException($"{gallery.shape[0]} gallery images but {triggered.Count} triggered flags");
        if (queries.shape[0] == 0) throw new ArgumentException("retrieval ASR needs at least one target-class caption", nameof(queries));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), $"k must be positive, got {k}");
        using var scope = NewDisposeScope();
        int top = (int)Math.Min(k, gallery.shape[0]);
        var (_, indices) = torch.matmul(queries, gallery.t()).topk(top, dim: 1);
        var ids = indices.data<long>().ToArray();
        return ids.Count(i => triggered[(int)i]) / (double)ids.Length;
    }

    /// <summary>Whether <paramref name="caption"/> contains <paramref name="word"/> as a whole word (or phrase), ignoring case.</summary>
    public static bool Mentions(string caption, string word) =>
        Regex.IsMatch(caption, $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(word.Trim())}(?![\p{{L}}\p{{N}}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Dictionary<int, double> Recalls(long[] ranks, IReadOnlyList<int> ks)
    {
        if (ranks.Length == 0) throw new ArgumentException("recall over no queries is undefined");
        return ks.ToDictionary(k => k, k => ranks.Count(r => r < k) / (double)ranks.Length);
    }

    private static void Check(Tensor images, Tensor captions, IReadOnlyList<int> captionImage)
    {
        if (captions.shape[0] != captionImage.Count)
            throw new ArgumentException($"{captions.shape[0]} caption embeddings but {captionImage.Count} caption→image links");
        if (captionImage.Any(i => i < 0 || i >= images.shape[0]))
            throw new ArgumentException($"a caption links to an image outside [0, {images.shape[0]})");
    }
}
