using System.Globalization;
using System.Text;
using System.Text.Json;
using CleanClip.Sweeps;
using CleanClip.Training.Logging;
using ScottPlot;

namespace CleanClip.Reporting;

/// <summary>
/// The clean-accuracy-against-ASR frontier of one or more sweeps (<c>cleanclip sweep</c>). Each complete point counts
/// with its run's last in-training zero-shot evaluation (the CA and ASR in metrics.jsonl, written when the
/// command had <c>--eval-data</c> and <c>--target</c>). Points with the same varied values in several sweeps (one sweep
/// per seed, say) form one setting, given as mean and range. Settings are grouped by the value of one option of their
/// command line (<c>--method</c>), and each group gets its Pareto front over the settings' means.
/// </summary>
public static class SweepFrontier
{
    public const string MarkdownFile = "frontier.md";
    public const string JsonFile = "frontier.json";
    public const string PlotFile = "frontier.png";

    /// <summary>One complete point's final evaluation (fractions, not percent).</summary>
    public sealed record Run(string Sweep, string Point, int Epoch, double CleanAccuracy, double AttackSuccessRate);

    /// <summary>Mean, smallest and largest of one measure over a setting's runs.</summary>
    public sealed record Spread(double Mean, double Min, double Max)
    {
        public static Spread Of(IEnumerable<double> values)
        {
            var list = values.ToList();
            return new(list.Average(), list.Min(), list.Max());
        }

