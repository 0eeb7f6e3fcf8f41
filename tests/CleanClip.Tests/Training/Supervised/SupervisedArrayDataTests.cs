using CleanClip.Tests.Data.Datasets;
using CleanClip.Training.Supervised;
using Xunit;

namespace CleanClip.Tests.Training.Supervised;

/// <summary>finetune-supervised reads image files: a CIFAR or MNIST folder given as its train data is refused with the way out.</summary>
public class SupervisedArrayDataTests
{
    [Fact]
    public void ACifarFolderAsTrainDataIsRefusedPointingToCaptionTable()
    {
        using var dir = new TempDir();
        dir.Cifar10("data", testLabels: [0, 1]);

        var e = Assert.Throws<ArgumentException>(() => SupervisedJob.Run(new SupervisedJobOptions
        {
            TrainData = dir.File("data"), Checkpoint = "tiny-rn", Out = dir.File("run"), Device = "cpu",
        }));

        Assert.Contains("cleanclip caption-table --split train", e.Message);
        Assert.False(Directory.Exists(dir.File("run")));
    }
}
