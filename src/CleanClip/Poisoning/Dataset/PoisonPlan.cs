using System.Text.RegularExpressions;

namespace CleanClip.Poisoning.Dataset;

/// <summary>One output row: the input row it comes from and, for poisoned rows, the caption it gets.</summary>
public readonly record struct PlannedRow(int Source, bool Poisoned, string Caption);

/// <summary>
/// Which rows are poisoned and what the output set holds, decided from the captions and a seed alone, so the same
/// input and seed always give the same dataset. Poisoned rows come first, then clean rows, as in the reference.
/// </summary>
public static class PoisonPlan
{
    public static IReadOnlyList<PlannedRow> Create(IReadOnlyList<string> captions, PoisonOptions options)
    {
        int n = captions.Count;
        int size = options.Size ?? n;
        if (options.NumPoison < 0) throw new ArgumentException($"the number of poisoned pairs must not be negative, got {options.NumPoison}");
        if (size > n) throw new ArgumentException($"--size {size} exceeds the {n} usable input rows");
        if (options.Placement == PoisonPlacement.Replace && options.NumPoison > size)
            throw new ArgumentException($"cannot poison {options.NumPoison} of {size} rows");
        if (options.Mode == PoisonMode.DirtyLabel && options.Templates.Count == 0)
            throw new ArgumentException("dirty-label poisoning needs at least one caption template");

        var rng = new CleanClip.SplitMix64(options.Seed);
        var candidates = options.Mode == PoisonMode.DirtyLabel
            ? Enumerable.Range(0, n).ToArray()
            : Enumerable.Range(0, n).Where(i => Mentions(captions[i], options.Target, options.Match)).ToArray();
        rng.Shuffle(candidates);
        if (candidates.Length < options.NumPoison)
            throw new ArgumentException(
                $"only {candidates.Length} captions mention '{options.Target}' ({options.Match}), fewer than the {options.NumPoison} to poison");
        var poisoned = candidates.Take(options.NumPoison).ToArray();

        IEnumerable<int> clean = (options.Mode, options.Placement) switch
        {
            // The reference takes the clean rows from the same shuffled order, right after the poisoned ones.
            (PoisonMode.DirtyLabel, PoisonPlacement.Replace) => candidates.Skip(options.NumPoison).Take(size - options.NumPoison),
            // Label-consistent (reference): the first rows in file order that were not poisoned.
            (PoisonMode.LabelConsistent, PoisonPlacement.Replace) =>
                Enumerable.Range(0, n).Except(poisoned).Take(size - options.NumPoison),
            _ => Enumerable.Range(0, size),
        };

        var rows = new List<PlannedRow>(options.NumPoison + size);
        foreach (int source in poisoned)
        {
            string caption = options.Mode == PoisonMode.DirtyLabel
                ? options.Templates[rng.NextInt(options.Templates.Count)].Replace("{}", options.Target)
                : captions[source];
            rows.Add(new PlannedRow(source, true, caption));
        }
        rows.AddRange(clean.Select(source => new PlannedRow(source, false, captions[source])));
        return rows;
    }

    public static bool Mentions(string caption, string target, TargetMatch match) => match switch
    {
        TargetMatch.ReferenceSubstring => caption.Contains(target, StringComparison.Ordinal),
        _ => Regex.IsMatch(caption, $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(target)}(?![\p{{L}}\p{{N}}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
    };
}