        public string Percent() => Percent(Mean) + (Min == Max ? "" : $" ({Percent(Min)}–{Percent(Max)})");
        private static string Percent(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>One combination of the varied values, pooled over the sweeps that hold it.</summary>
    public sealed record Setting(string Group, string Values, IReadOnlyList<Run> Runs, bool OnFront)
    {
        public Spread CleanAccuracy => Spread.Of(Runs.Select(r => r.CleanAccuracy));
        public Spread AttackSuccessRate => Spread.Of(Runs.Select(r => r.AttackSuccessRate));
    }

    public sealed record Result(IReadOnlyList<Setting> Settings, IReadOnlyList<string> Notes, string MarkdownPath, string JsonPath, string? PlotPath);

    /// <summary>The sweeps' settings, pooled and grouped, before anything is written.</summary>
    /// <param name="GroupBy">The option the settings are grouped by, spelled with its dashes, or null.</param>
    public sealed record Frontier(IReadOnlyList<string> Sweeps, string? GroupBy, IReadOnlyList<Setting> Settings, List<string> Notes);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary><see cref="Read"/> then <see cref="Write(Frontier, string)"/>.</summary>
    public static Result Write(IReadOnlyList<string> sweeps, string? groupBy, string output) => Write(Read(sweeps, groupBy), output);

    /// <summary>Reads the sweeps and pools and groups their complete points' last evaluations.</summary>
    /// <param name="groupBy">An option of the points' command (<c>method</c> or <c>--method</c>), or null for one group.</param>
    /// <exception cref="ArgumentException">No sweep folders.</exception>
    /// <exception cref="InvalidDataException">A folder without a readable sweep.json.</exception>
    public static Frontier Read(IReadOnlyList<string> sweeps, string? groupBy)
    {
        if (sweeps.Count == 0) throw new ArgumentException("give at least one sweep folder");
        if (groupBy is not null)
        {
            groupBy = groupBy.StartsWith("--", StringComparison.Ordinal) ? groupBy : "--" + groupBy;
            if (groupBy.Length < 3 || groupBy.Skip(2).Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
                throw new ArgumentException($"--by: expected an option name such as method, got '{groupBy}'");
        }
        var records = sweeps.Select(folder =>
        {
            var path = SweepRecord.PathIn(folder);
            if (!File.Exists(path)) throw new InvalidDataException($"{folder} is not a sweep folder: no {SweepRecord.FileName}");
            return (Folder: folder, Record: SweepRecord.Read(path));
        }).ToList();

        var notes = new List<string>();
        var pooled = new Dictionary<(string Group, string Values), List<Run>>();
        foreach (var (folder, record) in records)
            foreach (var point in record.Points)
            {
                var pointFolder = Path.IsPathRooted(point.Folder) ? point.Folder : Path.Combine(folder, point.Folder);
                point.Folder = pointFolder;
                point.Observe();
                if (point.State != PointState.Complete) { notes.Add($"{folder}: point {point.Name} is {point.State.ToString().ToLowerInvariant()}, left out"); continue; }
                var evaluation = LastEvaluation(pointFolder);
                if (evaluation is not { CleanAccuracy: { } ca, AttackSuccessRate: { } asr })
                {
                    notes.Add($"{folder}: point {point.Name} has no in-training evaluation with CA and ASR (run it with --eval-data and --target), left out");
                    continue;
                }
                var group = groupBy is null ? "all" : OptionValue(point, groupBy) ?? "(default)";
                var values = string.Join(", ", point.Values.Where(v => v.Key != groupBy).Select(v => $"{v.Key.TrimStart('-')}={v.Value}"));
                var key = (group, values);
                if (!pooled.TryGetValue(key, out var runs)) pooled[key] = runs = [];
                runs.Add(new Run(folder, point.Name, evaluation.Epoch, ca, asr));
            }

        var settings = pooled.Select(p => new Setting(p.Key.Group, p.Key.Values, p.Value, false)).ToList();
        settings = settings.Select(s => s with { OnFront = IsOnFront(s, settings.Where(o => o.Group == s.Group)) })
            .OrderBy(s => s.Group, StringComparer.Ordinal).ThenByDescending(s => s.CleanAccuracy.Mean).ToList();
        return new Frontier(records.Select(r => r.Folder).ToList(), groupBy, settings, notes);
    }

    /// <summary>
    /// Writes <see cref="MarkdownFile"/>, <see cref="JsonFile"/> and (when any setting has both numbers)
    /// <see cref="PlotFile"/> into <paramref name="output"/>.
    /// </summary>
    public static Result Write(Frontier frontier, string output)
    {
        var (settings, groupBy) = (frontier.Settings, frontier.GroupBy);
        var notes = new List<string>(frontier.Notes);
        Directory.CreateDirectory(output);
        string? plot = null;
        if (settings.Count > 0)
        {
            plot = Path.Combine(output, PlotFile);
            Plot(settings, groupBy, plot);
        }
        else notes.Add("no complete point with an evaluation: no plot");
        var markdown = Path.Combine(output, MarkdownFile);
        AtomicFile.WriteAllText(markdown, Markdown(frontier.Sweeps, groupBy, settings, notes, plot is null ? null : PlotFile));
        var json = Path.Combine(output, JsonFile);
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new
        {
            sweeps = frontier.Sweeps.Select(Path.GetFullPath),
            group_by = groupBy,
            settings = settings.Select(s => new
            {
                group = s.Group, values = s.Values, on_front = s.OnFront,
                clean_accuracy = s.CleanAccuracy, attack_success_rate = s.AttackSuccessRate,
                runs = s.Runs.Select(r => new { sweep = r.Sweep, point = r.Point, epoch = r.Epoch, clean_accuracy = r.CleanAccuracy, attack_success_rate = r.AttackSuccessRate }),
            }),
            notes,
            plot = plot is null ? null : PlotFile,
        }, Json) + "\n");
        return new Result(settings, notes, markdown, json, plot);
    }

    /// <summary>
    /// The run's last metrics line with both a clean accuracy and an ASR (an epoch line carries the evaluation made at
    /// that epoch's end), or null when there is none or the file cannot be read.
    /// </summary>
    private static MetricsLine? LastEvaluation(string runFolder)
    {
        var path = Path.Combine(runFolder, MetricsLine.FileName);
        if (!File.Exists(path)) return null;
        try { return MetricsLine.ReadAll(path).LastOrDefault(l => l is { CleanAccuracy: not null, AttackSuccessRate: not null }); }
        catch (Exception e) when (e is InvalidDataException or IOException) { return null; }
    }

    /// <summary>The value the point's command gives <paramref name="option"/>: a varied value, else the argument after it in the command.</summary>
    private static string? OptionValue(PointRecord point, string option)
    {
        if (point.Values.TryGetValue(option, out var varied)) return varied;
        int at = point.Command.IndexOf(option);
        return at >= 0 && at + 1 < point.Command.Count ? point.Command[at + 1] : null;
    }

