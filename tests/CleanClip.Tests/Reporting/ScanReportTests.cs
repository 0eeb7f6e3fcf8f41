using System.Text.Json;
using CleanClip.Detection;
using CleanClip.Reporting;
using Xunit;

namespace CleanClip.Tests.Reporting;

/// <summary>The report of a scan folder: score histogram, ROC curves and the metrics table, from scan.json and scores.csv alone.</summary>
public class ScanReportTests
{
    // Five rows, rows 0 and 2 poisoned (the DetectionMetricsTests fixture): kdist AUROC 5.5/6 = 0.917, AUPRC 5/6 = 0.833,
    // 1 of the top 2 poisoned (50.0%); slof ranks both poisoned rows first: 1.000 / 1.000 / 100.0%.
    private const string Scores = """
        row,line,image,caption,is_backdoor,kdist,slof,rank
        0,2,images/0.png,a,1,0.9,5,1
        1,3,images/1.png,b,0,0.8,1,2
        2,4,images/2.png,c,1,0.8,4,3
        3,5,images/3.png,d,0,0.3,2,4
        4,6,images/4.png,e,0,0.1,3,5
        """;

    private static string ScanFolder(TempDir dir, string name, string scores, string primary = "kdist")
    {
        var folder = Directory.CreateDirectory(dir.File(name)).FullName;
        File.WriteAllText(Path.Combine(folder, ScanJob.SummaryFile),
            JsonSerializer.Serialize(new { format = ScanJob.Format, detectors = new[] { "kdist", "slof" }, primary }));
        File.WriteAllText(Path.Combine(folder, ScanJob.ScoresFile), scores.ReplaceLineEndings("\n") + "\n");
        return folder;
    }

    [Fact]
    public void AScanFolderGetsItsHistogramRocAndMetricsTable()
    {
        using var dir = new TempDir();
        var scan = ScanFolder(dir, "scan", Scores);
        var result = ReportJob.Run(new ReportOptions { Runs = [scan], Output = dir.File("out") });
        Assert.Equal(["scan-histogram", "scan-roc"], result.Figures.Select(f => f.Kind));
        foreach (var figure in result.Figures)
            Assert.True(new FileInfo(Path.Combine(dir.File("out"), figure.File)).Length > 1000, figure.File);
        var markdown = File.ReadAllText(result.MarkdownPath);
        Assert.Contains("Scan of 5 rows, 2 of them poisoned; primary detector `kdist`.", markdown);
        Assert.Contains("| kdist | 0.917 | 0.833 | 50.0 |", markdown);
        Assert.Contains("| slof | 1.000 | 1.000 | 100.0 |", markdown);
        // A scan folder has no eval.json or metrics.jsonl, and the report does not call that out.
        Assert.DoesNotContain(result.Notes, n => n.Contains("no eval.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(result.JsonPath));
        var metrics = json.RootElement.GetProperty("runs")[0].GetProperty("scan").GetProperty("metrics");
        Assert.Equal(5.5 / 6, metrics.GetProperty("kdist").GetProperty("auroc").GetDouble(), 1e-12);
    }

    [Fact]
    public void WithoutGroundTruthOnlyTheHistogramIsDrawnAndTheReportSaysWhy()
    {
        using var dir = new TempDir();
        var noTruth = string.Join("\n", Scores.Split('\n').Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 4))));
        var scan = ScanFolder(dir, "scan", noTruth, primary: "slof");
        var result = ReportJob.Run(new ReportOptions { Runs = [scan], Output = dir.File("out") });
        Assert.Equal(["scan-histogram"], result.Figures.Select(f => f.Kind));
        Assert.Contains(result.Notes, n => n.Contains("no ROC curve"));
        Assert.Contains("primary detector `slof`; no ground truth", File.ReadAllText(result.MarkdownPath));
    }

    [Fact]
    public void AMalformedScoreIsANoteNamingTheFileAndLine()
    {
        using var dir = new TempDir();
        var scan = ScanFolder(dir, "scan", Scores.Replace("0.3,2,4", "high,2,4"));
        var result = ReportJob.Run(new ReportOptions { Runs = [scan], Output = dir.File("out") });
        Assert.Empty(result.Figures);
        Assert.Contains(result.Notes, n => n.Contains("scan left out") && n.Contains("scores.csv, line 5: kdist is 'high'"));
    }
}
