using System.Text.Json.Serialization;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Text;

namespace CleanClip.Evaluation;

/// <summary>What <c>cleanclip eval</c> can measure; spelled <c>ca</c>, <c>asr</c>, <c>ra</c>, <c>linear-probe</c>, <c>retrieval</c>.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<EvalMetric>))]
public enum EvalMetric
{
    /// <summary>Zero-shot clean accuracy (top-1/3/5/10, per class).</summary>
    Ca,
    /// <summary>Zero-shot attack success rate (top-1/3/5/10), target-class images excluded.</summary>
    Asr,
    /// <summary>Robust accuracy: top-1 vs true labels on triggered non-target images.</summary>
    Ra,
    /// <summary>Linear-probe accuracy and ASR: logistic regression on frozen features of <see cref="EvalOptions.ProbeTrainData"/>.</summary>
    LinearProbe,
    /// <summary>Image↔text recall@1/5/10 and the retrieval ASR on the caption table <see cref="EvalOptions.RetrievalData"/>.</summary>
    Retrieval,
}

/// <summary>Options of <c>cleanclip eval</c>; the CLI takes its defaults from here.</summary>
public sealed record EvalOptions
{
    /// <summary>
    /// Checkpoint files or registry names that <see cref="EvalJob.Run"/> evaluates, in order (DER compares each with the
    /// first). An evaluation of a model in memory (<see cref="EvalJob.EvaluateModel"/>, the training hook) leaves it empty.
    /// </summary>
    public IReadOnlyList<string> Checkpoints { get; init; } = [];
    /// <summary>Table and plot names, one per checkpoint; default: the file name without extension (or the registry name).</summary>
    public IReadOnlyList<string>? Labels { get; init; }
    /// <summary>Registry name of the architecture, for checkpoint files that do not say.</summary>
    public string? ModelConfig { get; init; }
    /// <summary>Head counts a checkpoint cannot tell (<c>--text-heads</c>, <c>--vision-heads</c>); they override the architecture's.</summary>
    public HeadCounts? Heads { get; init; }
    /// <summary>Seed of the fresh weights when a checkpoint is a registry name.</summary>
    public long ModelSeed { get; init; }
    /// <summary>A labeled folder: labels.csv (image, class index) with a classes file, or root/&lt;class&gt;/&lt;image&gt;.</summary>
    public required string EvalData { get; init; }
    /// <summary>Classes and prompt templates (JSON or classes.py); null looks for classes.py/classes.json beside labels.csv.</summary>
    public string? Classes { get; init; }
    public required string Vocab { get; init; }
    public TruncationMode Truncation { get; init; } = TruncationMode.KeepEndOfText;
    public IReadOnlyList<EvalMetric> Metrics { get; init; } = [EvalMetric.Ca, EvalMetric.Asr, EvalMetric.Ra];
    /// <summary>The trigger applied to eval images for ASR and RA; its <see cref="TriggerOptions.Seed"/> fixes the fixed patterns.</summary>
    public TriggerOptions Trigger { get; init; } = new();
    /// <summary>The backdoor's target class: a name in the classes file (case-insensitive) or an index.</summary>
    public string Target { get; init; } = "banana";
    /// <summary>Squash eval images to the model resolution before the trigger, as the reference does
    /// (docs/reference-behaviour.md §14, defect 3), instead of crop.</summary>
    [ReferenceSwitch]
    public bool ReferenceAsr { get; init; }
    /// <summary>Eval image i is triggered with seed <c>SplitMix64.Derive(Seed, i)</c>, i its row in the eval set.</summary>
    public ulong Seed { get; init; } = 1;
    public int BatchSize { get; init; } = 64;
    public string Device { get; init; } = "auto";
    /// <summary>What the model computes in (features and scores are fp32 either way).</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Open TorchScript checkpoints, which can run code (<see cref="Checkpoints.CheckpointReadOptions.TrustTorchScript"/>).</summary>
    public bool TrustTorchScript { get; init; }
    /// <summary>Folder for eval.json; null: the folder of the first checkpoint file, or the current folder for a registry name.</summary>
    public string? Output { get; init; }
    /// <summary>
    /// The linear probe's labeled train split (laid out like <see cref="EvalData"/>, read with the same classes file);
    /// the probe is scored on the eval set, clean and triggered. Required by <see cref="EvalMetric.LinearProbe"/>.
    /// </summary>
    public string? ProbeTrainData { get; init; }
    public LinearProbeOptions LinearProbe { get; init; } = new();
    /// <summary>Image–caption CSV/TSV for <see cref="EvalMetric.Retrieval"/>; its triggered copies use <see cref="Seed"/> and the ASR resize mode.</summary>
    public string? RetrievalData { get; init; }
    public Data.CaptionTableOptions RetrievalTable { get; init; } = new();
    /// <summary>Recall ks and the retrieval ASR's top-k; its seed, resize mode and batch size come from this record.</summary>
    public RetrievalOptions Retrieval { get; init; } = new();
    /// <summary>Root of the class-embedding and linear-probe feature caches; null disables caching.</summary>
    public string? CacheDir { get; init; } = ClassEmbeddingCache.DefaultDirectory();

    public bool Wants(EvalMetric metric) => Metrics.Contains(metric);

    /// <summary>Whether a zero-shot metric (CA, ASR, RA) is asked for, i.e. whether class embeddings are needed.</summary>
    public bool WantsZeroShot => Wants(EvalMetric.Ca) || Wants(EvalMetric.Asr) || Wants(EvalMetric.Ra);

    /// <summary>A comma-separated metric list, e.g. <c>ca,asr,ra</c>.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones) or an empty list.</exception>
    public static IReadOnlyList<EvalMetric> ParseMetrics(string text)
    {
        var metrics = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(KebabCaseEnumConverter<EvalMetric>.Parse).Distinct().ToList();
        if (metrics.Count == 0) throw new ArgumentException($"no metrics in '{text}'; use a comma-separated list of: {string.Join(", ", Enum.GetValues<EvalMetric>().Select(KebabCaseEnumConverter<EvalMetric>.Format))}");
        return metrics;
    }
}
