using System.Diagnostics;
using System.Globalization;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Supervised;

/// <summary>
/// CA, ASR@k and RA of a finetuned classifier's own head (not zero-shot), on the same images, triggers and seeds as
/// <see cref="EvalJob"/>, so its numbers sit in the same table. ASR leaves target-class images out of the denominator
/// (the reference divides by all 50,000).
/// </summary>
public static class SupervisedEvaluation
{
    public static CheckpointEval Evaluate(SupervisedClassifier classifier, EvalOptions options, string label)
    {
        var clock = Stopwatch.StartNew();
        var plan = EvalPlan.Create(options with { Checkpoints = [label], Labels = null, Metrics = [EvalMetric.Ca, EvalMetric.Asr, EvalMetric.Ra] });
        if (!plan.Dataset.Classes.Classes.SequenceEqual(classifier.ClassNames))
            throw new ArgumentException($"the head was trained on other classes than {plan.ClassesSource} lists");
        var trigger = TriggerFactory.Create(options.Trigger);
        var clip = classifier.Model;
        clip.eval();
        classifier.Head.eval();
        var device = clip.TokenEmbedding.weight!.device;
        int classCount = classifier.ClassNames.Count, k = Math.Min(ZeroShotMetrics.Ks.Max(), classCount);
        var batches = new EvalBatches(clip.Config.ImageResolution, trigger, options.ReferenceAsr ? ResizeMode.Squash : ResizeMode.Crop,
            options.Seed, options.BatchSize);
        var labels = new List<int>();
        var clean = new List<int[]>();
        var triggered = new List<int[]>();
        using (no_grad())
            foreach (var batch in batches.Read(plan.Dataset.Images, plan.Dataset.Root))
            {
                using var scope = NewDisposeScope();
                labels.AddRange(batch.Labels);
                clean.AddRange(Rows(TopK(classifier, batch.Clean.to(device), k)));
                triggered.AddRange(Rows(TopK(classifier, batch.Triggered!.to(device), k)));
            }
        if (labels.Count == 0) throw new InvalidDataException($"{options.EvalData}: no readable images");
        static Dictionary<string, double> Keyed(Dictionary<int, double> byK) =>
            byK.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value);
        return new CheckpointEval
        {
            Checkpoint = label, Label = label, Images = labels.Count, AsrImages = BackdoorMetrics.NonTargetCount(labels, plan.TargetIndex),
            CleanAccuracy = Keyed(ZeroShotMetrics.Accuracies(labels, clean, classCount)),
            AttackSuccessRate = Keyed(BackdoorMetrics.AttackSuccessRates(labels, triggered, plan.TargetIndex, classCount)),
            RobustAccuracy = BackdoorMetrics.RobustAccuracy(labels, triggered, plan.TargetIndex),
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
        };
    }

    private static Tensor TopK(SupervisedClassifier classifier, Tensor pixels, int k) =>
        classifier.forward(pixels).topk(k, dim: 1).indexes;

    private static IEnumerable<int[]> Rows(Tensor indices)
    {
        var flat = indices.cpu().data<long>().ToArray();
        int k = (int)indices.shape[1];
        return Enumerable.Range(0, (int)indices.shape[0]).Select(i => flat.Skip(i * k).Take(k).Select(v => (int)v).ToArray()).ToList();
    }
}
