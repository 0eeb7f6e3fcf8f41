namespace CleanClip.Detection;

/// <summary>How well scores separate known poisoned rows from clean ones.</summary>
/// <param name="PrecisionAtCount">Poisoned share of the <see cref="Poisoned"/> highest-scored rows.</param>
/// <param name="RecallAtCount">Share of poisoned rows among those same rows; flagging exactly as many rows as are
/// poisoned makes it equal to the precision.</param>
/// <param name="PoisonedRows">The poisoned rows, ascending.</param>
/// <param name="PoisonedRanks">1-based rank of each of <paramref name="PoisonedRows"/> by descending score (1 = most suspect).</param>
public sealed record ScanMetrics(int Rows, int Poisoned, double Auroc, double AveragePrecision, double PrecisionAtCount,
    double RecallAtCount, IReadOnlyList<int> PoisonedRows, IReadOnlyList<int> PoisonedRanks);

/// <summary>AUROC, average precision and the counts at the true poison rate, from scores and ground truth.</summary>
public static class DetectionMetrics
{
    /// <summary>The metrics of <paramref name="scores"/>, or null when the rows are all poisoned or all clean.</summary>
    public static ScanMetrics? Compute(IReadOnlyList<float> scores, IReadOnlyList<bool> poisoned)
    {
        if (scores.Count != poisoned.Count) throw new ArgumentException($"{scores.Count} scores for {poisoned.Count} ground-truth flags");
        int positives = poisoned.Count(p => p);
        if (positives == 0 || positives == poisoned.Count) return null;
        var order = Ranking.Descending(scores);
        var rankOf = new int[order.Length];
        for (int i = 0; i < order.Length; i++) rankOf[order[i]] = i + 1;
        var rows = Enumerable.Range(0, poisoned.Count).Where(i => poisoned[i]).ToList();
        double hits = order.Take(positives).Count(i => poisoned[i]);
        return new ScanMetrics(scores.Count, positives, Auroc(scores, poisoned), AveragePrecision(scores, poisoned),
            hits / positives, hits / positives, rows, rows.Select(i => rankOf[i]).ToList());
    }

    /// <summary>
    /// The ROC curve as (false-positive rate, true-positive rate) corners, from (0, 0) to (1, 1): one corner per distinct
    /// score from the highest down, tied rows entering together (a diagonal segment, as the tie-as-one-half AUROC counts
    /// them). Needs at least one poisoned and one clean row.
    /// </summary>
    public static IReadOnlyList<(double FalsePositiveRate, double TruePositiveRate)> RocCurve(IReadOnlyList<float> scores, IReadOnlyList<bool> poisoned)
    {
        if (scores.Count != poisoned.Count) throw new ArgumentException($"{scores.Count} scores for {poisoned.Count} ground-truth flags");
        double positives = poisoned.Count(p => p), negatives = poisoned.Count - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("a ROC curve needs both poisoned and clean rows");
        var order = Ranking.Descending(scores);
        var corners = new List<(double, double)> { (0, 0) };
        double truePositives = 0, falsePositives = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end < order.Length && scores[order[end]].CompareTo(scores[order[start]]) == 0)
            {
                if (poisoned[order[end]]) truePositives++; else falsePositives++;
                end++;
            }
            corners.Add((falsePositives / negatives, truePositives / positives));
            start = end;
        }
        return corners;
    }

    /// <summary>
    /// Area under the ROC curve: the chance that a random poisoned row scores above a random clean one, a tie counting
    /// one half (the Mann–Whitney statistic from tie-averaged ranks).
    /// </summary>
    public static double Auroc(IReadOnlyList<float> scores, IReadOnlyList<bool> poisoned)
    {
        var ranks = Ranking.AverageRanks(scores);
        double positives = 0, rankSum = 0;
        for (int i = 0; i < ranks.Length; i++)
            if (poisoned[i]) { positives++; rankSum += ranks[i]; }
        double negatives = ranks.Length - positives;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    /// <summary>
    /// Average precision, the area under the precision–recall curve as a step sum: over each distinct score
    /// threshold from the top, the recall it adds times the precision at it. Tied rows enter together, so their
    /// order never matters.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<float> scores, IReadOnlyList<bool> poisoned)
    {
        var order = Ranking.Descending(scores);
        int positives = poisoned.Count(p => p);
        double sum = 0, truePositives = 0, previousRecall = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end < order.Length && scores[order[end]].CompareTo(scores[order[start]]) == 0)
            {
                if (poisoned[order[end]]) truePositives++;
                end++;
            }
            double recall = truePositives / positives, precision = truePositives / end;
            sum += (recall - previousRecall) * precision;
            previousRecall = recall;
            start = end;
        }
        return sum;
    }
}
