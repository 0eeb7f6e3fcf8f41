using CleanClip.Data;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// A zero-shot classifier: one embedding per class from the prompt-template ensemble (each prompt embedding
/// L2-normalised, averaged over templates, re-normalised), scored against image embeddings by plain cosine.
/// </summary>
public sealed class ZeroShotClassifier : IDisposable
{
    /// <summary>[C, D], unit rows.</summary>
    public Tensor ClassEmbeddings { get; }
    public ClassesFile Classes { get; }

    public ZeroShotClassifier(ClassesFile classes, Tensor classEmbeddings)
    {
        Classes = classes;
        ClassEmbeddings = classEmbeddings;
    }

    /// <summary>Averages normalised prompt embeddings [C, T, D] into unit class embeddings [C, D].</summary>
    public static Tensor EnsemblePrompts(Tensor promptEmbeddings)
    {
        using var scope = NewDisposeScope();
        var perPrompt = nn.functional.normalize(promptEmbeddings, p: 2, dim: -1);
        return nn.functional.normalize(perPrompt.mean([1]), p: 2, dim: -1).MoveToOuterDisposeScope();
    }

    /// <summary>Embeds every class's prompts with the model's text tower, <paramref name="batchSize"/> prompts at a time.</summary>
    public static ZeroShotClassifier Build(ClipModel model, Func<IReadOnlyList<string>, Tensor> tokenize,
        ClassesFile classes, int batchSize = 256, IProgress<int>? classesDone = null)
    {
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        var device = model.TokenEmbedding.weight!.device;
        var prompts = Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts).ToList();
        var rows = new List<Tensor>();
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            using var batchScope = NewDisposeScope();
            var tokens = tokenize(prompts.GetRange(start, Math.Min(batchSize, prompts.Count - start))).to(device);
            rows.Add(model.EncodeText(tokens).cpu().MoveToOuterDisposeScope());
            classesDone?.Report(Math.Min(prompts.Count, start + batchSize) / classes.Templates.Count);
        }
        var all = torch.cat(rows, 0).view(classes.Classes.Count, classes.Templates.Count, -1);
        return new ZeroShotClassifier(classes, EnsemblePrompts(all).MoveToOuterDisposeScope());
    }

    /// <summary>Cosine similarity of each (unit) image embedding to each class: [N, C].</summary>
    public Tensor Scores(Tensor imageEmbeddings) =>
        torch.matmul(imageEmbeddings.to(ClassEmbeddings.device), ClassEmbeddings.t());

    /// <summary>The k best classes per image, best first: indices and cosine scores, each [N, k].</summary>
    public (Tensor Indices, Tensor Scores) TopK(Tensor imageEmbeddings, int k)
    {
        using var scores = Scores(imageEmbeddings);
        var (values, indices) = scores.topk(Math.Min(k, Classes.Classes.Count), dim: 1);
        return (indices, values);
    }

    public void Dispose() => ClassEmbeddings.Dispose();
}
