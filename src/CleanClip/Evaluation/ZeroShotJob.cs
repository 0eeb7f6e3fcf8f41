using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;

namespace CleanClip.Evaluation;

/// <summary>Options of <c>cleanclip zeroshot</c>; the CLI takes its defaults from here.</summary>
public sealed record ZeroShotOptions
{
    public required string Model { get; init; }
    public string? ModelConfig { get; init; }
    /// <summary>Head counts a checkpoint cannot tell (<c>--text-heads</c>, <c>--vision-heads</c>); they override the architecture's.</summary>
    public HeadCounts? Heads { get; init; }
    public required string Vocab { get; init; }
    /// <summary>Classes and templates; null only for a torchvision dataset folder, which has its classes built in.</summary>
    public string? Classes { get; init; }
    /// <summary>A folder of images, a CSV/TSV with an image column, or the test split of a torchvision dataset folder (<see cref="TorchvisionFolder"/>).</summary>
    public required string Images { get; init; }
    public string ImageKey { get; init; } = "image";
    public int TopK { get; init; } = 5;
    public TruncationMode Truncation { get; init; } = TruncationMode.KeepEndOfText;
    public int BatchSize { get; init; } = 32;
    public string Device { get; init; } = "auto";
    /// <summary>What the model computes in (features and scores are fp32 either way).</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Open TorchScript checkpoints, which can run code (<see cref="Checkpoints.CheckpointReadOptions.TrustTorchScript"/>).</summary>
    public bool TrustTorchScript { get; init; }
    public int DecodeThreads { get; init; } = 0;
}

/// <summary><c>cleanclip zeroshot</c>: the top-k class labels of each image under the prompt-ensemble classifier.</summary>
public static class ZeroShotJob
{
    public sealed record Prediction(string Image, IReadOnlyList<(string Label, float Score)> Top);

    public sealed record Result(IReadOnlyList<Prediction> Predictions, IReadOnlyList<SkippedInput> Skipped);

    public static Result Run(ZeroShotOptions options, IProgress<JobProgress>? progress = null)
    {
        var device = TorchDevice.Choose(options.Device);
        // A torchvision dataset folder is read like eval's --eval-data: its test split, with its own classes unless a file is given.
        var arrays = TorchvisionFolder.Detect(options.Images) is { } layout ? LabeledImageDataset.FromTorchvision(layout, DatasetSplit.Test, options.Classes) : null;
        var classes = arrays?.Classes ?? ClassesFile.Read(options.Classes
            ?? throw new ArgumentException($"--classes is required: {options.Images} is not a dataset with built-in classes (MNIST, Fashion-MNIST, CIFAR-10/100)"));
        var tokenizer = ClipTokenizer.FromVocabFile(options.Vocab, new TokenizerOptions { Truncation = options.Truncation });
        using var model = ModelLoader.Load(options.Model, options.ModelConfig, device: device, read: CheckpointReadOptions.Trusting(options.TrustTorchScript), heads: options.Heads);
        TokenizerFit.Check(model, tokenizer, options.Vocab);
        model.eval();
        model.Precision = options.Precision;
        var images = arrays is null ? ImageList.From(options.Images, options.ImageKey) : Array.Empty<(string Name, string Path)>();
        var classProgress = new Progress<int>(done => progress?.Report(new JobProgress("class embeddings", done, classes.Classes.Count)));
        using var classifier = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes, classesDone: classProgress);
        using var noGrad = torch.no_grad();

        var batches = ImageBatches.ForModel(model, options.BatchSize, options.DecodeThreads);
        var predictions = new List<Prediction>();
        int total = arrays?.Count ?? images.Count;
        foreach (var (names, pixels) in arrays is null ? batches.Read(images) : batches.Read(arrays.Images, arrays.Root))
        {
            using var scope = torch.NewDisposeScope();
            var (indices, scores) = classifier.TopK(model.ImageEmbeddings(pixels.to(device)), options.TopK);
            var ids = indices.cpu().data<long>().ToArray();
            var values = scores.cpu().data<float>().ToArray();
            int k = (int)indices.shape[1];
            for (int i = 0; i < names.Count; i++)
                predictions.Add(new Prediction(names[i], Enumerable.Range(0, k)
                    .Select(j => (classes.Classes[(int)ids[i * k + j]], values[i * k + j])).ToList()));
            progress?.Report(new JobProgress("images", predictions.Count, total));
        }
        progress?.Report(new JobProgress("images", total, total));
        return new Result(predictions, batches.Skipped);
    }

    /// <summary>The predictions as JSON: per image its top-k labels and cosine scores, plus the skipped images.</summary>
    public static void WriteJson(string path, Result result)
    {
        var document = new
        {
            predictions = result.Predictions.Select(p => new
            {
                image = p.Image,
                top = p.Top.Select(t => new { label = t.Label, score = t.Score }),
            }),
            skipped = result.Skipped.Select(s => new { name = s.Name, reason = s.Reason }),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
