using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>
/// The reference's <c>Finetune</c> module (docs/reference-behaviour.md §10): a CLIP model's image tower on
/// <em>unnormalised</em> features (<see cref="ClipModel.EncodeImage"/>) followed by Linear(embed_dim → C). Registered
/// as <c>model</c> and <c>linear</c>, as in the reference's finetune.pt. Owns (and disposes) the CLIP model.
/// </summary>
public sealed class SupervisedClassifier : nn.Module<Tensor, Tensor>
{
    protected override void RegisterComponents() { }

    private readonly ClipModel model;
    private readonly Linear linear;

    public ClipModel Model => model;
    public Linear Head => linear;
    public IReadOnlyList<string> ClassNames { get; }

    /// <param name="weight">[C, EmbedDim] head weight (copied).</param>
    /// <param name="bias">[C] head bias (copied).</param>
    public SupervisedClassifier(ClipModel model, IReadOnlyList<string> classNames, Tensor weight, Tensor bias) : base(nameof(SupervisedClassifier))
    {
        int dim = model.Config.EmbedDim;
        if (classNames.Count < 2) throw new ArgumentException($"a classifier needs at least 2 classes, got {classNames.Count}", nameof(classNames));
        if (!weight.shape.SequenceEqual(new long[] { classNames.Count, dim }))
            throw new ArgumentException($"head weight is [{string.Join(", ", weight.shape)}], expected [{classNames.Count}, {dim}] ({classNames.Count} classes, embed dim {dim})", nameof(weight));
        if (!bias.shape.SequenceEqual(new long[] { classNames.Count }))
            throw new ArgumentException($"head bias is [{string.Join(", ", bias.shape)}], expected [{classNames.Count}]", nameof(bias));
        this.model = model;
        ClassNames = classNames;
        var device = model.TokenEmbedding.weight!.device;
        linear = nn.Linear(dim, classNames.Count, device: device);
        using (no_grad())
        {
            linear.weight!.copy_(weight);
            linear.bias!.copy_(bias);
        }
        register_module("model", model);
        register_module("linear", linear);
    }

    /// <summary>Class logits [N, C] of normalised pixels [N, 3, R, R].</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var features = model.EncodeImage(pixels);
        return linear.forward(features);
    }

    /// <summary>The top-1 class index of each image, in the module's current mode (<see cref="Load"/> returns it in eval mode).</summary>
    public long[] Predict(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return forward(pixels.to(linear.weight!.device)).argmax(1).cpu().data<long>().ToArray();
    }

    /// <summary>
    /// What finetuning trains, under the names a checkpoint stores them by: the image tower (<c>visual.*</c>, its
    /// OpenAI names) and the head (<c>head.weight</c>, <c>head.bias</c>). The text tower and logit_scale are left out:
    /// they get no gradient, and leaving them out of the optimizer keeps even weight decay off them.
    /// </summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        model.Visual.named_parameters().Select(p => ($"visual.{p.name}", p.parameter))
            .Concat(linear.named_parameters().Select(p => ($"{SupervisedHead.Prefix}{p.name}", p.parameter)))
            .ToList();

    /// <summary>Writes the head (weight, bias, class names) as <c>head.safetensors</c>.</summary>
    public void SaveHead(string path) => SupervisedHead.Write(path, linear.weight!, linear.bias!, ClassNames);

    /// <summary>A finetuned classifier from its exported CLIP checkpoint and head file, in eval mode.</summary>
    public static SupervisedClassifier Load(string modelFile, string headFile, Device? device = null)
    {
        var clip = ModelLoader.Load(modelFile, device: device);
        try
        {
            var (weight, bias, classes) = SupervisedHead.Read(headFile);
            using (weight)
            using (bias)
            {
                if (weight.shape[1] != clip.Config.EmbedDim)
                    throw new InvalidDataException($"{headFile}: the head takes {weight.shape[1]}-dim features but {modelFile} makes {clip.Config.EmbedDim}-dim ones");
                var classifier = new SupervisedClassifier(clip, classes, weight, bias);
                classifier.eval();
                return classifier;
            }
        }
        catch
        {
            clip.Dispose();
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            linear.Dispose();
            model.Dispose();
        }
    }
}
