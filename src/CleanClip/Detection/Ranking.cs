namespace CleanClip.Detection;

/// <summary>Ranks of scores, for the ground-truth metrics and the order of scores.csv.</summary>
public static class Ranking
{
    /// <summary>1-based ascending ranks; tied scores all get the mean of the ranks they span.</summary>
    public static double[] AverageRanks(IReadOnlyList<float> scores)
    {
        int n = scores.Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => scores[a].CompareTo(scores[b]));
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]].CompareTo(scores[order[start]]) == 0) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) ranks[order[i]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Row indices from the highest score to the lowest; equal scores keep row order, so the order is the same on
    /// every run.
    /// </summary>
    public static int[] Descending(IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, scores.Count).ToArray();
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }
}
