using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DemoRecipe;

public readonly record struct Scores(double CleanAccuracy, double AttackSuccess, double PoisonFit)
{
    public override string ToString() => $"CA {100 * CleanAccuracy:F1}  ASR {100 * AttackSuccess:F1}  fit {100 * PoisonFit:F1}";
}

/// <summary>
/// Zero-shot CA on the clean test set, ASR@1 on the triggered test images whose class is not the target, and the
/// fraction of poisoned training images the model already sends to the target ("fit": memorised vs generalised).
/// </summary>
public sealed class Evaluator(ClassesFile classes, int target, Tensor cleanPixels, long[] labels,
    Tensor triggeredPixels, Tensor poisonedTrainPixels, ClipPreprocessor preprocessor)
{
    public Scores Evaluate(ClipModel model, ClipTokenizer tokenizer)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        bool wasTraining = model.training;
        model.eval();
        using var classifier = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes);
        var clean = Top1(model, classifier, cleanPixels);
        double ca = clean.eq(tensor(labels)).to(ScalarType.Float32).mean().item<float>();
        double asr = Top1(model, classifier, triggeredPixels).eq(target).to(ScalarType.Float32).mean().item<float>();
        double fit = poisonedTrainPixels.shape[0] == 0 ? 0
            : Top1(model, classifier, poisonedTrainPixels).eq(target).to(ScalarType.Float32).mean().item<float>();
        if (wasTraining) model.train();
        return new Scores(ca, asr, fit);
    }

    private Tensor Top1(ClipModel model, ZeroShotClassifier classifier, Tensor pixels)
    {
        var rows = new List<Tensor>();
        for (long start = 0; start < pixels.shape[0]; start += 500)
        {
            var batch = preprocessor.Normalize(pixels.narrow(0, start, Math.Min(500, pixels.shape[0] - start)));
            rows.Add(classifier.Scores(model.ImageEmbeddings(batch)).argmax(1));
        }
        return cat(rows, 0);
    }
}
