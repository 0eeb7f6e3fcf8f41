using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>The linear head's initial weights, and its file (<c>head.safetensors</c>: head.weight, head.bias, class names).</summary>
public static class SupervisedHead
{
    public const string Prefix = "head.";
    public const string WeightKey = "head.weight", BiasKey = "head.bias";
    public const string ClassesMetadataKey = "cleanclip.classes";

    /// <summary>
    /// torch's default <c>nn.Linear</c> init (weight and bias U(−1/√D, 1/√D)), which the reference's head gets, drawn
    /// from the project's seeded stream so it does not depend on torch's global generator.
    /// </summary>
    public static (Tensor Weight, Tensor Bias) Random(int dimension, int classes, ulong seed)
    {
        var rng = new SplitMix64(seed);
        double bound = 1 / Math.Sqrt(dimension);
        var weight = new float[classes * dimension];
        var bias = new float[classes];
        for (int i = 0; i < weight.Length; i++) weight[i] = (float)rng.NextDouble(-bound, bound);
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)rng.NextDouble(-bound, bound);
        return (tensor(weight).view(classes, dimension), tensor(bias));
    }

    /// <summary>
    /// The zero-shot head: weight = E · s with E the unit class embeddings of <see cref="ZeroShotClassifier"/>
    /// (templates averaged), s = exp(logit_scale) / mean‖f‖ over the first <paramref name="normImages"/> readable
    /// images (eval mode), bias 0. Zero-shot scores exp(logit_scale)·cos(f, e_c); the head scores s·‖f‖·cos(f, e_c),
    /// so its argmax is exactly zero-shot's for every image and its logits are at zero-shot's temperature for an
    /// image of average feature norm — the cross-entropy starts where zero-shot stands rather than saturated or flat.
    /// </summary>
    public static (Tensor Weight, Tensor Bias, double Scale) ZeroShot(ClipModel model, ClipTokenizer tokenizer, ClassesFile classes,
        IReadOnlyList<string> imagePaths, int normImages = 256, int decodeThreads = 0)
    {
        using var scope = NewDisposeScope();
        using var zeroShot = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes);
        double meanNorm = MeanFeatureNorm(model, imagePaths.Take(normImages).ToList(), decodeThreads);
        double scale = Math.Exp(model.LogitScale.item<float>()) / meanNorm;
        var weight = zeroShot.ClassEmbeddings.cpu().mul(scale).MoveToOuterDisposeScope();
        return (weight, zeros(classes.Classes.Count).MoveToOuterDisposeScope(), scale);
    }

    /// <summary>The mean L2 norm of the unnormalised image features of <paramref name="imagePaths"/> (unreadable ones left out), in eval mode.</summary>
    public static double MeanFeatureNorm(ClipModel model, IReadOnlyList<string> imagePaths, int decodeThreads = 0)
    {
        if (imagePaths.Count == 0) throw new ArgumentException("no images to measure feature norms on", nameof(imagePaths));
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution });
        var pipeline = ImagePipeline.FromFiles(imagePaths, preprocessor,
            new PipelineOptions { BatchSize = 64, Shuffle = false, DecodeThreads = decodeThreads }, normalize: true);
        var device = model.TokenEmbedding.weight!.device;
        bool wasTraining = model.training;
        model.eval();
        double sum = 0;
        long count = 0;
        try
        {
            using var noGrad = no_grad();
            using var batches = pipeline.Start(0);
            foreach (var batch in batches)
                using (batch)
                using (var step = NewDisposeScope())
                {
                    sum += model.EncodeImage(batch[ImagePipeline.Pixels].to(device)).norm(1).sum().item<float>();
                    count += batch.Count;
                }
        }
        finally
        {
            model.train(wasTraining);
        }
        if (count == 0) throw new InvalidDataException($"none of the {imagePaths.Count} images to measure feature norms on could be read");
        return sum / count;
    }

    public static void Write(string path, Tensor weight, Tensor bias, IReadOnlyList<string> classNames)
    {
        using var scope = NewDisposeScope();
        Safetensors.Write(path, new Dictionary<string, Tensor>
        {
            [WeightKey] = weight.detach().cpu().contiguous(),
            [BiasKey] = bias.detach().cpu().contiguous(),
        }, new Dictionary<string, string>
        {
            [ClassesMetadataKey] = JsonSerializer.Serialize(classNames),
            ["format"] = "pt",
        });
    }

    /// <summary>Reads a head file: weight [C, D], bias [C] and C class names.</summary>
    public static (Tensor Weight, Tensor Bias, IReadOnlyList<string> Classes) Read(string path)
    {
        var tensors = Safetensors.Read(path);
        var metadata = Safetensors.ReadMetadata(path);
        try
        {
            if (!tensors.TryGetValue(WeightKey, out var weight) || !tensors.TryGetValue(BiasKey, out var bias))
                throw new InvalidDataException($"{path}: a head file holds '{WeightKey}' and '{BiasKey}'; it has {string.Join(", ", tensors.Keys)}");
            if (!metadata.TryGetValue(ClassesMetadataKey, out var json))
                throw new InvalidDataException($"{path}: no '{ClassesMetadataKey}' metadata (the class names)");
            string[] classes;
            try { classes = JsonSerializer.Deserialize<string[]>(json) ?? []; }
            catch (JsonException e) { throw new InvalidDataException($"{path}: '{ClassesMetadataKey}' is not a JSON list of names ({e.Message})", e); }
            if (weight.dim() != 2 || bias.dim() != 1 || weight.shape[0] != classes.Length || bias.shape[0] != classes.Length)
                throw new InvalidDataException($"{path}: weight [{string.Join(", ", weight.shape)}] and bias [{string.Join(", ", bias.shape)}] do not fit {classes.Length} classes");
            tensors.Remove(WeightKey);
            tensors.Remove(BiasKey);
            return (weight, bias, classes);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
