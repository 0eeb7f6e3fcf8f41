using System.Text.Json;
using CleanClip.Data;
using CleanClip.Demo;
using CleanClip.Evaluation;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>
/// <c>demo --world real</c> in miniature (300 pretraining and 100 cleaning images of the shipped Fashion-MNIST subset,
/// tiny-vit, one epoch each; numbers meaningless at this size): every stage runs and writes well-formed outputs.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoRealWorldTests
{
    [Fact]
    public void AMiniatureRealWorldDemoRunsEveryStageOnDisjointImages()
    {
        using var dir = new TempDir();
        var d = DemoOptions.RealWorld(new DemoOptions());
        var options = d with
        {
            Output = dir.File("demo"), Model = "tiny-vit", Merges = 300,
            Real = d.Real with { Data = Path.Combine(TestPaths.RepoRoot, "data", "fashion-mnist"), Pretraining = new(0, 300), Cleaning = new(11_900, 12_000) },
            Pretraining = d.Pretraining with { Epochs = 1, BatchSize = 32, WarmupSteps = 2 },
            Cleaning = d.Cleaning with { Epochs = 1, BatchSize = 16, WarmupSteps = 2 },
            Supervised = d.Supervised! with { Epochs = 1, BatchSize = 16, WarmupSteps = 2 },
            DecodeThreads = 1,
        };
        var ui = new DemoSmokeTests.SilentUi();
        var result = DemoJob.Run(options, ui);
        DemoCommandsParseTests.AssertParse(result.Commands);

        Assert.Equal(["poisoned", "cleanclip", "mmcl", "ssl", "supervised"], result.Rows.Select(r => r.Stage));
        Assert.All(result.Rows, r => Assert.InRange(r.AttackSuccessRate!.Value, 0, 1));
        Assert.All(result.Rows, r => Assert.InRange(r.AttackSuccessRate5!.Value, r.AttackSuccessRate!.Value, 1));
        // The probe scores the CLIP checkpoints; the supervised row is its own head.
        Assert.All(result.Rows.SkipLast(1), r => Assert.InRange(r.LinearProbeAttackSuccessRate!.Value, 0, 1));
        Assert.Null(result.Rows[^1].LinearProbeAttackSuccessRate);
        Assert.Contains("1/6 Fashion-MNIST: pretraining pairs", ui.Headings);
        Assert.DoesNotContain(ui.Headings, h => h.Contains("synthetic"));

        // Pretraining and cleaning tables from the two ranges, sharing no image; the poisoned copy beside the first.
        var world = Path.Combine(options.Output, DemoJob.RealWorldFolder);
        var pretraining = ImageCaptionDataset.Load(Path.Combine(world, "pretrain", "table.csv"));
        var cleaning = LabeledImageDataset.Load(Path.Combine(world, "clean"));
        Assert.Equal(300, pretraining.Count);
        Assert.Equal(100, cleaning.Count);
        Assert.Empty(pretraining.Rows.Select(r => Path.GetFileName(r.ImagePath)).Intersect(cleaning.Images.Select(i => Path.GetFileName(i.ImagePath))));
        Assert.Equal(TorchvisionFolder.FashionMnistClasses, cleaning.Classes.Classes);
        var poisoned = ImageCaptionDataset.Load(Path.Combine(world, "pretrain", "poisoned.csv"));
        var triggered = poisoned.Rows.Where(r => r.ImagePath.Replace('\\', '/').Contains("/poisoned/images/")).ToList();
        Assert.Equal(15, triggered.Count);
        Assert.All(triggered, r => Assert.Equal("a photo of a sneaker.", r.Caption));
        Assert.True(File.Exists(Path.Combine(world, "pretrain", "poisoned", "manifest.json")));

        // Evaluated on the shipped test split, against the sneaker target, with the probe.
        var eval = EvalResults.Read(Path.Combine(options.Output, "eval", "eval.json"));
        Assert.Equal(5, eval.Checkpoints.Count);
        Assert.Equal("sneaker", eval.Target);
        Assert.All(eval.Checkpoints, c => Assert.Equal(2_000, c.Images));
        Assert.All(eval.Checkpoints, c => Assert.Equal(1_800, c.AsrImages));
        using var results = JsonDocument.Parse(File.ReadAllText(result.ResultsJson));
        Assert.Equal("real", results.RootElement.GetProperty("options").GetProperty("world_kind").GetString());
        Assert.Equal("0:300", results.RootElement.GetProperty("options").GetProperty("real").GetProperty("pretraining_range").GetString());
        Assert.True(File.Exists(result.Report));

        // The commands that redo it: caption-table from both ranges, vocab, and eval on the data folder.
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip caption-table ") && c.Contains("--range 0:300"));
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip caption-table ") && c.Contains("--range 11900:12000"));
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip vocab "));
        Assert.Contains(result.Commands, c => c.StartsWith("cleanclip eval ") && c.Contains("--probe-train-data") && c.Contains("--target sneaker"));
        Assert.DoesNotContain(result.Commands, c => c.StartsWith("cleanclip synth "));

        // A rerun into the same demo folder replaces the world rather than refusing.
        var again = DemoJob.Run(options with { Pretraining = options.Pretraining with { Epochs = 1 }, Methods = [], Supervised = null, LinearProbe = false }, new DemoSmokeTests.SilentUi());
        Assert.Equal(["poisoned"], again.Rows.Select(r => r.Stage));
        Assert.Equal(300, ImageCaptionDataset.Load(Path.Combine(world, "pretrain", "table.csv")).Count);
    }
}
