using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Evaluation;

/// <summary>
/// A small synthetic world (32 px, 100 test images, 10 per class of 10, 60 captioned train images for retrieval), a second world's
/// test folder as a probe train split, a vocabulary trained on the captions, and two untrained tiny-vit checkpoints:
/// the numbers are noise, but every path of eval runs on them.
/// </summary>
public sealed class EvalWorld : IDisposable
{
    private readonly TempDir dir = new();
    public string TestFolder { get; }
    public string Classes => Path.Combine(TestFolder, "classes.json");
    public string Vocab { get; }
    public string First { get; }
    public string Second { get; }
    /// <summary>A labeled train split for the linear probe: the test folder of a second world (another seed, 60 images).</summary>
    public string ProbeTrainFolder { get; }
    /// <summary>The first 60 rows of the world's image–caption table, for retrieval.</summary>
    public string Captions { get; }
    public string Root => dir.Path;

    public EvalWorld()
    {
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 200, FinetuneCount = 10, TestCount = 100, ImageSize = 32, Supersampling = 2 }, dir.File("world"));
        TestFolder = Path.Combine(world.Folder, "test");
        // Retrieval on the first 60 rows keeps the tests quick; the images stay where the table's relative paths point.
        var trainTable = Path.Combine(world.Folder, "train", "train.csv");
        Captions = Path.Combine(world.Folder, "train", "retrieval.csv");
        File.WriteAllLines(Captions, File.ReadLines(trainTable).Take(61));
        var probeWorld = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 10, FinetuneCount = 10, TestCount = 60, ImageSize = 32, Supersampling = 2, Seed = 2 }, dir.File("probe-world"));
        ProbeTrainFolder = Path.Combine(probeWorld.Folder, "test");
        var captions = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv")).Rows.Select(r => r.Caption);
        Vocab = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(captions, Vocab, numMerges: 200);
        First = Save("poisoned.safetensors", seed: 1);
        Second = Save("cleaned.safetensors", seed: 2);
    }

    private string Save(string name, long seed)
    {
        var path = dir.File(name);
        torch.manual_seed(seed);
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit"));
        ModelLoader.Save(model, path);
        return path;
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>The test classes that share one <see cref="EvalWorld"/>, made once per run.</summary>
[CollectionDefinition(Name)]
public sealed class EvalWorldCollection : ICollectionFixture<EvalWorld>
{
    public const string Name = "eval world";
}
