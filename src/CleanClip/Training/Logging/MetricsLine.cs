using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Training.Logging;

/// <summary>
/// One line of a run's <c>metrics.jsonl</c>: a logged optimizer step (<c>kind = "step"</c>), an epoch summary
/// (<c>"epoch"</c>) or an evaluation during training (<c>"eval"</c>). Null fields are left out of the line.
/// </summary>
public sealed record MetricsLine
{
    public const string FileName = "metrics.jsonl";

    public required string Kind { get; init; }
    public int Epoch { get; init; }
    /// <summary>Optimizer steps completed (global, from 0).</summary>
    public long Step { get; init; }
    public double ElapsedSeconds { get; init; }
    public double? Loss { get; init; }
    public double? ClipLoss { get; init; }
    public double? InModalLoss { get; init; }
    /// <summary>PAR: ½(P_image + P_text), the thresholded term subtracted from the CLIP loss (docs/par.md).</summary>
    public double? PerturbationLoss { get; init; }
    /// <summary>PAR: batch mean of ‖u − v‖² between the model's and the frozen initial model's normalised image embeddings.</summary>
    public double? ImageDistance { get; init; }
    /// <summary>PAR: the same for the text embeddings.</summary>
    public double? TextDistance { get; init; }
    public double? LearningRate { get; init; }
    public double? LogitScale { get; init; }
    public double? PairsPerSecond { get; init; }
    public double? ValidationLoss { get; init; }
    /// <summary>Zero-shot clean top-1 accuracy from the in-training evaluation hook.</summary>
    public double? CleanAccuracy { get; init; }
    /// <summary>Zero-shot ASR@1 from the in-training evaluation hook.</summary>
    public double? AttackSuccessRate { get; init; }
    /// <summary>Supervised finetuning: share of the training images (of the step window or epoch) the head classified right, before each update.</summary>
    public double? TrainAccuracy { get; init; }
    /// <summary>Epoch lines of in-modal runs: the caption augmentation's EDA mode (all operations, or without WordNet).</summary>
    public string? EdaMode { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A diverging run logs NaN/Infinity rather than failing to log.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads every line of a metrics file; a malformed line is an error naming the file and line.</summary>
    public static IReadOnlyList<MetricsLine> ReadAll(string path)
    {
        var lines = new List<MetricsLine>();
        int number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                lines.Add(JsonSerializer.Deserialize<MetricsLine>(text, Json)
                    ?? throw new InvalidDataException($"{path}:{number}: empty metrics line"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{number}: not a metrics line ({e.Message})", e);
            }
        }
        return lines;
    }
}
