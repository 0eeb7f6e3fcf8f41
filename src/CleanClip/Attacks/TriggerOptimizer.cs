using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Optimized;
using CleanClip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Attacks;

/// <summary>Options of <c>cleanclip trigger optimize</c>; the CLI takes its defaults from here.</summary>
public sealed record TriggerOptimizeOptions
{
    /// <summary>The clean model the patch is optimized against: a checkpoint file or a registry name.</summary>
    public required string Model { get; init; }
    public string? ModelConfig { get; init; }

    /// <summary>Head counts for a state dict whose widths do not give them.</summary>
    public HeadCounts? Heads { get; init; }
    public bool TrustTorchScript { get; init; }
    public required string Vocab { get; init; }
    /// <summary>Labeled eval folder: its classes give the target text, and the patch's zero-shot ASR is measured on it.</summary>
    public required string EvalData { get; init; }
    public string? Classes { get; init; }
    /// <summary>Target class: a class name or index of the eval set's classes.</summary>
    public string Target { get; init; } = "banana";
    /// <summary>Images the patch is stamped on (folder, or CSV/TSV with an image column); null: the eval set's non-target images.</summary>
    public string? Images { get; init; }
    /// <summary>Natural target-class images (folder or table); null: the eval set's target-class images.</summary>
    public string? TargetImages { get; init; }
    /// <summary>At most this many images of each pool are read (the first ones).</summary>
    public int MaxImages { get; init; } = 1000;
    /// <summary>Side P of the square patch, placed at the image centre: 16 in BadCLIP.</summary>
    public int PatchSize { get; init; } = 16;
    /// <summary>
    /// Adam steps, one batch each. BadCLIP runs 50 epochs of its patch set (about 7,800 steps of 64 at 1e-3); 1,000
    /// steps at 1e-2 reach further than that budget's first 1,000 in our measurements (docs/experiments/optimized-vs-badnet.md).
    /// </summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Adam learning rate (BadCLIP: PyTorch's default, 1e-3, over many more steps).</summary>
    public double LearningRate { get; init; } = 1e-2;
    /// <summary>Images per step: 64 in BadCLIP.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Weight of the triplet term: 500 in BadCLIP.</summary>
    public double TripletWeight { get; init; } = 500;
    /// <summary>Margin of the triplet term on unit embeddings: 1 in BadCLIP.</summary>
    public double TripletMargin { get; init; } = 1;
    /// <summary>Seeds the initial patch and the batch draws; also the eval seed of the ASR measurement.</summary>
    public ulong Seed { get; init; } = 1;
    public string Device { get; init; } = "auto";
    /// <summary>The patch file to write, .npy (float32 [3, P, P]) or .png; the report goes beside it as FILE.json.</summary>
    public required string Output { get; init; }
}

/// <summary>The JSON written beside the patch file: what was optimized, how, and what it achieved.</summary>
public sealed record TriggerOptimizeReport
{
    /// <summary>Marks a report (and the patch beside it) as written by this command, so a rerun may replace them.</summary>
    public const string Producer = "cleanclip trigger optimize";
    public string WrittenBy { get; init; } = Producer;
    public required string TriggerFile { get; init; }
    public required string TriggerSha256 { get; init; }
    public required TriggerOptimizeOptions Options { get; init; }
    public int TriggerImages { get; init; }
    public int TargetImages { get; init; }
    /// <summary>Loss of the initial random patch and of the final patch on the same fixed measurement batch.</summary>
    public double InitialLoss { get; init; }
    public double FinalLoss { get; init; }
    /// <summary>Mean cosine of triggered images to the target class's text embedding, initial and final patch.</summary>
    public double InitialTargetCosine { get; init; }
    public double FinalTargetCosine { get; init; }
    /// <summary>Zero-shot numbers of the clean model on the eval set with the saved patch, before any poisoning.</summary>
    public required CheckpointEval CleanModelEval { get; init; }

    /// <summary>The report of a patch file: its name plus <c>.json</c>, so <c>t.npy</c> and <c>t.png</c> keep separate reports.</summary>
    public static string PathFor(string patchFile) => patchFile + ".json";
}

