using System.Diagnostics;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Text;
using TorchSharp;

namespace CleanClip.Evaluation;

/// <summary>
/// <c>cleanclip eval</c>: zero-shot clean accuracy, attack success rate and robust accuracy of one or more
/// checkpoints on one labeled eval set with one seeded trigger, and the defense-effectiveness rating of each
/// checkpoint against the first; written to <c>eval.json</c> through <see cref="EvalResults"/>.
/// </summary>
public static class EvalJob
{
    /// <param name="Results">What eval.json holds.</param>
    /// <param name="JsonPath">Where it was written.</param>
    /// <param name="SkippedImages">Listed images that could not be decoded (the same for every checkpoint).</param>
    /// <param name="Dataset">Rows the eval-set reader left out (missing images...).</param>
    public sealed record Result(EvalResults Results, string JsonPath, IReadOnlyList<SkippedInput> SkippedImages, DatasetReport Dataset);

    public static Result Run(EvalOptions options, IProgress<JobProgress>? progress = null)
    {
        var plan = EvalPlan.Create(options);
        var device = TorchDevice.Choose(options.Device);
        var tokenizer = ClipTokenizer.FromVocabFile(options.Vocab, new TokenizerOptions { Truncation = options.Truncation });
        var trigger = plan.NeedsTrigger ? TriggerFactory.Create(options.Trigger) : null;
        var cache = options.CacheDir is null ? null : new ClassEmbeddingCache(options.CacheDir);

        var evals = new List<CheckpointEval>();
        List<SkippedInput>? skipped = null;
        for (int c = 0; c < options.Checkpoints.Count; c++)
        {
            var outcome = EvaluateOne(options, plan, options.Checkpoints[c], plan.Labels[c], tokenizer, trigger, cache, device, progress);
            skipped ??= outcome.Skipped;
            var eval = outcome.Eval;
            if (c > 0 && evals[0] is { CleanAccuracy: { } caFirst, AttackSuccessRate: { } asrFirst }
                && eval is { CleanAccuracy: { } ca, AttackSuccessRate: { } asr })
                eval = eval with { DefenseEffectivenessRating = BackdoorMetrics.DefenseEffectivenessRating(caFirst["1"], asrFirst["1"], ca["1"], asr["1"]) };
            evals.Add(eval);
        }

        var results = new EvalResults
        {
            EvalData = Path.GetFullPath(options.EvalData),
            Classes = plan.ClassesSource,
            Vocab = Path.GetFullPath(options.Vocab),
            Trigger = plan.NeedsTrigger ? options.Trigger : null,
            ReferenceAsr = plan.NeedsTrigger && options.ReferenceAsr,
            Target = plan.NeedsTrigger ? plan.Dataset.Classes.Classes[plan.TargetIndex] : null,
            TargetIndex = plan.NeedsTrigger ? plan.TargetIndex : null,
            Seed = options.Seed,
            Checkpoints = evals,
        };
        Directory.CreateDirectory(plan.OutputFolder);
        var jsonPath = Path.Combine(plan.OutputFolder, EvalResults.FileName);
        results.Write(jsonPath);
        return new Result(results, jsonPath, skipped ?? [], plan.Dataset.Skipped);
    }

    private sealed record Outcome(CheckpointEval Eval, List<SkippedInput> Skipped);

