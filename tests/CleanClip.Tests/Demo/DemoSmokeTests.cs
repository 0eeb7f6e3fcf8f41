using CleanClip.Data;
using CleanClip.Demo;
using CleanClip.Training;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>The demo's stages fit together: a miniature run (numbers meaningless at this size) writes every artefact.</summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoSmokeTests
{
    internal sealed class SilentUi : IDemoUi
    {
        public List<string> Headings { get; } = [];
        public T Stage<T>(string heading, Func<IProgress<JobProgress>, T> work) { Headings.Add(heading); return work(new Progress<JobProgress>()); }
        public T Training<T>(string heading, Func<IProgress<TrainingProgress>, T> work) { Headings.Add(heading); return work(new Progress<TrainingProgress>()); }
    }

    [Fact]
    public void AFolderThatIsNotADemosOwnIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        var mine = Directory.CreateDirectory(dir.File("mine")).FullName;
        Directory.CreateDirectory(Path.Combine(mine, "runs", "poisoned"));
        File.WriteAllText(Path.Combine(mine, "runs", "poisoned", "results.txt"), "my own run");
        var ui = new SilentUi();
        var error = Assert.Throws<IOException>(() => DemoJob.Run(new DemoOptions { Output = mine }, ui));
        Assert.Contains("not a demo's folder", error.Message);
        Assert.Empty(ui.Headings);
        Assert.Equal("my own run", File.ReadAllText(Path.Combine(mine, "runs", "poisoned", "results.txt")));
        Assert.Equal(["runs"], Directory.EnumerateFileSystemEntries(mine).Select(Path.GetFileName));
    }

    /// <summary>The synthetic demo in miniature: a 200-pair world, tiny-vit, one epoch per stage (seconds, no story).</summary>
    internal static DemoOptions Miniature(string output)
    {
        var d = new DemoOptions();
        return d with
        {
            Output = output, Model = "tiny-vit", Merges = 300,
            World = d.World with { Count = 200, FinetuneCount = 64, TestCount = 40 },
            Pretraining = d.Pretraining with { Epochs = 1, BatchSize = 32, WarmupSteps = 2 },
            Cleaning = d.Cleaning with { Epochs = 1, BatchSize = 16, WarmupSteps = 2 },
            Supervised = d.Supervised! with { Epochs = 1, BatchSize = 16, WarmupSteps = 2 }, SupervisedImages = 40,
            DecodeThreads = 1,
        };
    }

    [Fact]
    public void WithFilterRetrainTheDemoAddsTheModelRetrainedOnTheScanFilteredPairs()
    {
        using var dir = new TempDir();
        var options = Miniature(dir.File("demo")) with { FilterRetrain = true, FilterFractions = [0.1], Methods = [TrainingMethod.Mmcl], Supervised = null, LinearProbe = false };
        // As a sweep's point: the runner has already started its log in the folder, which the demo keeps.
        Directory.CreateDirectory(options.Output);
        File.WriteAllText(Path.Combine(options.Output, CleanClip.Sweeps.PointRecord.LogFileName), "== runner log\n");
        var ui = new SilentUi();
        var result = DemoJob.Run(options, ui);
        Assert.Equal(["poisoned", DemoJob.FilteredLabel, "mmcl"], result.Rows.Select(r => r.Stage));
        Assert.Equal("== runner log\n", File.ReadAllText(Path.Combine(options.Output, CleanClip.Sweeps.PointRecord.LogFileName)));
        Assert.Equal(DemoJob.ResultsFileName, RunCompletion.Read(options.Output)!.Model);
        // A finished demo folder is what demo --seeds --runner summarises.
        var collected = DemoSeeds.Collect(options, [(7UL, options.Output)], dir.Path);
        Assert.Equal(result.Rows, collected.Runs.Single().Rows);
        Assert.Equal(7UL, collected.Runs.Single().Seed);
        Assert.True(File.Exists(collected.Json) && File.Exists(collected.Table));
        Assert.Contains(ui.Headings, h => h.Contains("retrain on the filtered pairs"));
        var filtered = ImageCaptionDataset.Load(Path.Combine(dir.File("demo"), "world", "train", "poisoned.filtered.csv"));
        Assert.Equal(180, filtered.Count);   // 200 pairs less the top 10 % of the scan
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip scan ") && c.Contains("--remove-top 20"));
        DemoCommandsParseTests.AssertParse(result.Commands);
    }

    // Two rounds: the second scans the first round's filtered table with the model retrained on it, and drops 5 % of
    // that table (9 of 180), so the final model trains on 171 pairs.
    [Fact]
    public void FilterRoundsScanEachFilteredTableWithTheModelRetrainedOnIt()
    {
        using var dir = new TempDir();
        var options = Miniature(dir.File("demo")) with
        {
            FilterRetrain = true, FilterFractions = [0.1, 0.05], Methods = [], Supervised = null, LinearProbe = false, Scan = false,
        };
        var ui = new SilentUi();
        var result = DemoJob.Run(options, ui);
        Assert.Equal(["poisoned", DemoJob.FilteredLabel], result.Rows.Select(r => r.Stage));
        var train = Path.Combine(dir.File("demo"), "world", "train");
        Assert.Equal(180, ImageCaptionDataset.Load(Path.Combine(train, "poisoned.filtered.csv")).Count);
        Assert.Equal(171, ImageCaptionDataset.Load(Path.Combine(train, "poisoned.filtered-2.csv")).Count);
        var runs = Path.Combine(dir.File("demo"), "runs");
        Assert.True(RunCompletion.IsComplete(Path.Combine(runs, DemoJob.FilteredLabel + "-round-1")));
        Assert.True(RunCompletion.IsComplete(Path.Combine(runs, DemoJob.FilteredLabel)));
        var scans = result.Commands.Where(c => c.StartsWith("cleanclip scan ")).ToList();
        Assert.Equal(2, scans.Count);
        Assert.Contains("--remove-top 20", scans[0]);
        Assert.Contains("--remove-top 9", scans[1]);
        Assert.Contains(Path.Combine(runs, DemoJob.FilteredLabel + "-round-1", "model.safetensors"), scans[1]);
        Assert.Contains("poisoned.filtered.csv", scans[1]);
        Assert.Contains(ui.Headings, h => h.Contains("(round 2 of 2)"));
        DemoCommandsParseTests.AssertParse(result.Commands);
    }

    [Theory]
    [InlineData("0.1,0", "'0' is not a share between 0 and 1")]
    [InlineData("0.2,x", "'x' is not a share")]
    [InlineData("1", "'1' is not a share")]
    public void BadFilterFractionsAreOneClearLine(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => CleanClip.Cli.DemoCliOptions.ParseFilterFractions(text, [0.1]));
        Assert.Contains(expected, error.Message);
        Assert.Contains("--filter-fractions", error.Message);
    }

    [Fact]
    public void FilterFractionsParseAsOneShareEachInvariantCulture() =>
        Assert.Equal([0.2, 0.05], CleanClip.Cli.DemoCliOptions.ParseFilterFractions("0.2, 0.05", [0.1]));

    [Fact]
    public void AMiniatureDemoWritesTableReportAndCommands()
    {
        using var dir = new TempDir();
        var options = Miniature(dir.File("demo"));
        var ui = new SilentUi();
        var result = DemoJob.Run(options, ui);
        Assert.Equal(["poisoned", "cleanclip", "mmcl", "ssl", "supervised"], result.Rows.Select(r => r.Stage));
        Assert.All(result.Rows, r => Assert.NotNull(r.AttackSuccessRate));
        Assert.Null(result.Rows[0].DefenseEffectivenessRating);
        Assert.All(result.Rows.Skip(1), r => Assert.NotNull(r.DefenseEffectivenessRating));
        Assert.True(File.Exists(result.Report));
        Assert.True(File.Exists(result.ResultsJson));
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip clean ") && c.Contains("--method CleanClip"));
        Assert.Equal(11, ui.Headings.Count);
        // The scan of the poisoned pretraining pairs: 5% of the 200 pairs, scored against the poison manifest.
        Assert.NotNull(result.Scan);
        Assert.Equal((200, 10), (result.Scan!.Rows, result.Scan.Poisoned));
        Assert.InRange(result.Scan.Auroc, 0, 1);
        Assert.True(File.Exists(Path.Combine(result.Scan.Folder, CleanClip.Detection.ScanJob.ScoresFile)));
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip scan ") && c.Contains("--manifest"));
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(result.ResultsJson)))
            Assert.Equal(result.Scan.Auroc, json.RootElement.GetProperty("scan").GetProperty("auroc").GetDouble());
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip finetune-supervised "));
        Assert.Equal(5, CleanClip.Evaluation.EvalResults.Read(Path.Combine(options.Output, "eval", "eval.json")).Checkpoints.Count);
    }
}
