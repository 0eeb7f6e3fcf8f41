using System.Globalization;

namespace CleanClip.Training;

/// <summary>
/// What <c>--resume</c> does with options given again: a run continues as it was configured, so an option that would
/// change its result (learning rate, data, method, ...) is refused, naming the option and the run's value; options
/// that only change how it runs (<see cref="Changeable"/>) are applied, with a note when they differ.
/// </summary>
public static class ResumeCheck
{
    /// <summary>Settings a resumed run may take from the new invocation: threads, when to stop, checkpoint and log bookkeeping.</summary>
    public static readonly IReadOnlySet<string> Changeable = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(TrainingOptions.DecodeThreads), nameof(TrainingOptions.StopAfterSteps), nameof(TrainingOptions.SaveEverySteps),
        nameof(TrainingOptions.KeepCheckpoints), nameof(TrainingOptions.LogEverySteps), nameof(TrainingOptions.TensorBoard),
        nameof(TrainingOptions.EvalEveryEpochs),
    };

    /// <summary>
    /// Compares each given option (property name → CLI option) that <paramref name="stored"/> and
    /// <paramref name="requested"/> both have; paths count as equal when they name the same file, shard patterns when
    /// they name the same shards in the same order.
    /// </summary>
    public static void Compare(object stored, object requested, IReadOnlyDictionary<string, string> given, List<string> conflicts, List<string> notes)
    {
        foreach (var (property, option) in given)
        {
            var had = stored.GetType().GetProperty(property);
            var want = requested.GetType().GetProperty(property);
            if (had is null || want is null) continue;
            object? before = had.GetValue(stored), after = want.GetValue(requested);
            if (Same(before, after)) continue;
            if (Changeable.Contains(property)) notes.Add($"{option} {Show(after)} applies to the resumed run (it ran with {Show(before)})");
            else conflicts.Add($"{option} {Show(after)} (the run has {Show(before)})");
        }
    }

    /// <summary>Refuses the resume when an option would change the run, naming each one.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> conflicts, string runDirectory)
    {
        if (conflicts.Count > 0)
            throw new ArgumentException($"--resume {runDirectory} continues the run as it was configured; drop the changed options " +
                $"or start a new run with --out: {string.Join("; ", conflicts)}");
    }

    /// <summary>
    /// The settings of a resumed run: the stored ones, with this invocation's threads and stop point and any other
    /// <see cref="Changeable"/> option it gave.
    /// </summary>
    public static TrainingOptions Merge(TrainingOptions stored, TrainingOptions requested, IReadOnlyDictionary<string, string> given)
    {
        var merged = stored with { DecodeThreads = requested.DecodeThreads, StopAfterSteps = requested.StopAfterSteps };
        foreach (var property in given.Keys.Where(Changeable.Contains))
        {
            var info = typeof(TrainingOptions).GetProperty(property)!;
            info.SetValue(merged, info.GetValue(requested));
        }
        return merged;
    }

    private static bool Same(object? a, object? b) =>
        Equals(a, b) || (a is string x && b is string y
                         && ((File.Exists(y) || Directory.Exists(y)) && Path.GetFullPath(x) == Path.GetFullPath(y) || CleanClip.Data.ShardPattern.SameShards(x, y)));

    private static string Show(object? value) => value switch
    {
        null => "(none)",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        bool b => b ? "on" : "off",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