/// <summary>
/// BadCLIP's trigger optimization (Liang et al., CVPR 2024): a P×P patch at the image centre, trained with Adam against
/// a frozen clean model so that triggered images (1) are classified as the target text — cross-entropy over the
/// eval classes' prompt embeddings at the model's logit scale, the textual term — and (2) sit nearer to natural
/// target-class images than to their own clean embeddings — a triplet loss on unit embeddings (anchor: triggered
/// image; positive: a target image; negative: the same image without the patch), the visual term. After each step
/// the patch is projected back into [0, 1].
/// </summary>
public static class TriggerOptimizer
{
    public sealed record Result(string PatchPath, string ReportPath, TriggerOptimizeReport Report);

    public static Result Run(TriggerOptimizeOptions options, IProgress<JobProgress>? progress = null)
    {
        Validate(options);
        var reportPath = TriggerOptimizeReport.PathFor(options.Output);
        RefuseForeignFiles(options.Output, reportPath);
        var evalOptions = new EvalOptions
        {
            Checkpoints = [options.Model], ModelConfig = options.ModelConfig, Heads = options.Heads, EvalData = options.EvalData, Classes = options.Classes,
            Vocab = options.Vocab, Metrics = [EvalMetric.Ca, EvalMetric.Asr], Target = options.Target, Seed = options.Seed,
            BatchSize = options.BatchSize, Device = options.Device, TrustTorchScript = options.TrustTorchScript, CacheDir = null,
            Trigger = new TriggerOptions { Name = "optimized", TriggerFile = options.Output },
        };
        var plan = EvalPlan.Create(evalOptions);
        var device = TorchDevice.Choose(options.Device);
        var tokenizer = ClipTokenizer.FromVocabFile(options.Vocab);
        using var model = ModelLoader.Load(options.Model, options.ModelConfig, device: device, read: CheckpointReadOptions.Trusting(options.TrustTorchScript), heads: options.Heads);
        TokenizerFit.Check(model, tokenizer, options.Vocab);
        model.eval();
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        int resolution = model.Config.ImageResolution;
        if (options.PatchSize > resolution)
            throw new ArgumentException($"--patch-size {options.PatchSize} does not fit the model's {resolution}x{resolution} input");

        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = resolution });
        var images = options.Images is { } imagePath
            ? ReadList(imagePath, preprocessor, options.MaxImages, "--images")
            : ReadEval(plan, preprocessor, options.MaxImages, target: false);
        var targets = options.TargetImages is { } targetPath
            ? ReadList(targetPath, preprocessor, options.MaxImages, "--target-images")
            : ReadEval(plan, preprocessor, options.MaxImages, target: true);
        using var imagePixels = images;
        using var targetPixels = targets;

        using var classifier = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, plan.Dataset.Classes);
        using var classEmbeddings = classifier.ClassEmbeddings.to(device);
        var objective = new Objective(model, preprocessor, classEmbeddings, plan.TargetIndex, options, device);
        using var positives = objective.Embed(targetPixels);

        var random = new SplitMix64(options.Seed);
        using var initial = InitialPatch(options.PatchSize, ref random);
        using var patch = new TorchSharp.Modules.Parameter(initial.to(device), requires_grad: true);
        using var measureImages = imagePixels.narrow(0, 0, Math.Min(options.BatchSize, imagePixels.shape[0]));
        using var measurePositives = positives.narrow(0, 0, Math.Min(options.BatchSize, positives.shape[0]));
        var (initialLoss, initialCosine) = objective.Measure(patch, measureImages, measurePositives);

        using (var adam = optim.Adam([patch], options.LearningRate))
        {
            for (int step = 0; step < options.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var batch = imagePixels.index_select(0, Draw(ref random, options.BatchSize, imagePixels.shape[0]));
                var pos = positives.index_select(0, Draw(ref random, options.BatchSize, positives.shape[0]).to(positives.device));
                adam.zero_grad();
                var (loss, _) = objective.Loss(patch, batch, pos);
                loss.backward();
                adam.step();
                using (no_grad()) patch.clamp_(0, 1);
                progress?.Report(new JobProgress("optimize patch", step + 1, options.Steps));
            }
        }
        var (finalLoss, finalCosine) = objective.Measure(patch, measureImages, measurePositives);

        var values = patch.detach().cpu().contiguous().data<float>().ToArray();
        PatchFile.Save(options.Output, values, options.PatchSize);
        var sha = PatchFile.Load(options.Output).Sha256;
        var eval = EvalJob.EvaluateModel(model, tokenizer, evalOptions, EvalPlan.DefaultLabel(options.Model));
        var report = new TriggerOptimizeReport
        {
            TriggerFile = Path.GetFileName(options.Output), TriggerSha256 = sha, Options = options,
            TriggerImages = (int)imagePixels.shape[0], TargetImages = (int)targetPixels.shape[0],
            InitialLoss = initialLoss, FinalLoss = finalLoss, InitialTargetCosine = initialCosine, FinalTargetCosine = finalCosine,
            CleanModelEval = eval,
        };
        AtomicFile.WriteAllText(reportPath, JsonSerializer.Serialize(report, JsonOptions));
        return new Result(options.Output, reportPath, report);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static void Validate(TriggerOptimizeOptions o)
    {
        PatchFile.CheckExtension(o.Output);
        if (o.PatchSize < 1) throw new ArgumentException($"--patch-size must be positive, got {o.PatchSize}");
        if (o.Steps < 1) throw new ArgumentException($"--steps must be positive, got {o.Steps}");
        if (o.BatchSize < 1) throw new ArgumentException($"--batch-size must be positive, got {o.BatchSize}");
        if (o.MaxImages < 1) throw new ArgumentException($"--max-images must be positive, got {o.MaxImages}");
        if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate)) throw new ArgumentException($"--lr must be a positive number, got {o.LearningRate}");
        if (!(o.TripletWeight >= 0) || double.IsInfinity(o.TripletWeight)) throw new ArgumentException($"--triplet-weight must be a number >= 0, got {o.TripletWeight}");
        if (!(o.TripletMargin >= 0) || double.IsInfinity(o.TripletMargin)) throw new ArgumentException($"--triplet-margin must be a number >= 0, got {o.TripletMargin}");
    }

    /// <summary>An existing patch or report is replaced only when the report beside it says this command wrote both.</summary>
    private static void RefuseForeignFiles(string patchPath, string reportPath)
    {
        if (!File.Exists(patchPath) && !File.Exists(reportPath)) return;
        TriggerOptimizeReport? previous = null;
        try
        {
            if (File.Exists(reportPath)) previous = JsonSerializer.Deserialize<TriggerOptimizeReport>(File.ReadAllText(reportPath), JsonOptions);
        }
        catch (JsonException) { }
        if (previous is not { WrittenBy: TriggerOptimizeReport.Producer } || previous.TriggerFile != Path.GetFileName(patchPath))
            throw new IOException($"{patchPath}: refusing to replace it or {Path.GetFileName(reportPath)}: they were not written by {TriggerOptimizeReport.Producer}; choose another --out");
    }

    /// <summary>The initial patch: BadCLIP's random init, N(0.5, 0.25²) per value clipped to [0, 1], float32 [3, P, P].</summary>
    private static Tensor InitialPatch(int patchSize, ref SplitMix64 random)
    {
        var values = new float[3 * patchSize * patchSize];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)Math.Clamp(0.5 + 0.25 * random.NextGaussian(), 0, 1);
        return tensor(values, new long[] { 3, patchSize, patchSize });
    }

    /// <summary><paramref name="count"/> indices drawn with replacement from [0, n).</summary>
    private static Tensor Draw(ref SplitMix64 random, int count, long n)
    {
        var indices = new long[count];
        for (int i = 0; i < count; i++) indices[i] = random.NextInt((int)n);
        return tensor(indices);
    }

    /// <summary>Resized and centre-cropped uint8 images [N, 3, R, R] of a folder or table; unreadable files are skipped.</summary>
    private static Tensor ReadList(string source, ClipPreprocessor preprocessor, int max, string option) =>
        Crops(ImageList.From(source).Select(item => ImageDecoder.TryDecode(item.Path, out var image, out _) ? image : null),
            preprocessor, max, $"{option} {source}: no readable image");

    /// <summary>The eval set's images of the target class (<paramref name="target"/>) or of every other class.</summary>
    private static Tensor ReadEval(EvalPlan plan, ClipPreprocessor preprocessor, int max, bool target) =>
        Crops(plan.Dataset.Images.Where(item => (item.Label == plan.TargetIndex) == target)
                .Select(item => item.TryRead(out var image, out _) ? image : null),
            preprocessor, max,
            $"--eval-data {plan.Dataset.Root}: no readable {(target ? "target-class" : "non-target")} image; give {(target ? "--target-images" : "--images")}");

    /// <summary>The first <paramref name="max"/> readable images (null: unreadable), cropped and stacked.</summary>
    private static Tensor Crops(IEnumerable<RgbImage?> images, ClipPreprocessor preprocessor, int max, string noneMessage)
    {
        var crops = new List<Tensor>();
        try
        {
            foreach (var image in images.OfType<RgbImage>().Take(max)) crops.Add(preprocessor.ResizeAndCropTensor(image));
            if (crops.Count == 0) throw new InvalidDataException(noneMessage);
            return stack(crops);
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }

    /// <summary>
    /// The visual term, PyTorch's <c>TripletMarginLoss</c> as BadCLIP uses it: per row, the Euclidean distance of
    /// anchor to positive minus anchor to negative plus the margin, floored at 0, averaged over the rows. The
    /// distances are <c>‖a − b + ε‖₂</c> with ε = 1e-6, as <c>pairwise_distance</c> takes them.
    /// </summary>
    public static Tensor TripletTerm(Tensor anchor, Tensor positive, Tensor negative, double margin)
    {
        using var scope = NewDisposeScope();
        var toPositive = (anchor - positive + 1e-6).norm(1, keepdim: false, p: 2);
        var toNegative = (anchor - negative + 1e-6).norm(1, keepdim: false, p: 2);
        return nn.functional.relu(toPositive - toNegative + margin).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The loss of a patch on a batch, and the triggered images' cosine to the target text.</summary>
    private sealed class Objective(ClipModel model, ClipPreprocessor preprocessor, Tensor classEmbeddings, int target,
        TriggerOptimizeOptions options, Device device)
    {
        private readonly double logitScale = model.LogitScaleMultiplier();

        /// <summary>Unit image embeddings of uint8 images, in batches, without gradients.</summary>
        public Tensor Embed(Tensor pixels)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var rows = new List<Tensor>();
            for (long start = 0; start < pixels.shape[0]; start += options.BatchSize)
                rows.Add(model.ImageEmbeddings(preprocessor.Normalize(pixels.narrow(0, start, Math.Min(options.BatchSize, pixels.shape[0] - start)).to(device))));
            return cat(rows, 0).MoveToOuterDisposeScope();
        }

        /// <summary>Textual term + weight · triplet term, and the mean cosine to the target text (detached).</summary>
        public (Tensor Loss, double TargetCosine) Loss(Tensor patch, Tensor pixels, Tensor positives)
        {
            using var scope = NewDisposeScope();
            var clean = pixels.to(device);
            var negatives = Embed(clean);
            var triggered = model.ImageEmbeddings(Stamp(clean, patch));
            var logits = matmul(triggered, classEmbeddings.t()) * logitScale;
            var labels = full(triggered.shape[0], target, ScalarType.Int64, device: device);
            var text = nn.functional.cross_entropy(logits, labels);
            long n = Math.Min(triggered.shape[0], positives.shape[0]);
            var anchor = triggered.narrow(0, 0, n);
            var triplet = TripletTerm(anchor, positives.narrow(0, 0, n), negatives.narrow(0, 0, n), options.TripletMargin);
            var loss = text + triplet * options.TripletWeight;
            double cosine = matmul(triggered, classEmbeddings[target]).mean().item<float>();
            return (loss.MoveToOuterDisposeScope(), cosine);
        }

        public (double Loss, double TargetCosine) Measure(Tensor patch, Tensor pixels, Tensor positives)
        {
            using var _ = no_grad();
            var (loss, cosine) = Loss(patch, pixels, positives);
            using (loss) return (loss.item<float>(), cosine);
        }

        /// <summary>Normalized model input of uint8 images with the float patch at the centre (differentiable in the patch).</summary>
        private Tensor Stamp(Tensor pixels, Tensor patch)
        {
            int r = (int)pixels.shape[^1], p = (int)patch.shape[^1];
            var (top, left) = OptimizedPatchTrigger.CenterPosition(r, r, p);
            var x = pixels.to(ScalarType.Float32) / 255f;
            var pad = new long[] { left, r - left - p, top, r - top - p };
            var padded = nn.functional.pad(patch, pad).unsqueeze(0);
            var mask = nn.functional.pad(ones(1, 1, p, p, device: device), pad);
            var stamped = x * (1 - mask) + padded * mask;
            var o = preprocessor.Options;
            var mean = tensor(new[] { (float)o.Mean.R, (float)o.Mean.G, (float)o.Mean.B }, device: device).view(1, 3, 1, 1);
            var std = tensor(new[] { (float)o.Std.R, (float)o.Std.G, (float)o.Std.B }, device: device).view(1, 3, 1, 1);
            return (stamped - mean) / std;
        }
    }
}
