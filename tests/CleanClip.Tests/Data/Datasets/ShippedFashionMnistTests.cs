using System.Security.Cryptography;
using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>The Fashion-MNIST subset in data/fashion-mnist is what its README says, and reads as Fashion-MNIST.</summary>
public class ShippedFashionMnistTests
{
    private static readonly string Folder = Path.Combine(TestPaths.RepoRoot, "data", "fashion-mnist");

    [Fact]
    public void ItHoldsTwelveThousandTrainAndTwoThousandTestImagesOfTheTenClasses()
    {
        var train = LabeledImageDataset.Load(Folder, split: DatasetSplit.Train);
        var test = LabeledImageDataset.Load(Folder);

        Assert.Equal(12_000, train.Count);
        Assert.Equal(2_000, test.Count);
        Assert.Equal(TorchvisionFolder.FashionMnistClasses, test.Classes.Classes);
        // The per-class counts the README states (first 12,000 and 2,000 of the full splits).
        Assert.Equal([1122, 1220, 1201, 1212, 1181, 1204, 1244, 1192, 1195, 1229], Enumerable.Range(0, 10).Select(c => train.Images.Count(i => i.Label == c)));
        Assert.Equal([200, 203, 214, 190, 219, 195, 197, 200, 194, 188], Enumerable.Range(0, 10).Select(c => test.Images.Count(i => i.Label == c)));
        Assert.All(test.Images.Take(10), i => Assert.Equal((28, 28), (i.Pixels!.Width, i.Pixels.Height)));
    }

    [Fact]
    public void ItsFilesHaveTheChecksumsTheReadmeStates()
    {
        var readme = File.ReadAllText(Path.Combine(Folder, "README.md"));
        foreach (var file in Directory.GetFiles(Folder, "*.gz"))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            Assert.Contains($"{hash}  {Path.GetFileName(file)}", readme);
        }
        Assert.Equal(4, Directory.GetFiles(Folder, "*.gz").Length);
    }
}
