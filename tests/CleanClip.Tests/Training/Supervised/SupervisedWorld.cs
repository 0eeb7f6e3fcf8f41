using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;

namespace CleanClip.Tests.Training.Supervised;

/// <summary>
/// An easy labeled folder for supervised finetuning: a synthetic world's test split (32 px, four shape kinds, no
/// clutter), its vocabulary, and an untrained tiny-vit checkpoint (oneDNN's convolution backward faults on narrow
/// convolutions like tiny-rn's 4-channel stem: docs/experiments/onednn-conv-nan.md).
/// </summary>
internal sealed class SupervisedWorld : IDisposable
{
    public static readonly string[] Kinds = ["circle", "square", "cross", "banana"];

    private readonly TempDir _dir = new();
    public string Root => _dir.Path;
    /// <summary>test/: labels.csv + classes.json.</summary>
    public string Folder { get; }
    public string Classes => Path.Combine(Folder, "classes.json");
    public string Vocab { get; }
    public string Checkpoint { get; }

    public SupervisedWorld(int images = 96, long seed = 4)
    {
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions
        {
            Count = 64, FinetuneCount = 8, TestCount = images, ImageSize = 32, Seed = seed, Kinds = Kinds,
            ClutterProbability = 0, Supersampling = 2,
        }, _dir.File("world"));
        Folder = Path.Combine(world.Folder, "test");
        var captions = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv")).Rows.Select(r => r.Caption);
        Vocab = _dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(captions, Vocab, numMerges: 200);
        Checkpoint = _dir.File("clip.safetensors");
        using var model = FreshModel();
        ModelLoader.Save(model, Checkpoint);
    }

    public static ClipModel FreshModel(long seed = 7)
    {
        torch.manual_seed(seed);
        return new ClipModel(ModelRegistry.Get("tiny-vit"));
    }

    public LabeledImageDataset Load() => LabeledImageDataset.Load(Folder);

    public void Dispose() => _dir.Dispose();
}
