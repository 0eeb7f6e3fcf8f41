using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Augmentation;
using CleanClip.Training.Checkpointing;

namespace CleanClip.Training;

/// <summary>Options of <c>cleanclip train</c> and <c>cleanclip clean</c> (one job, two sets of defaults).</summary>
public sealed record TrainJobOptions
{
    /// <summary>Image–caption table to train on; with <see cref="Resume"/> it may be left null (the run's own is used).</summary>
    public string? TrainData { get; init; }
    public string? ValidationData { get; init; }
    public CaptionTableOptions Table { get; init; } = new();
    /// <summary>A registry name (fresh weights) or a checkpoint file to start from.</summary>
    public string Init { get; init; } = "RN50";
    /// <summary>Registry config for a checkpoint that carries none and cannot be inferred.</summary>
    public string? ModelConfig { get; init; }
    /// <summary>Head counts a checkpoint cannot tell (<c>--text-heads</c>, <c>--vision-heads</c>); they override the architecture's.</summary>
    public HeadCounts? Heads { get; init; }
    public string? Vocab { get; init; }
    public TruncationMode Truncation { get; init; } = TruncationMode.KeepEndOfText;
    /// <summary>The run folder: config.json, metrics.jsonl, TensorBoard events, checkpoints/, model.safetensors.</summary>
    public string Out { get; init; } = "runs/train";
    /// <summary>A run folder to continue; every training setting comes from its latest checkpoint.</summary>
    public string? Resume { get; init; }
    public string Device { get; init; } = "auto";
    /// <summary>Open TorchScript checkpoints, which can run code (<see cref="Checkpoints.CheckpointReadOptions.TrustTorchScript"/>).</summary>
    public bool TrustTorchScript { get; init; }
    /// <summary>
    /// LibTorch's deterministic algorithms only (<c>torch.use_deterministic_algorithms</c>): an op without one fails
    /// instead of running. On CPU every op CleanClip uses is already deterministic for a fixed thread count, so this
    /// changes nothing there (docs/experiments/runtime-settings.md); on CUDA it trades speed for repeatability.
    /// </summary>
    public bool Deterministic { get; init; }
    public TrainingOptions Training { get; init; } = new();
    /// <summary>
    /// The options the user gave explicitly (property name of this record or of <see cref="TrainingOptions"/> → CLI
    /// spelling): with <see cref="Resume"/> each one that differs from the run's is refused or, if
    /// <see cref="ResumeCheck.Changeable"/>, applied with a note.
    /// </summary>
    public IReadOnlyDictionary<string, string> Given { get; init; } = new Dictionary<string, string>();
    /// <summary>Where WordNet is looked for after <see cref="TrainingOptions.WordNet"/>; null: <see cref="WordNet.DefaultPlaces"/>.</summary>
    public IReadOnlyList<string>? WordNetPlaces { get; init; }
    /// <summary>The evaluation hook during training; null runs none.</summary>
    public Func<ClipModel, ClipTokenizer, EpochEvaluation>? Evaluate { get; init; }
}

/// <summary>What a train/clean job did, plus anything the user should be told (missing WordNet, skipped rows).</summary>
public sealed record TrainJobResult(TrainingResult Training, IReadOnlyList<string> Notes, string? ResumedFrom);

/// <summary>Sets up a <see cref="TrainingRun"/> from files (data, vocabulary, model, WordNet) and runs it.</summary>
public static class TrainJob
{
    /// <summary>
    /// The preset a run folder's config.json records (<see cref="TrainingOptions.Preset"/>), so that a resumed run
    /// takes the same preset's defaults; <see cref="Preset.Default"/> when the folder has no readable record
    /// (resuming it then fails on its checkpoints, with the reason).
    /// </summary>
    public static Preset RecordedPreset(string runDirectory)
    {
        var path = Path.Combine(runDirectory, Trainer.ConfigFileName);
        try
        {
            using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return config.RootElement.TryGetProperty("run", out var run) && run.TryGetProperty("options", out var recorded)
                && recorded.TryGetProperty("preset", out var preset) && preset.ValueKind == System.Text.Json.JsonValueKind.String
                && Enum.TryParse<Preset>(preset.GetString()!.Replace("-", ""), ignoreCase: true, out var value)
                ? value : Preset.Default;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return Preset.Default;
        }
    }

