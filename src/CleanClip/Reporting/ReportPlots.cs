using CleanClip.Training.Logging;
using ScottPlot;
using CleanClip.Evaluation;

namespace CleanClip.Reporting;

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
    /// higher CA and lower ASR) joined by a dashed line unless <paramref name="front"/> is false (for points of different
    /// attacks, which do not compete): the defenses worth having sit at the lower right.
    /// </summary>
    public static void Pareto(IReadOnlyList<Point> points, string path, int width, int height, bool front = true)
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
        var best = front ? ParetoFront(complete) : [];
        if (best.Count > 1)
        {
            var line = plot.Add.ScatterLine(best.Select(p => 100 * p.CleanAccuracy!.Value).ToArray(), best.Select(p => 100 * p.AttackSuccessRate!.Value).ToArray(), Colors.Gray);
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

    /// <summary>
    /// Histogram of scores in 40 equal bins over their range, as the share of each group per bin so that a few hundred
    /// poisoned rows stay visible beside thousands of clean ones; one group when <paramref name="poisoned"/> is null.
    /// </summary>
    public static void ScoreHistogram(IReadOnlyList<float> scores, IReadOnlyList<bool>? poisoned, string title, string path, int width, int height)
    {
        const int Bins = 40;
        var finite = scores.Where(float.IsFinite).ToList();
        double low = finite.Count > 0 ? finite.Min() : 0, high = finite.Count > 0 ? finite.Max() : 1;
        if (high <= low) high = low + 1;
        double width1 = (high - low) / Bins;
        var plot = new Plot();
        void Group(IEnumerable<float> values, Color color, string label)
        {
            var list = values.Where(float.IsFinite).ToList();
            if (list.Count == 0) return;
            var counts = new double[Bins];
            foreach (var v in list) counts[Math.Min(Bins - 1, (int)((v - low) / width1))]++;
            var bars = plot.Add.Bars(Enumerable.Range(0, Bins).Select(i => low + (i + 0.5) * width1).ToArray(), counts.Select(c => 100 * c / list.Count).ToArray());
            bars.Color = color.WithAlpha(0.6);
            foreach (var bar in bars.Bars) bar.Size = width1;
            bars.LegendText = $"{label} ({list.Count})";
        }
        if (poisoned is null) Group(scores, CaColor, "rows");
        else
        {
            Group(scores.Where((_, i) => !poisoned[i]), CaColor, "clean");
            Group(scores.Where((_, i) => poisoned[i]), AsrColor, "poisoned");
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel("score (higher: more suspect)");
        plot.YLabel("% of the group");
        Save(plot, path, width, height);
    }

    /// <summary>One ROC curve per detector, its AUROC in the legend, with the chance diagonal.</summary>
    public static void Roc(IReadOnlyList<(string Name, IReadOnlyList<(double FalsePositiveRate, double TruePositiveRate)> Curve, double Auroc)> curves,
        string title, string path, int width, int height)
    {
        var plot = new Plot();
        var chance = plot.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 0, 1 }, Colors.Gray);
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        foreach (var (name, curve, auroc) in curves)
        {
            var line = plot.Add.ScatterLine(curve.Select(c => c.FalsePositiveRate).ToArray(), curve.Select(c => c.TruePositiveRate).ToArray());
            line.LegendText = $"{name} (AUROC {auroc.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)})";
            line.LineWidth = 2;
        }
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        plot.Title(title);
        plot.XLabel("false-positive rate (clean rows flagged)");
        plot.YLabel("true-positive rate (poisoned rows flagged)");
        Save(plot, path, width, height);
    }

    /// <summary>
    /// A grid of percentages, rows top to bottom and columns left to right, each cell shaded from white (0 %) to the ASR
    /// red (100 %) and labeled with its value; a missing value is a grey cell labeled "–".
    /// </summary>
    public static void Heatmap(IReadOnlyList<string> rows, IReadOnlyList<string> columns, double?[,] values, string title, string path, int width, int height)
    {
        var plot = new Plot();
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < columns.Count; c++)
            {
                double y = rows.Count - 1 - r;
                var value = values[r, c];
                var fill = value is { } v ? Color.InterpolateRgb(Colors.White, AsrColor, Math.Clamp(v, 0, 1)) : Colors.LightGray;
                var cell = plot.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillStyle.Color = fill;
                cell.LineStyle.Color = Colors.White;
                var label = plot.Add.Text(value is { } p ? (100 * p).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "–", c, y);
                label.LabelFontSize = 13;
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontColor = value is > 0.6 ? Colors.White : Colors.Black;
            }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, columns.Count).Select(c => (double)c).ToArray(), columns.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows.Count).Select(r => (double)(rows.Count - 1 - r)).ToArray(), rows.ToArray());
        plot.Axes.SetLimits(-0.5, columns.Count - 0.5, -0.5, rows.Count - 0.5);
        plot.Title(title);
        plot.XLabel("defense");
        plot.YLabel("attack");
        Save(plot, path, width, height);
    }

    internal static void Save(Plot plot, string path, int width, int height)
    {
        var png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