    /// <summary>No other setting of the group has a mean CA at least as high and a mean ASR at least as low, one of them strictly.</summary>
    private static bool IsOnFront(Setting s, IEnumerable<Setting> group) => !group.Any(o =>
        o.CleanAccuracy.Mean >= s.CleanAccuracy.Mean && o.AttackSuccessRate.Mean <= s.AttackSuccessRate.Mean &&
        (o.CleanAccuracy.Mean > s.CleanAccuracy.Mean || o.AttackSuccessRate.Mean < s.AttackSuccessRate.Mean));

    private static string Markdown(IReadOnlyList<string> sweeps, string? groupBy, IReadOnlyList<Setting> settings, IReadOnlyList<string> notes, string? plot)
    {
        var md = new StringBuilder();
        md.AppendLine("# Sweep frontier: clean accuracy against attack success rate").AppendLine();
        md.AppendLine($"Sweeps: {string.Join(", ", sweeps.Select(s => $"`{s}`"))}. Each point counts with its run's last zero-shot evaluation; "
            + "points with the same varied values in several sweeps are pooled as mean (min–max)"
            + (groupBy is null ? "." : $", grouped by `{groupBy}`.") + " ★: on the group's Pareto front of the means (no other setting has higher CA and lower ASR).").AppendLine();
        if (plot is not null) md.AppendLine($"![CA against ASR]({plot})").AppendLine();
        foreach (var group in settings.GroupBy(s => s.Group))
        {
            if (groupBy is not null) md.AppendLine($"## {groupBy} {group.Key}").AppendLine();
            md.AppendLine("| setting | runs | CA@1 % | ASR@1 % | front |").AppendLine("|---|---|---|---|---|");
            foreach (var s in group)
                md.AppendLine($"| {(s.Values.Length == 0 ? "(no varied values)" : s.Values)} | {s.Runs.Count} | {s.CleanAccuracy.Percent()} | {s.AttackSuccessRate.Percent()} | {(s.OnFront ? "★" : "")} |");
            md.AppendLine();
        }
        if (notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (var note in notes) md.AppendLine($"- {note}");
        }
        return md.ToString();
    }

    /// <summary>
    /// Every run as a small dot, every setting's mean as a large marker with its CA and ASR ranges as lines, one colour
    /// per group, and each group's front joined by a dashed line.
    /// </summary>
    private static void Plot(IReadOnlyList<Setting> settings, string? groupBy, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (var group in settings.GroupBy(s => s.Group))
        {
            var color = palette.GetColor(index++);
            var runs = group.SelectMany(s => s.Runs).ToList();
            var dots = plot.Add.ScatterPoints(runs.Select(r => 100 * r.CleanAccuracy).ToArray(), runs.Select(r => 100 * r.AttackSuccessRate).ToArray(), color.WithAlpha(0.35));
            dots.MarkerSize = 5;
            foreach (var s in group)
            {
                var (ca, asr) = (s.CleanAccuracy, s.AttackSuccessRate);
                plot.Add.Line(100 * ca.Min, 100 * asr.Mean, 100 * ca.Max, 100 * asr.Mean).Color = color.WithAlpha(0.5);
                plot.Add.Line(100 * ca.Mean, 100 * asr.Min, 100 * ca.Mean, 100 * asr.Max).Color = color.WithAlpha(0.5);
            }
            var means = plot.Add.ScatterPoints(group.Select(s => 100 * s.CleanAccuracy.Mean).ToArray(), group.Select(s => 100 * s.AttackSuccessRate.Mean).ToArray(), color);
            means.MarkerSize = 10;
            means.LegendText = groupBy is null ? "settings (mean)" : $"{groupBy} {group.Key}";
            var front = group.Where(s => s.OnFront).OrderBy(s => s.CleanAccuracy.Mean).ToList();
            if (front.Count > 1)
            {
                var line = plot.Add.ScatterLine(front.Select(s => 100 * s.CleanAccuracy.Mean).ToArray(), front.Select(s => 100 * s.AttackSuccessRate.Mean).ToArray(), color);
                line.LinePattern = LinePattern.Dashed;
            }
        }
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title("Clean accuracy vs ASR@1: mean over runs (large), runs (small), ranges (lines)");
        plot.XLabel("clean accuracy, top-1 (%)");
        plot.YLabel("ASR@1 (%)");
        ReportPlots.Save(plot, path, 900, 650);
    }
}
