using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Tests.Data.Datasets;
using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary><c>eval --eval-data</c> and <c>zeroshot --images</c> on CIFAR and Fashion-MNIST folders in torchvision's layout.</summary>
public class TorchvisionEvalDataTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string model, vocab;

    public TorchvisionEvalDataTests()
    {
        vocab = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(["a photo of a cat.", "a photo of a ship.", "a photo of a dress.", "a photo of a bag."], vocab, numMerges: 50, minFrequency: 1);
        model = dir.File("tiny.safetensors");
        using var clip = new ClipModel(ModelRegistry.Get("tiny-rn"));
        ModelLoader.Save(clip, model);
    }

    public void Dispose() => dir.Dispose();

    private string[] EvalArgs(string evalData, params string[] more) =>
        ["--checkpoint", model, "--eval-data", evalData, "--vocab", vocab, "--target", "cat", "--trigger", "badnet", "--patch-size", "4",
         "--out", dir.File("out"), "--cache-dir", dir.File("cache"), "--device", "cpu", .. more];

    [Fact]
    public void EvalReadsTheTestSplitOfACifar10Folder()
    {
        dir.Cifar10("data", testLabels: [3, 9, 0, 8, 1]);

        var (exit, output) = CliRunner.Run(EvalCommand.Create(), EvalArgs(dir.File("data")));

        Assert.True(exit == 0, output);
        var results = EvalResults.Read(Path.Combine(dir.File("out"), EvalResults.FileName));
        Assert.Equal(5, results.Checkpoints[0].Images);
        Assert.Equal("cat", results.Target);
        // Four images are not of the target class 'cat', so ASR is measured on them.
        Assert.Equal(4, results.Checkpoints[0].AsrImages);
    }

    [Fact]
    public void TheLinearProbeTrainsOnTheTrainSplitOfTheSameFolder()
    {
        var folder = dir.Cifar10("data", testLabels: [3, 9, 0, 8, 1], perTrainBatch: 2);
        string[] probe = ["--metrics", "ca,linear-probe", "--probe-train-data", dir.File("data")];

        var (exit, output) = CliRunner.Run(EvalCommand.Create(), EvalArgs(dir.File("data"), probe));
        Assert.True(exit == 0, output);
        Assert.NotNull(EvalResults.Read(Path.Combine(dir.File("out"), EvalResults.FileName)).Checkpoints[0].LinearProbeAccuracy);

        // Without its train batches the folder has no train split: the probe's data is read from them, not from test_batch.
        File.Delete(Path.Combine(folder, "data_batch_3"));
        (exit, output) = CliRunner.Run(EvalCommand.Create(), EvalArgs(dir.File("data"), probe));
        Assert.Equal(1, exit);
        Assert.Contains("no data_batch_3 (the CIFAR batch file of this split)", output);
    }

    [Fact]
    public void ZeroshotNeedsNoClassesFileForAFashionMnistFolder()
    {
        dir.Mnist(Path.Combine("FashionMNIST", "raw"), "t10k", [3, 8]);

        var (exit, output) = CliRunner.Run(ZeroShotCommand.Create(),
            "--model", model, "--vocab", vocab, "--images", dir.File("FashionMNIST"), "--top-k", "10", "--device", "cpu", "--json", dir.File("z.json"));

        Assert.True(exit == 0, output);
        Assert.Contains("t10k-images-idx3-ubyte.gz#1", output);
        var json = File.ReadAllText(dir.File("z.json"));
        Assert.Contains("\"ankle boot\"", json);
    }

    [Fact]
    public void ZeroshotWithoutClassesOnAnOrdinaryFolderSaysClassesAreNeeded()
    {
        dir.Png(Path.Combine("imgs", "a.png"));

        var (exit, output) = CliRunner.Run(ZeroShotCommand.Create(),
            "--model", model, "--vocab", vocab, "--images", dir.File("imgs"), "--device", "cpu");

        Assert.Equal(1, exit);
        Assert.Contains("--classes is required", output);
    }
}