    public static TrainJobResult Run(TrainJobOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Training.Validate();
        var notes = new List<string>();
        var device = TorchDevice.Choose(options.Device);
        string? resumeFrom = null;
        var job = options;
        if (options.Resume is { } resumeDir)
        {
            var latest = new CheckpointFolder(Path.Combine(resumeDir, "checkpoints"), 1)
                .ResumePoint(TrainingCheckpoint.ReadState, "training state", notes);
            resumeFrom = latest.File;
            var saved = latest.State;
            var conflicts = new List<string>();
            ResumeCheck.Compare(saved, options, options.Given, conflicts, notes);
            ResumeCheck.Compare(saved.Options, options.Training, options.Given, conflicts, notes);
            ResumeCheck.ThrowIfAny(conflicts, resumeDir);
            job = options with
            {
                TrainData = saved.TrainData, ValidationData = saved.ValidationData, Vocab = saved.Vocab, Init = latest.File,
                ModelConfig = null, Heads = null, Out = resumeDir, Training = ResumeCheck.Merge(saved.Options, options.Training, options.Given),
            };
        }
        var trainPath = job.TrainData ?? throw new ArgumentException("--train-data is required");
        // Stored absolute (like the tables) so that --resume works from any working directory.
        var vocab = Path.GetFullPath(job.Vocab ?? throw new ArgumentException("--vocab is required: the BPE vocabulary (.txt.gz) the model's text tower uses"));
        // WebDataset shards are indexed once into the run folder, so that --resume and later runs there skip the walk.
        var table = job.Table with { ShardIndexFolder = job.Table.ShardIndexFolder ?? Path.Combine(job.Out, ShardDataset.IndexFolderName) };
        var train = ImageCaptionDataset.Load(trainPath, table);
        if (train.Skipped.LeftOutAny) notes.Add($"{trainPath}: {train.Skipped.Summary()}");
        var validation = job.ValidationData is { } v ? ImageCaptionDataset.Load(v, table) : null;
        using var model = ModelLoader.Load(job.Init, job.ModelConfig, (long)job.Training.Seed, device, CheckpointReadOptions.Trusting(job.TrustTorchScript), job.Heads);
        // Captions are cut to the model's own context (at 77 for OpenAI's), keeping their end-of-text token by default.
        var tokenizer = ClipTokenizer.FromVocabFile(vocab, new TokenizerOptions { Truncation = job.Truncation, ContextLength = model.Config.ContextLength });
        TokenizerFit.Check(model, tokenizer, vocab);

        var training = job.Training;
        if (training.Precision == Precision.Bf16 && TowerCompute.ImageTowerStaysFp32(model.Config, device.type))
            notes.Add($"--precision Bf16: {model.Config.Name}'s convolutions run without oneDNN (fewer than {TorchRuntime.OneDnnMinChannels} channels), " +
                "where LibTorch has no fast bf16 kernels, so its image tower computes in fp32 and only the text tower in bf16. bf16 pays off on RN50-sized ResNets and ViTs");
        Eda? eda = null;
        if (training.UsesInModal)
        {
            var wordNet = training.NoWordNet ? null : WordNet.Find(training.WordNet, job.WordNetPlaces);
            if (wordNet is null && !training.NoWordNet)
                throw new ArgumentException($"--method {training.Method} needs WordNet for EDA's synonym replacement and random insertion, and none was found " +
                    $"in {string.Join(", ", new[] { training.WordNet }.Concat(job.WordNetPlaces ?? WordNet.DefaultPlaces()).OfType<string>())}: " +
                    "install wordnet-base, set $WNHOME or pass --wordnet DIR; or pass --no-wordnet to run EDA with swap and deletion only");
            if (training.NoWordNet)
                notes.Add("--no-wordnet: EDA runs without synonym replacement and random insertion (recorded as eda_mode in config.json and metrics.jsonl)");
            else if (training.WordNet is { } asked && wordNet is not null && Path.GetFullPath(asked) != Path.GetFullPath(wordNet))
                notes.Add($"--wordnet {asked} holds no WordNet database; using {wordNet}");
            eda = new Eda(wordNet is null ? null : WordNet.Load(wordNet), training.EdaAlpha);
        }
        // The reference restores whatever AdamW state its checkpoint holds; so does the reference preset's restore, while
        // --restore-optimizer given explicitly insists on state to restore.
        bool restore = training.RestoreOptimizer && options.Resume is null;
        bool restoreOptional = training.Preset == Preset.Reference && !options.Given.ContainsKey(nameof(TrainingOptions.RestoreOptimizer));
        if (restore && !File.Exists(job.Init))
        {
            if (!restoreOptional) throw new ArgumentException($"--restore-optimizer needs a checkpoint file to restore from, not '{job.Init}'");
            notes.Add($"'{job.Init}' is no checkpoint file, so AdamW starts fresh (as the reference does without one)");
            restore = false;
        }
        var init = options.Resume is null ? RunPaths.ModelNameOrFullPath(job.Init) : TrainingCheckpoint.ReadState(resumeFrom!)!.Init;
        // PAR's frozen model is the run's initial checkpoint (also when resuming, where the trained weights come from
        // the run's own checkpoint), built with the trained model's architecture.
        using var reference = training.UsesReference
            ? ReferenceModel.Load(init, model.Config, (long)training.Seed, device, CheckpointReadOptions.Trusting(job.TrustTorchScript))
            : null;
        var run = new TrainingRun
        {
            Model = model, Tokenizer = tokenizer, TrainData = train, ValidationData = validation, Options = training,
            RunDirectory = job.Out,
            ImageAugmentation = training.UsesInModal || training.UsesReference ? ImageAugmentations.Create(training.ImageAugmentation) : null,
            TextAugmentation = eda, Init = init, Reference = reference,
            Vocab = vocab, ResumeFrom = resumeFrom,
            OptimizerFrom = restore ? job.Init : null, OptimizerStateOptional = restoreOptional, Note = notes.Add,
            Evaluate = job.Evaluate is null ? null : m => job.Evaluate(m, tokenizer),
        };
        bool wasDeterministic = TorchRuntime.DeterministicAlgorithms;
        TorchRuntime.DeterministicAlgorithms = job.Deterministic || wasDeterministic;
        TrainingResult result;
        try { result = Trainer.Run(run, progress, cancellation); }
        finally { TorchRuntime.DeterministicAlgorithms = wasDeterministic; }
        if (result.Captions.Note(trainPath) is { } truncated) notes.Add(truncated);
        if (SkippedImageList.Note(result.SkippedImages, Path.Combine(result.RunDirectory, SkippedImageList.FileName)) is { } skipped) notes.Add(skipped);
        return new TrainJobResult(result, notes, resumeFrom);
    }
}
