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
    /// <param name="Notes">What the console should mention: feature-cache hits, images the probe or retrieval skipped.</param>
    public sealed record Result(EvalResults Results, string JsonPath, IReadOnlyList<SkippedInput> SkippedImages, DatasetReport Dataset,
        IReadOnlyList<string> Notes);

    public static Result Run(EvalOptions options, IProgress<JobProgress>? progress = null)
    {
        var plan = EvalPlan.Create(options);
        var device = TorchDevice.Choose(options.Device);
        var tokenizer = ClipTokenizer.FromVocabFile(options.Vocab, new TokenizerOptions { Truncation = options.Truncation });
        var trigger = plan.NeedsTrigger ? TriggerFactory.Create(options.Trigger) : null;
        var cache = options.CacheDir is null ? null : new ClassEmbeddingCache(options.CacheDir);
        var features = options.CacheDir is null ? null : new ProbeFeatureCache(options.CacheDir);

        var evals = new List<CheckpointEval>();
        var notes = new List<string>();
        List<SkippedInput>? skipped = null;
        for (int c = 0; c < options.Checkpoints.Count; c++)
        {
            var outcome = EvaluateOne(options, plan, options.Checkpoints[c], plan.Labels[c], tokenizer, trigger, cache, features, device, progress);
            if (outcome.Skipped is not null) skipped ??= outcome.Skipped;
            notes.AddRange(outcome.Notes);
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
            Precision = options.Precision,
            Target = plan.NeedsTrigger ? plan.Dataset.Classes.Classes[plan.TargetIndex] : null,
            TargetIndex = plan.NeedsTrigger ? plan.TargetIndex : null,
            Seed = options.Seed,
            Checkpoints = evals,
        };
        Directory.CreateDirectory(plan.OutputFolder);
        var jsonPath = Path.Combine(plan.OutputFolder, EvalResults.FileName);
        results.Write(jsonPath);
        return new Result(results, jsonPath, skipped ?? [], plan.Dataset.Skipped, notes);
    }

    /// <param name="Skipped">Unreadable eval images; null when the eval images were not read (every feature from the cache).</param>
    private sealed record Outcome(CheckpointEval Eval, List<SkippedInput>? Skipped, List<string> Notes);

    /// <summary>What every checkpoint of one evaluation shares: the options, the eval plan, the tokenizer and the trigger.</summary>
    private sealed record Setting(EvalOptions Options, EvalPlan Plan, ClipTokenizer Tokenizer, ITrigger? Trigger, IProgress<JobProgress>? Progress)
    {
        /// <summary>How the trigger's image is resized: squashed as the reference's ASR does, else CLIP's crop.</summary>
        public ResizeMode Resize => Options.ReferenceAsr ? ResizeMode.Squash : ResizeMode.Crop;
        public int ClassCount => Plan.Dataset.Classes.Classes.Count;
    }

    /// <summary>One model under evaluation, its zero-shot head (when CA/ASR/RA are wanted) and its feature cache.</summary>
    private sealed record Subject(ClipModel Model, ZeroShotClassifier? Classifier, string Checkpoint, string Label, ProbeCacheUse? ProbeCache,
        TorchSharp.torch.Device Device);

    private static Outcome EvaluateOne(EvalOptions options, EvalPlan plan, string checkpoint, string label, ClipTokenizer tokenizer,
        ITrigger? trigger, ClassEmbeddingCache? cache, ProbeFeatureCache? features, TorchSharp.torch.Device device, IProgress<JobProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        using var model = ModelLoader.Load(checkpoint, options.ModelConfig, options.ModelSeed, device, CheckpointReadOptions.Trusting(options.TrustTorchScript), options.Heads);
        TokenizerFit.Check(model, tokenizer, options.Vocab);
        model.eval();
        model.Precision = options.Precision;
        using var classifier = options.WantsZeroShot ? Classifier(model, tokenizer, options, plan.Dataset.Classes, checkpoint, label, cache, progress) : null;
        var probeCache = features is null ? null : new ProbeCacheUse(features, ClassEmbeddingCache.DescribeWeights(checkpoint, options.ModelSeed));
        return Measure(new Setting(options, plan, tokenizer, trigger, progress), new Subject(model, classifier, checkpoint, label, probeCache, device), clock);
    }

    private static ZeroShotClassifier Classifier(ClipModel model, ClipTokenizer tokenizer, EvalOptions options, ClassesFile classes,
        string checkpoint, string label, ClassEmbeddingCache? cache, IProgress<JobProgress>? progress)
    {
        int classCount = classes.Classes.Count;
        var classStage = $"{label}: class embeddings";
        var classesDone = new Progress<int>(done => progress?.Report(new JobProgress(classStage, done, classCount)));
        var classifier = cache is null
            ? ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes, classesDone: classesDone)
            : cache.GetOrBuild(model, tokenizer, classes,
                ClassEmbeddingCache.Describe(checkpoint, options.ModelConfig, options.ModelSeed, classes, options.Vocab, options.Truncation, options.Precision),
                out _, classesDone);
        progress?.Report(new JobProgress(classStage, classCount, classCount));
        return classifier;
    }

    /// <summary>The feature cache and the weights it is keyed by.</summary>
    private sealed record ProbeCacheUse(ProbeFeatureCache Cache, string Weights);

    /// <summary>
    /// The metrics of a model held in memory (the training loop's evaluation hook): class embeddings and probe features
    /// made afresh (no cache, since the weights keep changing), the model left in eval mode.
    /// </summary>
    public static CheckpointEval EvaluateModel(ClipModel model, ClipTokenizer tokenizer, EvalOptions options, string label)
    {
        var clock = Stopwatch.StartNew();
        var plan = EvalPlan.Create(options with { Checkpoints = [label], Labels = null });
        var trigger = plan.NeedsTrigger ? TriggerFactory.Create(options.Trigger) : null;
        TokenizerFit.Check(model, tokenizer, options.Vocab);
        model.eval();
        using var classifier = options.WantsZeroShot ? ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, plan.Dataset.Classes) : null;
        var device = model.TokenEmbedding.weight!.device;
        return Measure(new Setting(options, plan, tokenizer, trigger, null), new Subject(model, classifier, label, label, null, device), clock).Eval;
    }

    /// <summary>
    /// Zero-shot metrics from one pass over the eval images (clean and triggered), then the linear probe and retrieval
    /// when asked; the probe's eval features come from that same pass, or from the cache.
    /// </summary>
    private static Outcome Measure(Setting setting, Subject subject, Stopwatch clock)
    {
        var notes = new List<string>();
        using var noGrad = torch.no_grad();
        bool probe = setting.Options.Wants(EvalMetric.LinearProbe);
        var probeFeatures = probe && subject.ProbeCache is not null ? CachedProbeFeatures(setting, subject, notes) : null;
        ImagePass? pass = null;
        try
        {
            // EvalPlan asks for a trigger whenever the probe is wanted, so triggered features always come with clean ones.
            bool collect = probe && probeFeatures?.Clean is null;
            CheckpointEval eval;
            if (subject.Classifier is not null || collect)
            {
                pass = PassOverImages(setting, subject, collect);
                if (collect)
                {
                    probeFeatures = (probeFeatures ?? new ProbeFeatures(null, null)) with { Clean = pass.CleanFeatures, Triggered = pass.TriggeredFeatures };
                    if (subject.ProbeCache is not null)
                    {
                        subject.ProbeCache.Cache.Store(probeFeatures.CleanKey!, pass.CleanFeatures!);
                        subject.ProbeCache.Cache.Store(probeFeatures.TriggeredKey!, pass.TriggeredFeatures!);
                    }
                }
                eval = subject.Classifier is not null
                    ? ZeroShot(setting, subject, pass.Labels, pass.CleanRanked, pass.TriggeredRanked)
                    : Backdoor(new CheckpointEval { Checkpoint = subject.Checkpoint, Label = subject.Label, Images = pass.Labels.Count }, setting, pass.Labels);
            }
            else
            {
                var labels = probeFeatures!.Clean!.Labels.data<long>().ToArray().Select(l => (int)l).ToList();
                eval = Backdoor(new CheckpointEval { Checkpoint = subject.Checkpoint, Label = subject.Label, Images = labels.Count }, setting, labels);
            }
            if (probe) eval = LinearProbeMetrics(eval, setting, subject, probeFeatures!.Clean!, probeFeatures.Triggered!, notes);
            if (setting.Options.Wants(EvalMetric.Retrieval)) eval = RetrievalMetrics(eval, setting, subject, notes);
            return new Outcome(eval with { Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3) }, pass?.Skipped, notes);
        }
        finally
        {
            probeFeatures?.Clean?.Dispose();
            probeFeatures?.Triggered?.Dispose();
        }
    }

    /// <summary>The linear probe's eval features, clean and triggered, with their cache keys; the features are null unless both are cached.</summary>
    private sealed record ProbeFeatures(string? CleanKey, string? TriggeredKey)
    {
        public LinearProbeFeatures? Clean { get; init; }
        public LinearProbeFeatures? Triggered { get; init; }
    }

    private static ProbeFeatures CachedProbeFeatures(Setting setting, Subject subject, List<string> notes)
    {
        var (options, dataset, cache) = (setting.Options, setting.Plan.Dataset, subject.ProbeCache!);
        var cleanKey = ProbeFeatureCache.Describe(cache.Weights, options.ModelConfig, dataset.Images, dataset.Root, null, setting.Resize, options.Seed, options.Precision);
        var triggeredKey = ProbeFeatureCache.Describe(cache.Weights, options.ModelConfig, dataset.Images, dataset.Root, options.Trigger, setting.Resize, options.Seed, options.Precision);
        var clean = cache.Cache.TryLoad(cleanKey);
        var triggered = clean is null ? null : cache.Cache.TryLoad(triggeredKey);
        if (triggered is null)
        {
            clean?.Dispose();
            return new ProbeFeatures(cleanKey, triggeredKey);
        }
        notes.Add($"{subject.Label}: linear-probe eval features from the cache");
        return new ProbeFeatures(cleanKey, triggeredKey) { Clean = clean, Triggered = triggered };
    }

    /// <summary>What one pass over the eval images gives: labels, the zero-shot top-k of every clean and triggered image, and (when collected) the probe's features.</summary>
    private sealed record ImagePass(List<int> Labels, List<int[]> CleanRanked, List<int[]> TriggeredRanked, List<SkippedInput> Skipped,
        LinearProbeFeatures? CleanFeatures, LinearProbeFeatures? TriggeredFeatures);

    private static ImagePass PassOverImages(Setting setting, Subject subject, bool collectFeatures)
    {
        var (model, classifier, device) = (subject.Model, subject.Classifier, subject.Device);
        int k = Math.Min(ZeroShotMetrics.Ks.Max(), setting.ClassCount);
        var batches = new EvalBatches(model.Config.ImageResolution, setting.Trigger, setting.Resize, setting.Options.Seed, setting.Options.BatchSize);
        var labels = new List<int>();
        var cleanRanked = new List<int[]>();
        var triggeredRanked = new List<int[]>();
        var cleanRows = new List<TorchSharp.torch.Tensor>();
        var triggeredRows = new List<TorchSharp.torch.Tensor>();
        var images = setting.Plan.Dataset.Images;
        var imageStage = $"{subject.Label}: images";
        try
        {
            foreach (var batch in batches.Read(images, setting.Plan.Dataset.Root))
            {
                using var scope = torch.NewDisposeScope();
                labels.AddRange(batch.Labels);
                var clean = model.EncodeImage(batch.Clean.to(device));
                if (classifier is not null) cleanRanked.AddRange(Ranked(classifier, clean, k));
                if (collectFeatures) cleanRows.Add(clean.to(torch.ScalarType.Float32).cpu().MoveToOuterDisposeScope());
                if (batch.Triggered is not null)
                {
                    var triggered = model.EncodeImage(batch.Triggered.to(device));
                    if (classifier is not null) triggeredRanked.AddRange(Ranked(classifier, triggered, k));
                    if (collectFeatures) triggeredRows.Add(triggered.to(torch.ScalarType.Float32).cpu().MoveToOuterDisposeScope());
                }
                setting.Progress?.Report(new JobProgress(imageStage, batch.Rows[^1] + 1, images.Count));
            }
            setting.Progress?.Report(new JobProgress(imageStage, images.Count, images.Count));
            if (labels.Count == 0)
                throw new InvalidDataException($"{setting.Options.EvalData}: none of the {images.Count} listed images could be decoded; first: {batches.Skipped[0].Reason}");
            return new ImagePass(labels, cleanRanked, triggeredRanked, batches.Skipped,
                collectFeatures ? Features(cleanRows, labels) : null, collectFeatures ? Features(triggeredRows, labels) : null);
        }
        finally
        {
            foreach (var t in cleanRows.Concat(triggeredRows)) t.Dispose();
        }
    }

    private static CheckpointEval ZeroShot(Setting setting, Subject subject, List<int> labels, List<int[]> cleanRanked, List<int[]> triggeredRanked)
    {
        var (options, plan, classCount) = (setting.Options, setting.Plan, setting.ClassCount);
        var eval = new CheckpointEval { Checkpoint = subject.Checkpoint, Label = subject.Label, Images = labels.Count };
        if (options.Wants(EvalMetric.Ca))
        {
            var perClass = ZeroShotMetrics.PerClassAccuracy(labels, cleanRanked, classCount);
            eval = eval with
            {
                CleanAccuracy = Keyed(ZeroShotMetrics.Accuracies(labels, cleanRanked, classCount)),
                PerClassAccuracy = PerClass(plan.Dataset.Classes.Classes, perClass),
            };
        }
        eval = Backdoor(eval, setting, labels);
        if (setting.Trigger is not null && options.Wants(EvalMetric.Asr))
            eval = eval with { AttackSuccessRate = Keyed(BackdoorMetrics.AttackSuccessRates(labels, triggeredRanked, plan.TargetIndex, classCount)) };
        if (setting.Trigger is not null && options.Wants(EvalMetric.Ra))
            eval = eval with { RobustAccuracy = BackdoorMetrics.RobustAccuracy(labels, triggeredRanked, plan.TargetIndex) };
        return eval;
    }

    /// <summary>The ASR denominator; an eval set of the target class alone leaves every ASR undefined.</summary>
    private static CheckpointEval Backdoor(CheckpointEval eval, Setting setting, List<int> labels)
    {
        var (options, plan) = (setting.Options, setting.Plan);
        if (setting.Trigger is null) return eval;
        eval = eval with { AsrImages = BackdoorMetrics.NonTargetCount(labels, plan.TargetIndex) };
        if (eval.AsrImages == 0)
            throw new InvalidDataException(
                $"{options.EvalData}: every readable image is of the target class '{plan.Dataset.Classes.Classes[plan.TargetIndex]}', so ASR and RA are undefined");
        return eval;
    }

    /// <summary>Probe trained on the train split's features, scored on the eval set clean (CA) and triggered (ASR).</summary>
    private static CheckpointEval LinearProbeMetrics(CheckpointEval eval, Setting setting, Subject subject,
        LinearProbeFeatures clean, LinearProbeFeatures triggered, List<string> notes)
    {
        var (options, plan, trigger, progress) = (setting.Options, setting.Plan, setting.Trigger, setting.Progress);
        var (model, label, probeCache) = (subject.Model, subject.Label, subject.ProbeCache);
        var train = plan.ProbeTrain!;
        var stage = $"{label}: probe train features";
        LinearProbeFeatures Extract()
        {
            var batches = new EvalBatches(model.Config.ImageResolution, null, ResizeMode.Crop, options.Seed, options.LinearProbe.FeatureBatchSize);
            var features = LinearProbeFeatures.Extract(model, batches.Read(train.Images, train.Root).Select(b =>
            {
                progress?.Report(new JobProgress(stage, b.Rows[^1] + 1, train.Count));
                return (b.Clean, b.Labels.Select(l => (long)l).ToArray());
            }));
            if (batches.Skipped.Count > 0)
                notes.Add($"{label}: {batches.Skipped.Count} unreadable image(s) of the probe's train split skipped, first {batches.Skipped[0].Name}: {batches.Skipped[0].Reason}");
            if (features.Count == 0)
                throw new InvalidDataException($"{options.ProbeTrainData}: none of the probe's {train.Count} train images could be decoded");
            return features;
        }
        bool hit = false;
        using var trainFeatures = probeCache is null ? Extract()
            : probeCache.Cache.GetOrExtract(
                ProbeFeatureCache.Describe(probeCache.Weights, options.ModelConfig, train.Images, train.Root, null, ResizeMode.Crop, options.Seed, options.Precision),
                Extract, out hit);
        if (hit) notes.Add($"{label}: linear-probe train features from the cache");
        progress?.Report(new JobProgress($"{label}: linear probe", 0, 1));
        var result = LinearProbe.Run(trainFeatures, clean, plan.Dataset.Classes.Classes.Count, options.LinearProbe,
            trigger is null ? null : triggered, trigger is null ? null : plan.TargetIndex);
        progress?.Report(new JobProgress($"{label}: linear probe", 1, 1));
        return eval with { LinearProbeAccuracy = result.Accuracy, LinearProbeAttackSuccessRate = result.AttackSuccessRate };
    }

    /// <summary>Recall both ways on the caption table, and the retrieval ASR for the eval's trigger and target class name.</summary>
    private static CheckpointEval RetrievalMetrics(CheckpointEval eval, Setting setting, Subject subject, List<string> notes)
    {
        var (options, plan, trigger, progress, resize) = (setting.Options, setting.Plan, setting.Trigger, setting.Progress, setting.Resize);
        var (model, tokenizer, label) = (subject.Model, setting.Tokenizer, subject.Label);
        var stage = $"{label}: retrieval";
        progress?.Report(new JobProgress(stage, 0, 1));
        var retrievalOptions = options.Retrieval with { Seed = options.Seed, TriggerResize = resize, BatchSize = options.BatchSize };
        var target = trigger is null ? null : plan.Dataset.Classes.Classes[plan.TargetIndex];
        var result = Retrieval.Run(model, tokenizer.TokenizeToTensor, plan.RetrievalSet!, retrievalOptions, trigger, target);
        if (result.Skipped.Count > 0)
            notes.Add($"{label}: {result.Skipped.Count} unreadable image(s) of the retrieval table skipped, first {result.Skipped[0].Name}: {result.Skipped[0].Reason}");
        progress?.Report(new JobProgress(stage, 1, 1));
        return eval with { Retrieval = result.ToDictionary() };
    }

    private static LinearProbeFeatures Features(List<TorchSharp.torch.Tensor> rows, List<int> labels)
    {
        using var all = torch.cat(rows, 0);
        return new LinearProbeFeatures(all.clone(), torch.tensor(labels.Select(l => (long)l).ToArray()));
    }

    /// <summary>Top-k class indices per image, best first.</summary>
    /// <param name="features">Unnormalised image features, L2-normalised here as <see cref="ClipModel.ImageEmbeddings"/> does.</param>
    private static IEnumerable<int[]> Ranked(ZeroShotClassifier classifier, TorchSharp.torch.Tensor features, int k)
    {
        var (indices, _) = classifier.TopK(torch.nn.functional.normalize(features, p: 2, dim: -1), k);
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
