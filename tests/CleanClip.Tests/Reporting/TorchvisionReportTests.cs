using CleanClip.Checkpoints;
using CleanClip.Evaluation;
using CleanClip.Reporting;
using CleanClip.Poisoning;
using CleanClip.Tests.Data.Datasets;
using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Reporting;

/// <summary>A report of an eval on a CIFAR folder draws its example grid from the folder's own classes and images.</summary>
public class TorchvisionReportTests
{
    [Fact]
    public void ExampleGridIsDrawnForAnEvalOnACifarFolder()
    {
        using var dir = new TempDir();
        var folder = dir.Cifar10("data", testLabels: [3, 9, 0, 8]);
        var vocab = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(["a photo of a cat.", "a photo of a ship."], vocab, numMerges: 20, minFrequency: 1);
        var run = Directory.CreateDirectory(dir.File("run")).FullName;
        var checkpoint = Path.Combine(run, "model.safetensors");
        using (var model = ModelLoader.Load("tiny-rn", seed: 4)) ModelLoader.Save(model, checkpoint);
        // As EvalJob writes it for such a folder: no classes file, so Classes is the dataset's folder.
        new EvalResults
        {
            EvalData = dir.File("data"), Classes = folder, Vocab = vocab, Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4 },
            Target = "cat", TargetIndex = 3, Seed = 1,
            Checkpoints = [new CheckpointEval { Checkpoint = checkpoint, Label = "m", Images = 4, AsrImages = 3 }],
        }.Write(Path.Combine(run, EvalResults.FileName));

        var result = ReportJob.Run(new ReportOptions { Runs = [run], Output = dir.File("report"), Examples = 3, Device = "cpu" });

        Assert.True(File.Exists(Path.Combine(dir.File("report"), "run-m-examples.png")), string.Join("; ", result.Notes));
    }
}
