namespace CleanClip.Evaluation;

/// <summary>
/// Backdoor metrics from true labels and ranked predictions on triggered images (per image, class indices best
/// first). Images whose true class is the target are left out of both: a triggered banana classified as banana says
/// nothing about the backdoor. The reference never computes a zero-shot ASR (docs/reference-behaviour.md §14, defect 1:
/// its "ASR" is accuracy on triggered images) and keeps target-class images in its linear-probe denominator (defect 2).
/// </summary>
public static class BackdoorMetrics
{
    /// <summary>The ASR denominator: images whose true class is not <paramref name="target"/>.</summary>
    public static int NonTargetCount(IReadOnlyList<int> labels, int target) => labels.Count(l => l != target);

    /// <summary>
    /// ASR@k = |{i : yᵢ ≠ t, t ∈ topk(xᵢ ⊕ trigger)}| / |{i : yᵢ ≠ t}|.
    /// </summary>
    /// <exception cref="ArgumentException">Mismatched lengths, too few ranked classes, or every image is of the target class.</exception>
    public static double AttackSuccessRate(IReadOnlyList<int> labels, IReadOnlyList<int[]> triggeredRanked, int target, int k)
    {
        ZeroShotMetrics.CheckShapes(labels, triggeredRanked, k);
        int denominator = 0, hits = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] == target) continue;
            denominator++;
            if (ZeroShotMetrics.InTopK(triggeredRanked[i], target, k)) hits++;
        }
        if (denominator == 0) throw new ArgumentException($"every image is of the target class {target}: attack success rate is undefined");
        return (double)hits / denominator;
    }

    /// <summary>ASR@k for each k of <paramref name="ks"/> not above the class count.</summary>
    public static Dictionary<int, double> AttackSuccessRates(IReadOnlyList<int> labels, IReadOnlyList<int[]> triggeredRanked, int target,
        int classCount, IEnumerable<int>? ks = null) =>
        (ks ?? ZeroShotMetrics.Ks).Where(k => k <= classCount).ToDictionary(k => k, k => AttackSuccessRate(labels, triggeredRanked, target, k));

    /// <summary>Robust accuracy: top-1 accuracy against the true labels on triggered images of non-target classes.</summary>
    public static double RobustAccuracy(IReadOnlyList<int> labels, IReadOnlyList<int[]> triggeredRanked, int target)
    {
        ZeroShotMetrics.CheckShapes(labels, triggeredRanked, 1);
        int denominator = 0, hits = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] == target) continue;
            denominator++;
            if (triggeredRanked[i][0] == labels[i]) hits++;
        }
        if (denominator == 0) throw new ArgumentException($"every image is of the target class {target}: robust accuracy is undefined");
        return (double)hits / denominator;
    }

    /// <summary>
    /// BackdoorBench's defense-effectiveness rating of going from <c>before</c> to <c>after</c>:
    /// DER = [max(0, ASR_before − ASR_after) − max(0, CA_before − CA_after) + 1] / 2, all fractions in [0, 1].
    /// 1 = the attack is gone at no cost in accuracy, 0.5 = nothing changed, 0 = the accuracy is gone and the attack not.
    /// </summary>
    public static double DefenseEffectivenessRating(double caBefore, double asrBefore, double caAfter, double asrAfter)
    {
        foreach (var (name, value) in new[] { ("CA before", caBefore), ("ASR before", asrBefore), ("CA after", caAfter), ("ASR after", asrAfter) })
            if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, $"{name} must be a fraction in [0, 1], got {value}");
        return (Math.Max(0, asrBefore - asrAfter) - Math.Max(0, caBefore - caAfter) + 1) / 2;
    }
}
