using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Evaluation;

/// <summary>
/// What <c>cleanclip eval</c> writes to <c>eval.json</c> and <c>cleanclip report</c> reads back: one entry per
/// checkpoint, metrics as fractions in [0, 1] (null when not asked for). The schema is this record; field names
/// are snake_case in the file.
/// </summary>
public sealed record EvalResults
{
    public const string FileName = "eval.json";

    public required string EvalData { get; init; }
    public required string Classes { get; init; }
    /// <summary>The tokenizer vocabulary file the class prompts were encoded with.</summary>
    public string? Vocab { get; init; }
    /// <summary>The trigger applied to eval images (its <c>Name</c> and settings), null when no backdoor metric was computed.</summary>
    public Poisoning.TriggerOptions? Trigger { get; init; }
    /// <summary>Squash-to-resolution trigger preprocessing of the reference (<c>--reference-asr</c>) instead of crop.</summary>
    public bool ReferenceAsr { get; init; }
    public string? Target { get; init; }
    public int? TargetIndex { get; init; }
    public ulong Seed { get; init; }
    /// <summary>What the models computed in.</summary>
    public Models.Precision Precision { get; init; }
    public required IReadOnlyList<CheckpointEval> Checkpoints { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static EvalResults FromJson(string json, string path) =>
        JsonSerializer.Deserialize<EvalResults>(json, Json)
        ?? throw new InvalidDataException($"{path}: empty eval results");

    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static EvalResults Read(string path)
    {
        try
        {
            return FromJson(File.ReadAllText(path), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an eval.json file ({e.Message})", e);
        }
    }
}

/// <summary>The metrics of one checkpoint on one evaluation set.</summary>
public sealed record CheckpointEval
{
    /// <summary>The checkpoint path or model name as given.</summary>
    public required string Checkpoint { get; init; }
    /// <summary>Short name for tables and plots (file name without extension unless the user names it).</summary>
    public required string Label { get; init; }
    /// <summary>Clean images evaluated (after skipping unreadable ones).</summary>
    public int Images { get; init; }
    /// <summary>Triggered images whose true class is not the target: the ASR denominator.</summary>
    public int? AsrImages { get; init; }
    /// <summary>Zero-shot top-k accuracy on clean images, keyed "1", "3", "5", "10".</summary>
    public IReadOnlyDictionary<string, double>? CleanAccuracy { get; init; }
    /// <summary>ASR@k keyed "1", "3", "5", "10".</summary>
    public IReadOnlyDictionary<string, double>? AttackSuccessRate { get; init; }
    /// <summary>Robust accuracy (top-1 vs true labels on triggered images, target-class images excluded).</summary>
    public double? RobustAccuracy { get; init; }
    /// <summary>Defense-effectiveness rating against the first checkpoint of the call (null for the first).</summary>
    public double? DefenseEffectivenessRating { get; init; }
    public double? LinearProbeAccuracy { get; init; }
    public double? LinearProbeAttackSuccessRate { get; init; }
    /// <summary>Retrieval recalls, keyed e.g. "image_to_text_r1", "text_to_image_r5", "asr_top10".</summary>
    public IReadOnlyDictionary<string, double>? Retrieval { get; init; }
    /// <summary>Per-class top-1 accuracy on clean images, keyed by class name.</summary>
    public IReadOnlyDictionary<string, double>? PerClassAccuracy { get; init; }
    public double Seconds { get; init; }
}
