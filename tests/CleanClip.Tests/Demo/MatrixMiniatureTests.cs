using System.Text.Json;
using CleanClip.Demo;
using CleanClip.Training;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Demo;

/// <summary>
/// A 3 × 3 matrix on a miniature synthetic world (numbers meaningless at this size): every cell is evaluated, each
/// attack's poisoned model is trained once, the outputs are well-formed, and a rerun skips every finished cell.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class MatrixMiniatureTests(ITestOutputHelper output)
{
    /// <summary>The demo's recipe on a 200-pair synthetic world, one epoch per stage.</summary>
    internal static DemoOptions Recipe()
    {
        var d = new DemoOptions();
        return d with
        {
            World = d.World with { Count = 200, FinetuneCount = 64, TestCount = 40 },
            Pretraining = d.Pretraining with { Epochs = 1, BatchSize = 32, WarmupSteps = 2 },
            Cleaning = d.Cleaning with { Epochs = 1, BatchSize = 16, WarmupSteps = 2, NoWordNet = true },
            SupervisedImages = 40,
        };
    }

    [Fact]
    public void AThreeByThreeMatrixRunsEachCellOnceAndARerunSkipsThem()
    {
        using var dir = new TempDir();
        var options = new MatrixOptions
        {
            Demo = Recipe(),
            Attacks = MatrixJob.ParseAttacks("badnet,blended,sig"),
            Defenses = MatrixJob.ParseDefenses("none,mmcl,cleanclip"),
            Seeds = [1],
            Output = dir.File("matrix"),
        };
        var ui = new DemoSmokeTests.SilentUi();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = MatrixJob.Run(options, ui);
        output.WriteLine($"first run: {clock.Elapsed.TotalSeconds:F0} s");

        Assert.Equal(9, result.Cells.Count);
        Assert.Equal((9, 0, 3), (result.CellsRun, result.CellsSkipped, result.PoisonedModelsTrained));
        // One world, one poisoned model per attack: the stage log and the run folders say so.
        Assert.Single(ui.Headings, h => h.Contains("synthetic world"));
        Assert.Equal(3, ui.Headings.Count(h => h.Contains("train a CLIP on the poisoned pairs")));
        Assert.Equal(6, ui.Headings.Count(h => h.Contains("clean:")));
        var seedDir = Path.Combine(result.Output, "seed-1");
        foreach (var attack in new[] { "badnet", "blended", "sig" })
        {
            Assert.True(RunCompletion.IsComplete(Path.Combine(seedDir, attack, MatrixJob.PoisonedFolder)));
            foreach (var defense in new[] { "none", "mmcl", "cleanclip" })
                Assert.True(File.Exists(Path.Combine(seedDir, attack, defense, MatrixJob.CellFile)), $"{attack}/{defense}");
        }
        Assert.Equal(3, Directory.EnumerateDirectories(seedDir, MatrixJob.PoisonedFolder, SearchOption.AllDirectories).Count());

        // matrix.json: every cell and a summary per (attack, defense) with CA@1 and ASR@1 in [0, 1].
        using (var json = JsonDocument.Parse(File.ReadAllText(result.Json)))
        {
            Assert.Equal(MatrixJob.Format, json.RootElement.GetProperty("format").GetString());
            Assert.Equal(9, json.RootElement.GetProperty("cells").GetArrayLength());
            var summary = json.RootElement.GetProperty("summary");
            Assert.Equal(9, summary.GetArrayLength());
            foreach (var s in summary.EnumerateArray())
                foreach (var metric in new[] { "clean_accuracy", "attack_success_rate", "linear_probe_attack_success_rate" })
                {
                    var mean = s.GetProperty(metric).GetProperty("mean").GetDouble();
                    Assert.InRange(mean, 0, 1);
                }
        }
        var table = File.ReadAllText(result.Table);
        Assert.Equal(9, table.Split('\n').Count(l => l.StartsWith("| badnet |") || l.StartsWith("| blended |") || l.StartsWith("| sig |")));
        foreach (var png in new[] { result.Heatmap, result.Scatter })
        {
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 1000, png);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        }

        // A rerun skips every cell: nothing trained, cell files and models untouched, the same table.
        var before = Directory.EnumerateFiles(seedDir, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var jsonBefore = File.ReadAllBytes(result.Json);
        var again = new DemoSmokeTests.SilentUi();
        clock.Restart();
        var rerun = MatrixJob.Run(options, again);
        output.WriteLine($"rerun: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal((0, 9, 0), (rerun.CellsRun, rerun.CellsSkipped, rerun.PoisonedModelsTrained));
        Assert.Empty(again.Headings);
        Assert.Equal(before, Directory.EnumerateFiles(seedDir, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        Assert.Equal(jsonBefore, File.ReadAllBytes(rerun.Json));

        // A cell whose marker is gone (a killed cleaning run) is run again, and only it.
        File.Delete(Path.Combine(seedDir, "blended", "cleanclip", RunCompletion.FileName));
        var third = new DemoSmokeTests.SilentUi();
        var resumed = MatrixJob.Run(options, third);
        Assert.Equal((1, 8, 0), (resumed.CellsRun, resumed.CellsSkipped, resumed.PoisonedModelsTrained));
        Assert.Equal(["blended · clean: CleanCLIP (CLIP loss + in-modal loss)", "blended · evaluate cleanclip"], third.Headings.Select(h => h.Replace("seed 1 · ", "")));

        // A finished matrix folder holds the completion marker a sweep reads, and matrix --runner summarises such
        // folders (one per seed) into the same cells and table.
        Assert.Equal(MatrixJob.JsonName, RunCompletion.Read(resumed.Output)!.Model);
        var collected = MatrixJob.Collect(options with { Output = dir.File("collected") }, [resumed.Output]);
        Assert.Equal(resumed.Cells.OrderBy(c => c.Attack).ThenBy(c => c.Defense), collected.Cells.OrderBy(c => c.Attack).ThenBy(c => c.Defense));
        Assert.Equal(File.ReadAllText(resumed.Table), File.ReadAllText(collected.Table));
    }
}

/// <summary>
/// The dataset-side defense and the optimized attack in a miniature matrix: "filter" scans the poisoned pretraining
/// pairs with the poisoned model, drops the top-scoring share and retrains from scratch on the rest; "optimized"
/// poisons with the patch of a trigger file.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class MatrixFilterDefenseTests
{
    [Fact]
    public void FilterRetrainsOnTheScanFilteredTableAndTheOptimizedAttackUsesItsPatch()
    {
        using var dir = new TempDir();
        var patch = dir.File("patch.png");
        CleanClip.Poisoning.Optimized.PatchFile.Save(patch, Enumerable.Range(0, 3 * 6 * 6).Select(i => (i % 7) / 6f).ToArray(), 6);
        var options = new MatrixOptions
        {
            Demo = MatrixMiniatureTests.Recipe() with { LinearProbe = false, FilterFractions = [0.1] },
            Attacks = MatrixJob.ParseAttacks("optimized", patch),
            Defenses = MatrixJob.ParseDefenses("none,filter"),
            Seeds = [1],
            Output = dir.File("matrix"),
        };
        var ui = new DemoSmokeTests.SilentUi();
        var result = MatrixJob.Run(options, ui);

        Assert.Equal(["none", "filter"], result.Cells.Select(c => c.Defense));
        var attackDir = Path.Combine(dir.File("matrix"), "seed-1", "optimized");
        // Two pretrainings: the poisoned model and the one retrained on the filtered pairs.
        Assert.Equal(2, ui.Headings.Count(h => h.Contains("train a CLIP on the poisoned pairs") || h.Contains("retrain on the filtered pairs")));
        var scan = JsonDocument.Parse(File.ReadAllText(Path.Combine(attackDir, "filter-scan", "scan.json"))).RootElement;
        var filter = scan.GetProperty("filter");
        // 10 % of the 200 pretraining pairs.
        Assert.Equal(20, filter.GetProperty("removed").GetInt32());
        var filtered = filter.GetProperty("output").GetString()!;
        var poisonedTable = CleanClip.Data.ImageCaptionDataset.Load(Path.ChangeExtension(filtered, null).Replace(".filtered", "") + ".csv");
        Assert.Equal(poisonedTable.Count - 20, CleanClip.Data.ImageCaptionDataset.Load(filtered).Count);
        var config = File.ReadAllText(Path.Combine(attackDir, "filter", "config.json"));
        Assert.Contains(Path.GetFileName(filtered), config);
        Assert.True(RunCompletion.IsComplete(Path.Combine(attackDir, "filter")));
        // The poisoned table's triggered images carry the optimized patch, recorded in the poison manifest.
        var manifest = Directory.EnumerateFiles(dir.File("matrix"), "manifest.json", SearchOption.AllDirectories).Single();
        Assert.Contains("optimized", File.ReadAllText(manifest));
    }

    // Killed in its last round, the filter cell continues there: the finished first round (retrained model and the
    // scan that filtered its table) is kept and only the last round scans and retrains again, to the same model.
    [Fact]
    public void AKilledFilterCellKeepsItsFinishedRounds()
    {
        using var dir = new TempDir();
        var options = new MatrixOptions
        {
            Demo = MatrixMiniatureTests.Recipe() with { LinearProbe = false, FilterFractions = [0.1, 0.05] },
            Attacks = MatrixJob.ParseAttacks("badnet", null),
            Defenses = MatrixJob.ParseDefenses("filter"),
            Seeds = [1],
            Output = dir.File("matrix"),
        };
        var first = new DemoSmokeTests.SilentUi();
        MatrixJob.Run(options, first);
        Assert.Equal(2, first.Headings.Count(h => h.Contains("retrain on the filtered pairs")));
        var cellDir = Path.Combine(dir.File("matrix"), "seed-1", "badnet", "filter");
        var model = File.ReadAllBytes(Path.Combine(cellDir, "model.safetensors"));
        Directory.Delete(cellDir, recursive: true);   // as if killed while training the last round

        var second = new DemoSmokeTests.SilentUi();
        var result = MatrixJob.Run(options, second);
        Assert.Equal(["round 2 of 2"], second.Headings.Where(h => h.Contains("retrain on the filtered pairs")).Select(h => h[(h.IndexOf("round ") )..(h.IndexOf(')'))]));
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(cellDir, "model.safetensors")));
        Assert.Single(result.Cells);
    }
}
