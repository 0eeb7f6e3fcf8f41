using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Tests.Cli;
using CleanClip.Tests.Data.Datasets;
using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Text;

/// <summary><c>cleanclip vocab</c>: the demo's BPE trainer on a caption table, sized in tokens as a model counts them.</summary>
public class VocabJobTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string table;

    public VocabJobTests()
    {
        dir.Mnist(Path.Combine("FashionMNIST", "raw"), "train", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        table = CaptionTableJob.Run(new CaptionTableJobOptions
        {
            Data = dir.File("FashionMNIST"), Split = DatasetSplit.Train, Seed = 1, Out = dir.File(Path.Combine("captions", "table.csv")),
        }).Table;
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void TheVocabularyHasTheSizeAskedForAndTheDemosMerges()
    {
        var result = VocabJob.Run(new VocabJobOptions { TrainData = table, Size = 530, MinFrequency = 1, Out = dir.File("vocab.txt.gz") });

        Assert.Equal(530, result.VocabSize);
        Assert.Equal(16, result.Merges);
        Assert.Equal(530, ClipTokenizer.FromVocabFile(result.Path).VocabSize);
        var captions = ImageCaptionDataset.Load(table).Rows.Select(r => r.Caption);
        Assert.Equal(BpeTrainer.LearnMerges(captions, 16, 1), BpeVocabularyFile.Read(result.Path).Merges);
    }

    [Fact]
    public void ClassPromptsAreLearnedFromWhenAClassesFileIsGiven()
    {
        var classes = dir.Text("classes.json", """{"classes": ["zebra"], "templates": ["zzz {} qqq."]}""");
        var without = VocabJob.Run(new VocabJobOptions { TrainData = table, Size = 2000, MinFrequency = 1, Out = dir.File("a.txt") });
        var with = VocabJob.Run(new VocabJobOptions { TrainData = table, Size = 2000, MinFrequency = 1, Classes = classes, Out = dir.File("b.txt") });
        Assert.True(with.Merges > without.Merges, $"{with.Merges} merges with the prompts, {without.Merges} without");
    }

    [Fact]
    public void TheCommandRefusesASizeBelowTheBaseTokensAndAnExistingFile()
    {
        var (exit, output) = CliRunner.Run(VocabCommand.Create(), "--train-data", table, "--size", "100", "--out", dir.File("v.gz"));
        Assert.Equal(1, exit);
        Assert.Contains("--size 100: a vocabulary holds 514 base tokens", output);
        Assert.False(File.Exists(dir.File("v.gz")));

        var existing = dir.Text("old.txt.gz", "not mine to replace");
        (exit, output) = CliRunner.Run(VocabCommand.Create(), "--train-data", table, "--size", "600", "--out", existing);
        Assert.Equal(1, exit);
        Assert.Contains("exists; vocab writes a new file and replaces nothing", output);
        Assert.Equal("not mine to replace", File.ReadAllText(existing));

        (exit, output) = CliRunner.Run(VocabCommand.Create(), "--train-data", table, "--size", "600", "--out", dir.File("new.txt.gz"));
        Assert.True(exit == 0, output);
        Assert.Contains("tokens →", output);
    }
}