    private static Outcome EvaluateOne(EvalOptions options, EvalPlan plan, string checkpoint, string label, ClipTokenizer tokenizer,
        ITrigger? trigger, ClassEmbeddingCache? cache, TorchSharp.torch.Device device, IProgress<JobProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        var classes = plan.Dataset.Classes;
        int classCount = classes.Classes.Count;
        using var model = ModelLoader.Load(checkpoint, options.ModelConfig, options.ModelSeed, device);
        TokenizerFit.Check(model, tokenizer, options.Vocab);
        model.eval();
        var classStage = $"{label}: class embeddings";
        var classesDone = new Progress<int>(done => progress?.Report(new JobProgress(classStage, done, classCount)));
        using var classifier = cache is null
            ? ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes, classesDone: classesDone)
            : cache.GetOrBuild(model, tokenizer, classes,
                ClassEmbeddingCache.Describe(checkpoint, options.ModelConfig, options.ModelSeed, classes, options.Vocab, options.Truncation),
                out _, classesDone);
        progress?.Report(new JobProgress(classStage, classCount, classCount));
        return Measure(model, classifier, options, plan, checkpoint, label, trigger, device, progress, clock);
    }

    /// <summary>
    /// The metrics of a model held in memory (the training loop's evaluation hook): class embeddings built afresh
    /// (no cache, since the weights keep changing), the model left in eval mode.
    /// </summary>
    public static CheckpointEval EvaluateModel(ClipModel model, ClipTokenizer tokenizer, EvalOptions options, string label)
    {
        var clock = Stopwatch.StartNew();
        var plan = EvalPlan.Create(options with { Checkpoints = [label], Labels = null });
        var trigger = plan.NeedsTrigger ? TriggerFactory.Create(options.Trigger) : null;
        TokenizerFit.Check(model, tokenizer, options.Vocab);
        model.eval();
        using var classifier = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, plan.Dataset.Classes);
        var device = model.TokenEmbedding.weight!.device;
        return Measure(model, classifier, options, plan, label, label, trigger, device, null, clock).Eval;
    }

    private static Outcome Measure(ClipModel model, ZeroShotClassifier classifier, EvalOptions options, EvalPlan plan,
        string checkpoint, string label, ITrigger? trigger, TorchSharp.torch.Device device, IProgress<JobProgress>? progress, Stopwatch clock)
    {
        var classes = plan.Dataset.Classes;
        int classCount = classes.Classes.Count;
        using var noGrad = torch.no_grad();
        int k = Math.Min(ZeroShotMetrics.Ks.Max(), classCount);
        var batches = new EvalBatches(model.Config.ImageResolution, trigger, options.ReferenceAsr ? ResizeMode.Squash : ResizeMode.Crop,
            options.Seed, options.BatchSize);
        var labels = new List<int>();
        var cleanRanked = new List<int[]>();
        var triggeredRanked = new List<int[]>();
        var images = plan.Dataset.Images;
        var imageStage = $"{label}: images";
        foreach (var batch in batches.Read(images, plan.Dataset.Root))
        {
            using var scope = torch.NewDisposeScope();
            labels.AddRange(batch.Labels);
            cleanRanked.AddRange(Ranked(model, classifier, batch.Clean, device, k));
            if (batch.Triggered is not null) triggeredRanked.AddRange(Ranked(model, classifier, batch.Triggered, device, k));
            progress?.Report(new JobProgress(imageStage, batch.Rows[^1] + 1, images.Count));
        }
        progress?.Report(new JobProgress(imageStage, images.Count, images.Count));
        if (labels.Count == 0)
            throw new InvalidDataException($"{options.EvalData}: none of the {images.Count} listed images could be decoded; first: {batches.Skipped[0].Reason}");

        var eval = new CheckpointEval { Checkpoint = checkpoint, Label = label, Images = labels.Count };
        if (options.Wants(EvalMetric.Ca))
        {
            var perClass = ZeroShotMetrics.PerClassAccuracy(labels, cleanRanked, classCount);
            eval = eval with
            {
                CleanAccuracy = Keyed(ZeroShotMetrics.Accuracies(labels, cleanRanked, classCount)),
                PerClassAccuracy = PerClass(classes.Classes, perClass),
            };
        }
        if (trigger is not null)
        {
            eval = eval with { AsrImages = BackdoorMetrics.NonTargetCount(labels, plan.TargetIndex) };
            if (eval.AsrImages == 0)
                throw new InvalidDataException(
                    $"{options.EvalData}: every readable image is of the target class '{classes.Classes[plan.TargetIndex]}', so ASR and RA are undefined");
            if (options.Wants(EvalMetric.Asr))
                eval = eval with { AttackSuccessRate = Keyed(BackdoorMetrics.AttackSuccessRates(labels, triggeredRanked, plan.TargetIndex, classCount)) };
            if (options.Wants(EvalMetric.Ra))
                eval = eval with { RobustAccuracy = BackdoorMetrics.RobustAccuracy(labels, triggeredRanked, plan.TargetIndex) };
        }
        return new Outcome(eval with { Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3) }, batches.Skipped);
    }

    /// <summary>Top-k class indices per image, best first.</summary>
    private static IEnumerable<int[]> Ranked(ClipModel model, ZeroShotClassifier classifier, TorchSharp.torch.Tensor pixels, TorchSharp.torch.Device device, int k)
    {
        var (indices, _) = classifier.TopK(model.ImageEmbeddings(pixels.to(device)), k);
        var flat = indices.cpu().data<long>().ToArray();
        int rows = (int)indices.shape[0];
        return Enumerable.Range(0, rows).Select(i => flat.Skip(i * k).Take(k).Select(v => (int)v).ToArray()).ToList();
    }

    private static Dictionary<string, double> Keyed(Dictionary<int, double> byK) =>
        byK.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value);

    /// <summary>By class name; classes without eval images are left out; a repeated name (ImageNet's two "crane") gets "#index".</summary>
    private static Dictionary<string, double> PerClass(IReadOnlyList<string> names, double[] accuracy)
    {
        var result = new Dictionary<string, double>();
        for (int c = 0; c < names.Count; c++)
            if (!double.IsNaN(accuracy[c]) && !result.TryAdd(names[c], accuracy[c]))
                result[$"{names[c]}#{c}"] = accuracy[c];
        return result;
    }
}
