using System.Text.Json;
using CleanClip.Reporting;
using CleanClip.Sweeps;
using CleanClip.Training;
using CleanClip.Training.Logging;
using Xunit;

namespace CleanClip.Tests.Reporting;

/// <summary>
/// The sweep frontier on hand-made sweep folders (sweep.json, each point's metrics.jsonl and completion marker), so
/// every pooled number is computed by hand below.
/// </summary>
public class SweepFrontierTests
{
    /// <summary>A sweep folder whose points vary --lr, run with the fixed --method; each point (lr, CA, ASR) evaluated at epoch 4, or null CA/ASR for a point without evaluation.</summary>
    private static string Sweep(TempDir dir, string name, string method, params (string Lr, double? Ca, double? Asr, bool Complete)[] points)
    {
        var folder = dir.File(name);
        var record = new SweepRecord { WorkingDirectory = dir.Path };
        for (int i = 0; i < points.Length; i++)
        {
            var (lr, ca, asr, complete) = points[i];
            var pointFolder = Path.Combine(folder, "points", $"lr={lr}");
            Directory.CreateDirectory(pointFolder);
            // As training writes them: the evaluation at an epoch's end rides on its epoch line; steps carry none.
            var lines = new List<MetricsLine> { new() { Kind = "step", Epoch = 1, Step = 10, Loss = 1 } };
            if (ca is not null) lines.Add(new MetricsLine { Kind = "epoch", Epoch = 2, Step = 20, CleanAccuracy = 0.01, AttackSuccessRate = 0.99 });
            lines.Add(new MetricsLine { Kind = "step", Epoch = 3, Step = 30, Loss = 1 });
            lines.Add(new MetricsLine { Kind = "epoch", Epoch = 4, Step = 40, CleanAccuracy = ca, AttackSuccessRate = asr });
            File.WriteAllLines(Path.Combine(pointFolder, MetricsLine.FileName), lines.Select(l => l.ToJson()));
            if (complete) RunCompletion.Write(pointFolder, 40, Path.Combine(pointFolder, "model.safetensors"));
            record.Points.Add(new PointRecord
            {
                Index = i, Name = $"lr={lr}", Folder = pointFolder, Values = new() { ["--lr"] = lr },
                Command = ["clean", "--method", method, "--lr", lr, "--out", pointFolder],
            });
        }
        record.Write(folder);
        return folder;
    }

    [Fact]
    public void PointsWithTheSameValuesArePooledOverSweepsAndEachGroupGetsItsFront()
    {
        using var dir = new TempDir();
        var sweeps = new[]
        {
            Sweep(dir, "s1-clean", "CleanClip", ("1e-3", 0.86, 0.10, true), ("2e-3", 0.80, 0.02, true), ("5e-4", 0.84, 0.50, true)),
            Sweep(dir, "s2-clean", "CleanClip", ("1e-3", 0.88, 0.30, true), ("2e-3", 0.82, 0.04, true), ("5e-4", 0.85, 0.60, false)),
            Sweep(dir, "s1-mmcl", "Mmcl", ("1e-3", 0.90, 0.95, true), ("2e-3", 0.85, 0.40, true)),
        };
        var result = SweepFrontier.Write(sweeps, "method", dir.File("out"));

        var clean1 = Assert.Single(result.Settings, s => s is { Group: "CleanClip", Values: "lr=1e-3" });
        Assert.Equal(2, clean1.Runs.Count);
        // (0.86 + 0.88) / 2 and (0.10 + 0.30) / 2, with the extremes as the range; the epoch-2 evaluation is not the last.
        Assert.Equal(0.87, clean1.CleanAccuracy.Mean, 1e-12);
        Assert.Equal((0.86, 0.88), (clean1.CleanAccuracy.Min, clean1.CleanAccuracy.Max));
        Assert.Equal(0.20, clean1.AttackSuccessRate.Mean, 1e-12);
        Assert.Equal("20.0 (10.0–30.0)", clean1.AttackSuccessRate.Percent());
        Assert.All(clean1.Runs, r => Assert.Equal(4, r.Epoch));

        // 5e-4 has one complete run (seed 2's is incomplete and named in a note): CA 0.84 < 0.87 and ASR 0.50 > 0.20,
        // so lr=1e-3 beats it; 2e-3 (0.81, 0.03) has lower CA and lower ASR: both 1e-3 and 2e-3 are on the front.
        var clean5 = Assert.Single(result.Settings, s => s is { Group: "CleanClip", Values: "lr=5e-4" });
        Assert.Single(clean5.Runs);
        Assert.False(clean5.OnFront);
        Assert.True(clean1.OnFront);
        Assert.True(Assert.Single(result.Settings, s => s is { Group: "CleanClip", Values: "lr=2e-3" }).OnFront);
        Assert.Contains(result.Notes, n => n.Contains("s2-clean") && n.Contains("lr=5e-4") && n.Contains("incomplete"));

        // The MMCL group's front is its own: both of its settings are on it although CleanCLIP's dominate them.
        Assert.All(result.Settings.Where(s => s.Group == "Mmcl"), s => Assert.True(s.OnFront));
        Assert.Equal(5, result.Settings.Count);

        Assert.True(File.Exists(result.PlotPath));
        var markdown = File.ReadAllText(result.MarkdownPath);
        Assert.Contains("## --method CleanClip", markdown);
        Assert.Contains("| lr=1e-3 | 2 | 87.0 (86.0–88.0) | 20.0 (10.0–30.0) | ★ |", markdown);
        using var json = JsonDocument.Parse(File.ReadAllText(result.JsonPath));
        Assert.Equal("--method", json.RootElement.GetProperty("group_by").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("settings").GetArrayLength());
    }

    [Fact]
    public void APointWithoutEvaluationIsNamedAndAFolderWithoutSweepJsonIsRefusedBeforeWriting()
    {
        using var dir = new TempDir();
        var sweep = Sweep(dir, "s", "Mmcl", ("1e-3", null, null, true), ("2e-3", 0.5, 0.5, true));
        var result = SweepFrontier.Write([sweep], null, dir.File("out"));
        Assert.Equal("all", Assert.Single(result.Settings).Group);
        Assert.Contains(result.Notes, n => n.Contains("lr=1e-3") && n.Contains("--eval-data"));

        Directory.CreateDirectory(dir.File("not-a-sweep"));
        var error = Assert.Throws<InvalidDataException>(() => SweepFrontier.Write([sweep, dir.File("not-a-sweep")], null, dir.File("out2")));
        Assert.Contains("not-a-sweep", error.Message);
        Assert.False(Directory.Exists(dir.File("out2")));
        Assert.Throws<ArgumentException>(() => SweepFrontier.Write([sweep], "lr rate", dir.File("out3")));
    }
}
