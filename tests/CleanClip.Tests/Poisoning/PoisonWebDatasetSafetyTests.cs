using CleanClip.Cli.Commands;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Tests.Cli;
using CleanClip.Tests.Data.Datasets;
using CleanClip.Tests.Data.Shards;
using Xunit;
using static CleanClip.Tests.Poisoning.PoisonInputs;

namespace CleanClip.Tests.Poisoning;

/// <summary>
/// A WebDataset set obeys the CSV set's rules: it replaces only a set of its own format it can prove it wrote, needs
/// --overwrite to replace a complete one, and refuses bad options in one line; shards split at --samples-per-shard.
/// </summary>
public class PoisonWebDatasetSafetyTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string csv;

    public PoisonWebDatasetSafetyTests() => csv = Table(dir, 25);

    public void Dispose() => dir.Dispose();

    private PoisonJobOptions Options(string name, bool overwrite = false, PoisonOutputFormat format = PoisonOutputFormat.WebDataset) => new()
    {
        Input = csv, Name = name, Overwrite = overwrite, OutputFormat = format, Resolution = 16, SamplesPerShard = 10,
        Poison = new PoisonOptions { NumPoison = 3, Seed = 1 },
        Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4, Seed = 1 },
    };

    private string[] Args(string name, params string[] more) =>
        ["--input", csv, "--name", name, "--num-poison", "3", "--resolution", "16", "--patch-size", "4", .. more];

    [Fact]
    public void TwentyFiveRowsAtTenAShardGiveShardsOfTenTenAndFiveWithTheSameBytesForTheSameSeed()
    {
        var (exit, output) = CliRunner.Run(PoisonCommand.Create(), Args("s", "--output-format", "webdataset", "--samples-per-shard", "10"));
        Assert.True(exit == 0, output);
        Assert.Contains("{000000..000002}.tar", output);
        Assert.Equal(["000000.tar", "000001.tar", "000002.tar"], Directory.GetFiles(dir.File("s"), "*.tar").Select(Path.GetFileName).Order());
        Assert.Equal([10, 10, 5], Enumerable.Range(0, 3).Select(s => ShardFiles.ReadAll(dir.File($"s/{s:D6}.tar")).Samples.Count));
        Assert.Equal(25, CleanClip.Data.ShardDataset.Load(dir.File("s/{000000..000002}.tar")).Count);

        PoisonJob.Run(Options("t"));
        for (int s = 0; s < 3; s++) Assert.Equal(File.ReadAllBytes(dir.File($"s/{s:D6}.tar")), File.ReadAllBytes(dir.File($"t/{s:D6}.tar")));
    }

    [Fact]
    public void AUsersFolderOfTheSameNameIsRefusedAndLeftIntact()
    {
        dir.Text("mine/thesis.tex", "years of work");
        dir.Text("mine/000000.tar", "my own tar");
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("mine", overwrite: true)));
        Assert.Contains("not a poisoned set", error.Message);
        Assert.Equal("years of work", File.ReadAllText(dir.File("mine/thesis.tex")));
        Assert.Equal("my own tar", File.ReadAllText(dir.File("mine/000000.tar")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".mine.*"));
    }

    [Fact]
    public void ARerunNeedsOverwriteWhichReplacesTheSetButNotWhenItHoldsForeignFiles()
    {
        var first = PoisonJob.Run(Options("p"));
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("p") with { Poison = new PoisonOptions { NumPoison = 3, Seed = 2 } }));
        Assert.Contains("--overwrite", error.Message);
        var replaced = PoisonJob.Run(Options("p", overwrite: true) with { Poison = new PoisonOptions { NumPoison = 3, Seed = 2 } });
        Assert.Equal(first.Table, replaced.Table);
        Assert.Equal(2UL, Manifest(replaced.Folder).GetProperty("seed").GetUInt64());
        Assert.Empty(Directory.GetDirectories(dir.Path, ".p.*"));          // neither staging nor the old set is left

        File.WriteAllText(dir.File("p/my-notes.txt"), "keep me");
        var foreign = Assert.Throws<IOException>(() => PoisonJob.Run(Options("p", overwrite: true)));
        Assert.Contains("my-notes.txt", foreign.Message);
        Assert.Equal("keep me", File.ReadAllText(dir.File("p/my-notes.txt")));
    }

    [Fact]
    public void ASetOfTheOtherFormatIsNeverReplaced()
    {
        PoisonJob.Run(Options("c", format: PoisonOutputFormat.Csv));
        var table = File.ReadAllText(dir.File("c.csv"));
        var error = Assert.Throws<IOException>(() => PoisonJob.Run(Options("c", overwrite: true)));
        Assert.Contains("--output-format csv", error.Message);
        Assert.Equal(table, File.ReadAllText(dir.File("c.csv")));
        Assert.True(File.Exists(dir.File("c/manifest.json")));
        Assert.Empty(Directory.GetFiles(dir.File("c"), "*.tar"));

        PoisonJob.Run(Options("w"));
        var shards = Directory.GetFiles(dir.File("w")).Order().Select(File.ReadAllBytes).ToList();
        var back = Assert.Throws<IOException>(() => PoisonJob.Run(Options("w", overwrite: true, format: PoisonOutputFormat.Csv)));
        Assert.Contains("--output-format webdataset", back.Message);
        Assert.Equal(shards, Directory.GetFiles(dir.File("w")).Order().Select(File.ReadAllBytes));
        Assert.False(File.Exists(dir.File("w.csv")));
    }

    [Fact]
    public void ShardInputWithCsvOutputIsRefusedInOneLine()
    {
        ShardFiles.Write(dir.File("shards/00000.tar"), ShardFiles.Sample("000000000", Image(0), "a photo", "png"));
        var (exit, output) = CliRunner.Run(PoisonCommand.Create(), "--input", dir.File("shards/{00000..00000}.tar"), "--name", "x", "--num-poison", "1");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: --input", output.Trim());
        Assert.Contains("--output-format webdataset", output);
        Assert.Single(output.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir.File("shards/x")));
    }

    [Fact]
    public void ZeroSamplesPerShardIsRefusedNamingTheOption()
    {
        var (exit, output) = CliRunner.Run(PoisonCommand.Create(), Args("z", "--output-format", "webdataset", "--samples-per-shard", "0"));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: --samples-per-shard", output.Trim());
        Assert.Single(output.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir.File("z")));
    }
}
