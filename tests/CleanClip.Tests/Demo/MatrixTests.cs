using CleanClip.Demo;
using CleanClip.Poisoning.Dataset;
using CleanClip.Training;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>The matrix's lists and its aggregation over seeds, without training anything.</summary>
public class MatrixTests
{
    [Fact]
    public void AttacksAndDefensesAreParsedInOrderCaseInsensitively()
    {
        var attacks = MatrixJob.ParseAttacks(" BadNet, blended ,label-consistent");
        Assert.Equal(["badnet", "blended", "label-consistent"], attacks.Select(a => a.Name));
        Assert.Equal(("badnet", PoisonMode.LabelConsistent), (attacks[2].Trigger, attacks[2].Mode));
        Assert.Equal(PoisonMode.DirtyLabel, attacks[0].Mode);
        var defenses = MatrixJob.ParseDefenses("none,cleanclip,supervised,par");
        Assert.Equal(["none", "cleanclip", "supervised", "par"], defenses.Select(d => d.Name));
        Assert.Equal([null, TrainingMethod.CleanClip, null, TrainingMethod.Par], defenses.Select(d => d.Method));
        Assert.True(defenses[0].IsNone);
        Assert.True(defenses[2].IsSupervised);
    }

    [Fact]
    public void TheOptimizedAttackTakesItsPatchFromTheTriggerFile()
    {
        var attack = Assert.Single(MatrixJob.ParseAttacks("optimized", "patch.png"));
        Assert.Equal(("optimized", "optimized", Path.GetFullPath("patch.png")), (attack.Name, attack.Trigger, attack.TriggerFile));
        Assert.Null(MatrixJob.ParseAttacks("badnet", "patch.png")[0].TriggerFile);
    }

    [Fact]
    public void EveryTriggerOfTheLibraryIsAnAttack()
    {
        foreach (var name in CleanClip.Poisoning.TriggerFactory.Names) Assert.Single(MatrixJob.ParseAttacks(name));
    }

