using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training;
using CleanClip.Training.Augmentation;
using TorchSharp;

namespace CleanClip.Tests.Training;

/// <summary>A small synthetic world, a vocabulary trained on it, and fresh tiny-vit models (oneDNN's convolution
/// backward faults on narrow convolutions like tiny-rn's 4-channel stem, see docs/experiments/onednn-conv-nan.md).</summary>
internal sealed class TrainerFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public ImageCaptionDataset Train { get; }
    public ImageCaptionDataset Finetune { get; }
    public string Vocab { get; }
    public ClipTokenizer Tokenizer { get; }
    public string Root => _dir.Path;

    public TrainerFixture(int pairs = 96, int finetune = 32)
    {
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = pairs, FinetuneCount = finetune, TestCount = 20, ImageSize = 32, Seed = 4 }, _dir.File("world"));
        Train = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv"));
        Finetune = ImageCaptionDataset.Load(Path.Combine(world.Folder, "finetune", "finetune.csv"));
        Vocab = _dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(Train.Rows.Select(r => r.Caption), Vocab, numMerges: ModelRegistry.Get("tiny-vit").VocabSize - 514);
        Tokenizer = ClipTokenizer.FromVocabFile(Vocab);
    }

    public static ClipModel FreshModel(long seed = 7)
    {
        torch.manual_seed(seed);
        return new ClipModel(ModelRegistry.Get("tiny-vit"));
    }

    public TrainingRun Run(ClipModel model, TrainingOptions options, string runDir) => new()
    {
        Model = model, Tokenizer = Tokenizer, TrainData = Train, Options = options, RunDirectory = runDir,
        ImageAugmentation = new MirrorAndShift(), Init = "tiny-vit", Vocab = Vocab,
    };

    public void Dispose() => _dir.Dispose();

    /// <summary>A seeded stand-in augmentation: mirror or not, then a cyclic shift, both from the seed.</summary>
    private sealed class MirrorAndShift : IImageAugmentation
    {
        public string Name => "test";

        public RgbImage Apply(RgbImage image, ulong seed)
        {
            var random = new SplitMix64(seed);
            bool mirror = random.NextBool(0.5);
            int shift = random.NextInt(image.Width);
            var pixels = new byte[image.Pixels.Length];
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                {
                    int sx = ((mirror ? image.Width - 1 - x : x) + shift) % image.Width;
                    for (int c = 0; c < 3; c++) pixels[(y * image.Width + x) * 3 + c] = image.Pixels[(y * image.Width + sx) * 3 + c];
                }
            return new RgbImage(image.Width, image.Height, pixels);
        }
    }
}
