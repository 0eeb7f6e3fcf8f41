using CleanClip.Cli.Commands;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Tests.Cli;
using SkiaSharp;
using Xunit;

namespace CleanClip.Tests.Poisoning;

/// <summary>
/// <c>cleanclip poison</c> replaces only a set it can prove it wrote (its marker, nothing foreign inside, a table whose
/// hash its manifest records) and never a folder that holds its input: hostile names and look-alike folders.
/// </summary>
public class PoisonSafetyTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string csv;

    public PoisonSafetyTests()
    {
        Directory.CreateDirectory(dir.File("images"));
        var lines = new List<string> { "image,caption" };
        for (int i = 0; i < 12; i++)
        {
            using var bitmap = new SKBitmap(32, 32);
            bitmap.Erase(new SKColor((byte)(i * 20), 90, 40));
            File.WriteAllBytes(dir.File($"images/{i:D2}.png"), bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray());
            lines.Add($"images/{i:D2}.png,a banana number {i}");
        }
        csv = dir.File("train.csv");
        File.WriteAllLines(csv, lines);
        File.WriteAllText(dir.File("notes.txt"), "unrelated");
    }

    public void Dispose() => dir.Dispose();

    private PoisonJobOptions Options(string name, bool overwrite = false) => new()
    {
        Input = csv, Name = name, Overwrite = overwrite, Resolution = 32,
        Poison = new PoisonOptions { NumPoison = 3, Seed = 1 },
        Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4 },
    };

    /// <summary>The input table, its 12 images and the unrelated file are all still there, unchanged in number.</summary>
    private void AssertInputIntact()
    {
        Assert.True(File.Exists(csv));
        Assert.Equal(12, Directory.GetFiles(dir.File("images")).Length);
        Assert.Equal("unrelated", File.ReadAllText(dir.File("notes.txt")));
    }

    [Fact]
    public void AnEmptyNameWithOverwriteIsRefusedAndDeletesNothing()
    {
        var error = Assert.Throws<ArgumentException>(() => PoisonJob.Run(Options("", overwrite: true)));
        Assert.Contains("--name", error.Message);
        Assert.Throws<ArgumentException>(() => PoisonJob.Run(Options("  ", overwrite: true)));
        AssertInputIntact();
    }

    [Fact]
    public void TheCliReportsAnEmptyNameInOneLineAndExits1()
    {
        var (exit, output) = CliRunner.Run(PoisonCommand.Create(), "--input", csv, "--name", "", "--overwrite", "--num-poison", "3", "--resolution", "32");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: --name is empty", output.Trim());
        Assert.Single(output.Trim().Split('\n'));
        AssertInputIntact();
    }

    [Fact]
    public void AUserFolderHoldingATableCsvIsNeverTakenForAnInterruptedPublish()
    {
        Directory.CreateDirectory(dir.File("mine"));
        File.WriteAllText(dir.File("mine/table.csv"), "my own table");
        File.WriteAllText(dir.File("mine/thesis.tex"), "years of work");
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("mine")));
        Assert.Contains("not a poisoned set", error.Message);
        Assert.Throws<IOException>(() => PoisonJob.Run(Options("mine", overwrite: true)));
        Assert.Equal("years of work", File.ReadAllText(dir.File("mine/thesis.tex")));
        Assert.Equal("my own table", File.ReadAllText(dir.File("mine/table.csv")));
        Assert.False(File.Exists(dir.File("mine.csv")));
    }

    [Fact]
    public void TheInputsImageFolderIsNeverReplaced()
    {
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("images", overwrite: true)));
        Assert.Contains("input", error.Message);
        AssertInputIntact();
        Assert.False(File.Exists(dir.File("images.csv")));
    }

    [Fact]
    public void AUsersTableOfTheSameNameIsNotReplacedEvenWithOverwrite()
    {
        File.WriteAllText(dir.File("p.csv"), "image,caption\nmy,own\n");
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("p", overwrite: true)));
        Assert.Contains("p.csv", error.Message);
        Assert.Equal("image,caption\nmy,own\n", File.ReadAllText(dir.File("p.csv")));
        Assert.False(Directory.Exists(dir.File("p")));
    }

    [Fact]
    public void AnOwnSetIsReplacedWithOverwriteButNotWhenItHoldsForeignFilesOrItsTableWasEdited()
    {
        var first = PoisonJob.Run(Options("p"));
        var replaced = PoisonJob.Run(Options("p", overwrite: true));
        Assert.Equal(first.Table, replaced.Table);
        Assert.Empty(Directory.GetDirectories(dir.Path, ".p.*"));          // neither staging nor the old set is left

        File.WriteAllText(dir.File("p/my-notes.txt"), "keep me");
        var foreign = Assert.Throws<IOException>(() => PoisonJob.Run(Options("p", overwrite: true)));
        Assert.Contains("my-notes.txt", foreign.Message);
        Assert.Equal("keep me", File.ReadAllText(dir.File("p/my-notes.txt")));
        File.Delete(dir.File("p/my-notes.txt"));

        File.AppendAllText(dir.File("p.csv"), "images/00.png,an edit by hand,0\n");
        Assert.Throws<IOException>(() => PoisonJob.Run(Options("p", overwrite: true)));
        Assert.Contains("an edit by hand", File.ReadAllText(dir.File("p.csv")));
        AssertInputIntact();
    }

    [Fact]
    public void AnInterruptedPublishOfItsOwnIsFinishedWithoutOverwrite()
    {
        var first = PoisonJob.Run(Options("p"));
        var bytes = File.ReadAllBytes(first.Table);
        // The state a kill between the publish's two renames leaves: the set's folder holds its table, NAME.csv is missing.
        File.Move(first.Table, Path.Combine(first.Folder, "table.csv"));
        var again = PoisonJob.Run(Options("p"));
        Assert.Equal(bytes, File.ReadAllBytes(again.Table));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".p.*"));
    }

    [Fact]
    public void StaleStagingFoldersAreRemovedOnlyWhenProvenOwn()
    {
        var own = dir.File(".p.partial-1");
        OwnedFolder.Create(own, "cleanclip-poison/1 p");
        var other = dir.File(".p.partial-users");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "data.bin"), "not from cleanclip");
        var otherSet = dir.File(".p.old-2");
        OwnedFolder.Create(otherSet, "cleanclip-poison/1 q");           // marked, but for another set's name

        PoisonJob.Run(Options("p"));
        Assert.False(Directory.Exists(own));
        Assert.Equal("not from cleanclip", File.ReadAllText(Path.Combine(other, "data.bin")));
        Assert.True(Directory.Exists(otherSet));
    }

    [Fact]
    public void ALinkNamedLikeTheSetIsRefused()
    {
        Directory.CreateSymbolicLink(dir.File("p"), dir.Path);
        Assert.Throws<IOException>(() => PoisonJob.Run(Options("p", overwrite: true)));
        AssertInputIntact();
        File.CreateSymbolicLink(dir.File("q.csv"), csv);
        Assert.Throws<IOException>(() => PoisonJob.Run(Options("q", overwrite: true)));
        AssertInputIntact();
    }
}