    [Theory]
    [InlineData("badnet,fancy", "--attacks: unknown attack 'fancy'")]
    [InlineData("badnet,badnet", "--attacks: attack 'badnet' is listed twice")]
    [InlineData(" , ", "no attack")]
    [InlineData("optimized", "'optimized' needs its patch: pass --trigger-file F")]
    public void ABadAttackListIsOneLineNamingIt(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => MatrixJob.ParseAttacks(text));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("none,scan", "--defenses: unknown defense 'scan'; known defenses: none, mmcl, cleanclip, ssl, supervised, par, filter")]
    [InlineData("mmcl,MMCL", "--defenses: defense 'MMCL' is listed twice")]
    public void ABadDefenseListIsOneLineNamingIt(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => MatrixJob.ParseDefenses(text));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void CellsAreSummarisedPerAttackAndDefenseByMeanMinAndMax()
    {
        MatrixCell Cell(ulong seed, string attack, string defense, double? ca, double? asr, double? lp) => new(seed, attack, defense, ca, asr, null, null, lp);
        var summary = MatrixJob.Summarize(
        [
            Cell(1, "badnet", "none", 0.50, 0.90, 0.80), Cell(1, "badnet", "cleanclip", 0.40, 0.10, null),
            Cell(2, "badnet", "none", 0.60, 0.70, 0.60), Cell(2, "badnet", "cleanclip", 0.44, 0.04, null),
            Cell(3, "badnet", "none", 0.55, 0.98, 0.70),
        ]);
        Assert.Equal([("badnet", "none"), ("badnet", "cleanclip")], summary.Select(s => (s.Attack, s.Defense)));
        var none = summary[0];
        Assert.Equal(0.55, none.CleanAccuracy!.Mean, 12);
        Assert.Equal((0.50, 0.60, 3), (none.CleanAccuracy.Min, none.CleanAccuracy.Max, none.CleanAccuracy.Seeds));
        Assert.Equal((0.90 + 0.70 + 0.98) / 3, none.AttackSuccessRate!.Mean, 12);
        Assert.Equal((0.70, 0.98), (none.AttackSuccessRate.Min, none.AttackSuccessRate.Max));
        Assert.Equal(0.70, none.LinearProbeAttackSuccessRate!.Mean, 12);
        Assert.Null(none.AttackSuccessRate5);
        var cleaned = summary[1];
        Assert.Equal(0.07, cleaned.AttackSuccessRate!.Mean, 12);
        Assert.Equal((0.04, 0.10, 2), (cleaned.AttackSuccessRate.Min, cleaned.AttackSuccessRate.Max, cleaned.AttackSuccessRate.Seeds));
        Assert.Null(cleaned.LinearProbeAttackSuccessRate);
        Assert.Equal("7.0% (4.0–10.0)", DemoSeeds.Spread(cleaned.AttackSuccessRate));
    }

    [Fact]
    public void AFolderThatIsNotAMatrixsOwnIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        var mine = Directory.CreateDirectory(dir.File("mine")).FullName;
        File.WriteAllText(Path.Combine(mine, "notes.txt"), "mine");
        var ui = new DemoSmokeTests.SilentUi();
        var error = Assert.Throws<IOException>(() => MatrixJob.Run(new MatrixOptions
        {
            Demo = new DemoOptions(), Attacks = MatrixJob.ParseAttacks("badnet"), Defenses = MatrixJob.ParseDefenses("none"), Output = mine,
        }, ui));
        Assert.Contains("not a matrix's folder", error.Message);
        Assert.Empty(ui.Headings);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(mine).Select(Path.GetFileName));
    }
    [Fact]
    public void ARerunWithAnotherRecipeIsRefusedNamingTheDifference()
    {
        // The first run keeps its recipe; the device, output and seed are not part of it.
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(dir.File("matrix")).FullName;
        var recipe = new DemoOptions();
        MatrixJob.KeepRecipe(folder, recipe);
        Assert.True(File.Exists(Path.Combine(folder, MatrixJob.RecipeFile)));
        MatrixJob.KeepRecipe(folder, recipe with { Device = "cpu", Output = "elsewhere", Seed = 7 });

        // Another patch size would reuse poisoned models built with the old one: refused, naming the key and both values.
        var error = Assert.Throws<ArgumentException>(() => MatrixJob.KeepRecipe(folder, recipe with { Trigger = recipe.Trigger with { PatchSize = 12 } }));
        Assert.Contains("trigger.patch_size: 8 → 12", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        // Through the matrix: refused before any stage runs, the folder as it was.
        OwnedFolder.Create(folder, MatrixJob.OutputTag);
        var before = Directory.EnumerateFileSystemEntries(folder).Order().ToList();
        var ui = new DemoSmokeTests.SilentUi();
        var rerun = Assert.Throws<ArgumentException>(() => MatrixJob.Run(new MatrixOptions
        {
            Demo = recipe with { PoisonRate = 0.01 }, Attacks = MatrixJob.ParseAttacks("badnet"), Defenses = MatrixJob.ParseDefenses("none"), Output = folder,
        }, ui));
        Assert.Contains("poison_rate: 0.05 → 0.01", rerun.Message);
        Assert.Empty(ui.Headings);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(folder).Order().ToList());
    }
    [Theory]
    [InlineData(0, "patch size must be positive")]
    [InlineData(40, "does not fit a 32x32 image")]
    public void APatchSizeTheImagesCannotTakeIsRefusedBeforeAnythingIsWritten(int patchSize, string expected)
    {
        using var dir = new TempDir();
        var recipe = new DemoOptions();
        var ui = new DemoSmokeTests.SilentUi();
        var matrix = Assert.Throws<ArgumentException>(() => MatrixJob.Run(new MatrixOptions
        {
            Demo = recipe with { Trigger = recipe.Trigger with { PatchSize = patchSize } }, Attacks = MatrixJob.ParseAttacks("blended,badnet"),
            Defenses = MatrixJob.ParseDefenses("none"), Output = dir.File("matrix"),
        }, ui));
        Assert.Contains($"--patch-size {patchSize}", matrix.Message);
        Assert.Contains(expected, matrix.Message);
        var demo = Assert.Throws<ArgumentException>(() => DemoJob.Run(recipe with { Trigger = recipe.Trigger with { PatchSize = patchSize }, Output = dir.File("demo") }, ui));
        Assert.Contains(expected, demo.Message);
        Assert.Empty(ui.Headings);
        Assert.False(Directory.Exists(dir.File("matrix")) || Directory.Exists(dir.File("demo")));
    }
    [Fact]
    public void AnOptimizedPatchTooLargeIsRefusedNamingItsFile()
    {
        using var dir = new TempDir();
        var patch = dir.File("big.npy");
        CleanClip.Poisoning.Optimized.PatchFile.Save(patch, new float[3 * 40 * 40], 40);
        var error = Assert.Throws<ArgumentException>(() => MatrixJob.Run(new MatrixOptions
        {
            Demo = new DemoOptions(), Attacks = MatrixJob.ParseAttacks("optimized", patch), Defenses = MatrixJob.ParseDefenses("none"),
            Output = dir.File("matrix"),
        }, new DemoSmokeTests.SilentUi()));
        Assert.Contains($"the patch of {Path.GetFullPath(patch)}", error.Message);
        Assert.DoesNotContain("--patch-size", error.Message);
        Assert.False(Directory.Exists(dir.File("matrix")));
    }
}
