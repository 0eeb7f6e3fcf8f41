using CleanClip.Training.Logging;
using ScottPlot;

namespace CleanClip.Evaluation.Report;

/// <summary>The report's charts, drawn with ScottPlot and written atomically as PNG.</summary>
public static class ReportPlots
{
    /// <summary>One checkpoint's headline numbers: zero-shot top-1 CA and ASR@1 (either may be missing).</summary>
    public sealed record Point(string Run, string Checkpoint, double? CleanAccuracy, double? AttackSuccessRate);

    private static readonly Color CaColor = Color.FromHex("#1f77b4");
    private static readonly Color AsrColor = Color.FromHex("#d62728");

    /// <summary>Grouped bars, CA and ASR@1 side by side for every checkpoint of every run, on a 0–100 % axis.</summary>
    public static void CaAsrBars(IReadOnlyList<Point> points, string path, int width, int height)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].CleanAccuracy is { } ca)
                bars.Add(new Bar { Position = 3 * i, Value = 100 * ca, FillColor = CaColor, Label = $"{100 * ca:F1}" });
            if (points[i].AttackSuccessRate is { } asr)
                bars.Add(new Bar { Position = 3 * i + 1, Value = 100 * asr, FillColor = AsrColor, Label = $"{100 * asr:F1}" });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            points.Select((_, i) => 3.0 * i + 0.5).ToArray(), points.Select(p => $"{p.Run}/{p.Checkpoint}").ToArray());
        if (points.Count > 3) plot.Axes.Bottom.TickLabelStyle.Rotation = -20;
        plot.Axes.SetLimitsY(0, 110);
        plot.ShowLegend([new LegendItem { LabelText = "clean accuracy (top-1)", FillColor = CaColor },
            new LegendItem { LabelText = "attack success rate (ASR@1)", FillColor = AsrColor }], Alignment.UpperRight);
        plot.Title("Clean accuracy and attack success rate per checkpoint");
        plot.YLabel("%");
        Save(plot, path, width, height);
    }

    /// <summary>
    /// CA (x) against ASR (y) for every checkpoint with both, one colour per run, with the Pareto front (no other point has
    /// higher CA and lower ASR) joined by a dashed line: the defenses worth having sit at the lower right.
    /// </summary>
    public static void Pareto(IReadOnlyList<Point> points, string path, int width, int height)
    {
        var plot = new Plot();
        var complete = points.Where(p => p.CleanAccuracy is not null && p.AttackSuccessRate is not null).ToList();
        foreach (var group in complete.GroupBy(p => p.Run))
        {
            var scatter = plot.Add.ScatterPoints(group.Select(p => 100 * p.CleanAccuracy!.Value).ToArray(),
                group.Select(p => 100 * p.AttackSuccessRate!.Value).ToArray());
            scatter.MarkerSize = 10;
            scatter.LegendText = group.Key;
            foreach (var p in group)
                plot.Add.Text(p.Checkpoint, 100 * p.CleanAccuracy!.Value, 100 * p.AttackSuccessRate!.Value).LabelFontSize = 11;
        }
        var front = ParetoFront(complete);
        if (front.Count > 1)
        {
            var line = plot.Add.ScatterLine(front.Select(p => 100 * p.CleanAccuracy!.Value).ToArray(), front.Select(p => 100 * p.AttackSuccessRate!.Value).ToArray(), Colors.Gray);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "Pareto front";
        }
        plot.Axes.SetLimits(-5, 105, -5, 105);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title("Clean accuracy vs attack success rate (lower right is better)");
        plot.XLabel("clean accuracy, top-1 (%)");
        plot.YLabel("ASR@1 (%)");
        Save(plot, path, width, height);
    }

    /// <summary>The checkpoints no other beats on both counts (CA at least as high and ASR at least as low, one strictly), by rising CA.</summary>
    public static IReadOnlyList<Point> ParetoFront(IReadOnlyList<Point> points)
    {
        var complete = points.Where(p => p.CleanAccuracy is not null && p.AttackSuccessRate is not null).ToList();
        return complete.Where(p => !complete.Any(q =>
                q.CleanAccuracy >= p.CleanAccuracy && q.AttackSuccessRate <= p.AttackSuccessRate &&
                (q.CleanAccuracy > p.CleanAccuracy || q.AttackSuccessRate < p.AttackSuccessRate)))
            .OrderBy(p => p.CleanAccuracy).ThenBy(p => p.AttackSuccessRate).ToList();
    }

    /// <summary>One training curve per series with data, against the optimizer step; false (and no file) when no series has data.</summary>
    public static bool Curves(IReadOnlyList<MetricsLine> lines, IReadOnlyList<(string Name, Func<MetricsLine, double?> Value)> series,
        string title, string yLabel, string path, int width, int height, bool percent = false)
    {
        var plot = new Plot();
        bool any = false;
        foreach (var (name, value) in series)
        {
            var points = lines.Where(l => value(l) is { } v && double.IsFinite(v)).Select(l => (X: (double)l.Step, Y: value(l)!.Value * (percent ? 100 : 1))).ToList();
            if (points.Count == 0) continue;
            any = true;
            var scatter = points.Count == 1 ? plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray())
                : plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            scatter.LegendText = name;
            scatter.MarkerSize = points.Count > 50 ? 0 : 5;
        }
        if (!any) return false;
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel("optimizer step");
        plot.YLabel(yLabel);
        Save(plot, path, width, height);
        return true;
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        var png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
