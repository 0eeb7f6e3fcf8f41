using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Evaluation;

/// <summary>
/// A small synthetic world (32 px, 100 test images, 10 per class of 10), a vocabulary trained on its captions, and two
/// untrained tiny-vit checkpoints: the numbers are noise, but every path of eval runs on them.
/// </summary>
public sealed class EvalWorld : IDisposable
{
    private readonly TempDir dir = new();
    public string TestFolder { get; }
    public string Classes => Path.Combine(TestFolder, "classes.json");
    public string Vocab { get; }
    public string First { get; }
    public string Second { get; }
    public string Root => dir.Path;

    public EvalWorld()
    {
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 200, FinetuneCount = 10, TestCount = 100, ImageSize = 32, Supersampling = 2 }, dir.File("world"));
        TestFolder = Path.Combine(world.Folder, "test");
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
