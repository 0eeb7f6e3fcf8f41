using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CleanClip.Evaluation;
using CleanClip.Training;

namespace CleanClip.Demo;

/// <summary>One seed's demo inside a <c>demo --seeds</c> run.</summary>
public sealed record DemoSeedRun(ulong Seed, string Output, string ResultsJson, IReadOnlyList<DemoRow> Rows, double Seconds);

/// <summary>Mean, smallest and largest value of a metric over the seeds that have it.</summary>
public sealed record MetricSpread(double Mean, double Min, double Max, int Seeds)
{
    public static MetricSpread? Of(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : new MetricSpread(present.Average(), present.Min(), present.Max(), present.Count);
    }
}

/// <summary>One model's numbers over the seeds: CA@1, ASR@1, ASR@5 and the linear probe's ASR.</summary>
public sealed record DemoSeedSummary(string Stage, MetricSpread? CleanAccuracy, MetricSpread? AttackSuccessRate,
    MetricSpread? AttackSuccessRate5, MetricSpread? LinearProbeAttackSuccessRate);

public sealed record DemoSeedsResult(string Output, IReadOnlyList<DemoSeedRun> Runs, IReadOnlyList<DemoSeedSummary> Summary,
    string Json, string Table, TimeSpan Elapsed);

/// <summary>
/// <c>cleanclip demo --seeds 1,2,3</c>: the demo once per seed, each in its own demo folder <c>seed-N</c> inside the
/// output folder (itself a demo's folder), then <see cref="TableName"/> (one row per seed and model, and the mean and
/// range of each metric over the seeds) with <see cref="JsonName"/> beside it; both are rewritten after every seed, so
/// an interrupted run keeps the seeds it finished.
/// </summary>
public static class DemoSeeds
{
    public const string JsonName = "seeds.json";
    public const string TableName = "seeds.md";
    public const string Format = "cleanclip-demo-seeds/1";

    public static string SeedFolder(ulong seed) => string.Create(CultureInfo.InvariantCulture, $"seed-{seed}");

