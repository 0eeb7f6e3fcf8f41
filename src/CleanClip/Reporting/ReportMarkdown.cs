using System.Globalization;
using System.Text;
using CleanClip.Evaluation;

namespace CleanClip.Reporting;

/// <summary>The text of report.md: a comparison table per run, its figures, and a note for every section left out.</summary>
internal static class ReportMarkdown
{
    public static string Build(IReadOnlyList<RunData> runs, IReadOnlyList<ReportFigure> figures, IReadOnlyList<string> notes)
    {
        var md = new StringBuilder();
        md.AppendLine("# CleanClip report").AppendLine();
        md.AppendLine($"Runs: {string.Join(", ", runs.Select(r => $"`{r.Name}` ({r.Folder})"))}.").AppendLine();
        md.AppendLine("All rates are percentages. ASR counts only triggered images whose true class is not the target.").AppendLine();
        md.AppendLine("## Overview").AppendLine();
        foreach (var f in figures.Where(f => f.Run is null)) Figure(md, f);
        foreach (var n in notes) md.AppendLine($"> Note: {n}").AppendLine();

        foreach (var run in runs)
        {
            md.AppendLine($"## Run `{run.Name}`").AppendLine();
            if (run.Eval is { } eval)
            {
                md.AppendLine($"Evaluated on `{eval.EvalData}` with classes `{eval.Classes}`" +
                    (eval.Trigger is { } t ? $", trigger `{t.Name}`" : "") + (eval.Target is { } target ? $", target `{target}`" : "") +
                    (eval.ReferenceAsr ? ", reference squash preprocessing for triggered images" : "") + $", seed {eval.Seed}.").AppendLine();
                Table(md, eval);
            }
            if (run.Scan is { } scan) ScanTable(md, scan);
            foreach (var f in figures.Where(f => f.Run == run.Name)) Figure(md, f);
            foreach (var n in run.Notes) md.AppendLine($"> Note: {n}").AppendLine();
        }
        return md.ToString();
    }

    private static void Figure(StringBuilder md, ReportFigure f) =>
        md.AppendLine($"![{f.Caption}]({f.File})").AppendLine().AppendLine($"*{f.Caption}*").AppendLine();

    private static void Table(StringBuilder md, EvalResults eval)
    {
        md.AppendLine("| checkpoint | images | CA@1 | CA@5 | ASR@1 | ASR@5 | RA | DER | LP acc | LP ASR | retrieval |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var c in eval.Checkpoints)
        {
            var retrieval = c.Retrieval is null ? "" : string.Join(", ", c.Retrieval.Select(kv => $"{kv.Key} {Pct(kv.Value)}"));
            md.AppendLine($"| {c.Label} | {c.Images} | {Pct(ReportJob.Get(c.CleanAccuracy, "1"))} | {Pct(ReportJob.Get(c.CleanAccuracy, "5"))} | " +
                $"{Pct(ReportJob.Get(c.AttackSuccessRate, "1"))} | {Pct(ReportJob.Get(c.AttackSuccessRate, "5"))} | {Pct(c.RobustAccuracy)} | " +
                $"{(c.DefenseEffectivenessRating is { } d ? d.ToString("F3", CultureInfo.InvariantCulture) : "")} | " +
                $"{Pct(c.LinearProbeAccuracy)} | {Pct(c.LinearProbeAttackSuccessRate)} | {retrieval} |");
        }
        md.AppendLine();
    }

    private static void ScanTable(StringBuilder md, ScanData scan)
    {
        int rows = scan.Scores[scan.Primary].Length;
        if (!scan.HasBothClasses)
        {
            md.AppendLine($"Scan of {rows} rows; primary detector `{scan.Primary}`; no ground truth to score it against.").AppendLine();
            return;
        }
        md.AppendLine($"Scan of {rows} rows, {scan.Poisoned!.Count(p => p)} of them poisoned; primary detector `{scan.Primary}`.").AppendLine();
        md.AppendLine("| detector | AUROC | AUPRC | precision at the poison count |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, m) in scan.Metrics!)
            md.AppendLine($"| {name} | {m.Auroc.ToString("F3", CultureInfo.InvariantCulture)} | {m.AveragePrecision.ToString("F3", CultureInfo.InvariantCulture)} | {Pct(m.PrecisionAtCount)} |");
        md.AppendLine();
    }

    private static string Pct(double? value) => value is { } v ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "";
}
