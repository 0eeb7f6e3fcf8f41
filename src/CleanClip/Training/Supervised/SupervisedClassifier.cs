using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>
/// The reference's <c>Finetune</c> module: CLIP's image tower on unnormalised features → Linear(EmbedDim → C).
/// The text tower is carried along (the result is still a CLIP checkpoint) but never receives a gradient.
/// </summary>
public sealed class SupervisedClassifier : nn.Module<Tensor, Tensor>
{
    public const string HeadFileName = "head.safetensors";
    private const string ClassesKey = "cleanclip.classes";

    private readonly Linear head;

    public ClipModel Clip { get; }
    public IReadOnlyList<string> Classes { get; }
    public Linear Head => head;

    public SupervisedClassifier(ClipModel clip, IReadOnlyList<string> classes) : base(nameof(SupervisedClassifier))
    {
        Clip = clip;
        Classes = classes;
        head = nn.Linear(clip.Config.EmbedDim, classes.Count);
        register_module("head", head);
    }

    /// <summary>Class logits [N, C] of normalised pixels.</summary>
    public override Tensor forward(Tensor pixels) => head.forward(Clip.EncodeImage(pixels));

    /// <summary>
    /// Head rows = unit zero-shot class embeddings [C, D] divided by <paramref name="featureNorm"/>, the mean norm of the
    /// unnormalised training features, biases 0: the first logits are the zero-shot cosines (times |f| / mean |f| ≈ 1),
    /// so finetuning starts from the zero-shot classifier instead of from chance.
    /// </summary>
    public void InitializeFromClassEmbeddings(Tensor classEmbeddings, double featureNorm)
    {
        using var noGrad = no_grad();
        head.weight!.copy_(classEmbeddings.to(head.weight.device) / featureNorm);
        head.bias!.zero_();
    }

    /// <summary>Writes the head (weight, bias) with the class names as metadata.</summary>
    public void SaveHead(string path) =>
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["weight"] = head.weight!.detach(), ["bias"] = head.bias!.detach() },
            new Dictionary<string, string> { [ClassesKey] = System.Text.Json.JsonSerializer.Serialize(Classes) });

    /// <summary>A CLIP checkpoint and its head file back as one classifier.</summary>
    public static SupervisedClassifier Load(string modelFile, string headFile, Device? device = null)
    {
        var clip = ModelLoader.Load(modelFile, device: device);
        var metadata = Safetensors.ReadMetadata(headFile);
        var classes = metadata.TryGetValue(ClassesKey, out var json)
            ? System.Text.Json.JsonSerializer.Deserialize<string[]>(json)!
            : throw new InvalidDataException($"{headFile}: no class names ({ClassesKey}) in its metadata: not a head file of finetune-supervised");
        var classifier = new SupervisedClassifier(clip, classes);
        var tensors = Safetensors.Read(headFile);
        try
        {
            using var noGrad = no_grad();
            if (!tensors.TryGetValue("weight", out var weight) || !weight.shape.SequenceEqual(classifier.head.weight!.shape))
                throw new InvalidDataException($"{headFile}: expected weight [{classes.Length}, {clip.Config.EmbedDim}] for model {clip.Config.Name}");
            classifier.head.weight!.copy_(weight);
            classifier.head.bias!.copy_(tensors["bias"]);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        return device is null ? classifier : classifier.to(device);
    }

    /// <summary>Top-k class indices per image, best first [N, k].</summary>
    public Tensor TopK(Tensor pixels, int k)
    {
        using var logits = forward(pixels);
        var (values, indexes) = logits.topk(Math.Min(k, Classes.Count), dim: 1);
        values.Dispose();
        return indexes;
    }
}