    /// <summary>A comma-separated list of distinct seeds, e.g. <c>1,2,3</c>.</summary>
    /// <exception cref="ArgumentException">Empty, not numbers, or repeated.</exception>
    public static IReadOnlyList<ulong> Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var seeds = new List<ulong>();
        foreach (var part in parts)
        {
            if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                throw new ArgumentException($"--seeds '{text}': '{part}' is not a seed (expected non-negative integers separated by commas, e.g. 1,2,3)");
            if (seeds.Contains(seed)) throw new ArgumentException($"--seeds '{text}': seed {seed} is listed twice");
            seeds.Add(seed);
        }
        return seeds.Count > 0 ? seeds : throw new ArgumentException($"--seeds '{text}': no seed (expected e.g. 1,2,3)");
    }

    public static DemoSeedsResult Run(DemoOptions options, IReadOnlyList<ulong> seeds, IDemoUi ui, CancellationToken cancellation = default)
    {
        if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count) throw new ArgumentException("--seeds: give one or more distinct seeds");
        var clock = Stopwatch.StartNew();
        // The data folder is found once, before anything is written, and every seed reads the same one.
        if (options.WorldKind == DemoWorldKind.Real) options = options with { Real = options.Real with { Data = DemoData.Find(options.Real.Data) } };
        var output = Path.GetFullPath(options.Output);
        DemoJob.CheckTrigger(options);
        DemoJob.Claim(output, options.WorldKind == DemoWorldKind.Real ? options.Real.Data : null);
        var runs = new List<DemoSeedRun>();
        string json = Path.Combine(output, JsonName), table = Path.Combine(output, TableName);
        foreach (var seed in seeds)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = DemoJob.Run(options with { Output = Path.Combine(output, SeedFolder(seed)), Seed = seed },
                new SeedUi(ui, string.Create(CultureInfo.InvariantCulture, $"seed {seed} · ")), cancellation);
            runs.Add(new DemoSeedRun(seed, result.Output, result.ResultsJson, result.Rows, result.Elapsed.TotalSeconds));
            Write(options, runs, json, table, clock.Elapsed);
        }
        return new DemoSeedsResult(output, runs, Summarize(runs), json, table, clock.Elapsed);
    }

    /// <summary>
    /// Summarises demos that ran elsewhere, one finished demo folder per seed (the points of a sweep, say): reads each
    /// folder's results.json and writes <see cref="TableName"/> and <see cref="JsonName"/> into <paramref name="output"/>.
    /// The total time is the sum of the demos' own times (they may have run side by side).
    /// </summary>
    public static DemoSeedsResult Collect(DemoOptions options, IReadOnlyList<(ulong Seed, string Folder)> demos, string output)
    {
        var runs = demos.Select(d => ReadRun(d.Seed, d.Folder)).ToList();
        var elapsed = TimeSpan.FromSeconds(runs.Sum(r => r.Seconds));
        string json = Path.Combine(output, JsonName), table = Path.Combine(output, TableName);
        Write(options, runs, json, table, elapsed);
        return new DemoSeedsResult(output, runs, Summarize(runs), json, table, elapsed);
    }

    private static DemoSeedRun ReadRun(ulong seed, string folder)
    {
        var path = Path.Combine(folder, DemoJob.ResultsFileName);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var rows = document.RootElement.GetProperty("rows").Deserialize<List<DemoRow>>(EvalResults.Json)
                ?? throw new InvalidDataException($"{path}: 'rows' is null");
            return new DemoSeedRun(seed, folder, path, rows, document.RootElement.GetProperty("total_seconds").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a demo's results ({e.Message})", e);
        }
    }

    /// <summary>Each model's spread over the seeds, models in the order the demo reports them.</summary>
    public static IReadOnlyList<DemoSeedSummary> Summarize(IReadOnlyList<DemoSeedRun> runs) =>
        runs.SelectMany(r => r.Rows).Select(r => r.Stage).Distinct().Select(stage =>
        {
            var rows = runs.SelectMany(r => r.Rows).Where(r => r.Stage == stage).ToList();
            return new DemoSeedSummary(stage, MetricSpread.Of(rows.Select(r => r.CleanAccuracy)), MetricSpread.Of(rows.Select(r => r.AttackSuccessRate)),
                MetricSpread.Of(rows.Select(r => r.AttackSuccessRate5)), MetricSpread.Of(rows.Select(r => r.LinearProbeAttackSuccessRate)));
        }).ToList();

    private static readonly JsonSerializerOptions Json = new(EvalResults.Json) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    private static void Write(DemoOptions options, IReadOnlyList<DemoSeedRun> runs, string json, string table, TimeSpan elapsed)
    {
        var summary = Summarize(runs);
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new
        {
            format = Format,
            world_kind = options.WorldKind,
            target = options.Target,
            trigger = options.Trigger.Name,
            seeds = runs.Select(r => r.Seed),
            runs,
            summary,
            total_seconds = elapsed.TotalSeconds,
            machine = Models.MachineInfo.Current(),
            table = TableName,
        }, Json));
        AtomicFile.WriteAllText(table, Markdown(options, runs, summary));
    }

    /// <summary>The human-readable table: every seed's rows, then mean (min–max) per model; percentages.</summary>
    public static string Markdown(DemoOptions options, IReadOnlyList<DemoSeedRun> runs, IReadOnlyList<DemoSeedSummary> summary)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# cleanclip demo: {runs.Count} seed{(runs.Count == 1 ? "" : "s")} ({options.WorldKind.ToString().ToLowerInvariant()} world, {options.Trigger.Name} → {options.Target})\n\n");
        text.Append("| seed | model | CA@1 | ASR@1 | ASR@5 | LP ASR | time |\n|---|---|---|---|---|---|---|\n");
        foreach (var run in runs)
            foreach (var row in run.Rows)
                text.Append(CultureInfo.InvariantCulture, $"| {run.Seed} | {row.Stage} | {Percent(row.CleanAccuracy)} | {Percent(row.AttackSuccessRate)} | {Percent(row.AttackSuccessRate5)} | {Percent(row.LinearProbeAttackSuccessRate)} | {row.Seconds:F0} s |\n");
        text.Append(CultureInfo.InvariantCulture, $"\nMean (min–max) over seeds {string.Join(", ", runs.Select(r => r.Seed))}:\n\n");
        text.Append("| model | CA@1 | ASR@1 | ASR@5 | LP ASR |\n|---|---|---|---|---|\n");
        foreach (var s in summary)
            text.Append(CultureInfo.InvariantCulture, $"| {s.Stage} | {Spread(s.CleanAccuracy)} | {Spread(s.AttackSuccessRate)} | {Spread(s.AttackSuccessRate5)} | {Spread(s.LinearProbeAttackSuccessRate)} |\n");
        text.Append("\nCA@1: zero-shot top-1 on clean test images (supervised: its own head); ASR@k: share of triggered non-target test images with the target in the top k; LP ASR: the same for a linear probe on the frozen image features. Numbers: ")
            .Append(JsonName).Append(".\n");
        return text.ToString();
    }

    public static string Percent(double? value) => value is { } v ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%" : "–";

    public static string Spread(MetricSpread? spread) => spread is null ? "–"
        : string.Create(CultureInfo.InvariantCulture, $"{100 * spread.Mean:F1}% ({100 * spread.Min:F1}–{100 * spread.Max:F1})");

    /// <summary>Prefixes every stage heading with the seed, so the CLI's headings say which run they belong to.</summary>
    private sealed class SeedUi(IDemoUi inner, string prefix) : IDemoUi
    {
        public T Stage<T>(string heading, Func<IProgress<JobProgress>, T> work) => inner.Stage(prefix + heading, work);
        public T Training<T>(string heading, Func<IProgress<TrainingProgress>, T> work) => inner.Training(prefix + heading, work);
    }
}
