using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Training;

/// <summary>
/// Where a run stands, stored in every training checkpoint next to the weights and optimizer moments: enough to
/// continue so that the final weights equal an uninterrupted run's. Randomness needs no stored generator state:
/// data order, image augmentations and caption augmentations are all derived from (seed, epoch, item).
/// </summary>
public sealed record TrainingState : ILoopState<TrainingState>
{
    public const string MetadataKey = "cleanclip.training";

    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; init; }
    /// <summary>The epoch the next step belongs to (0-based); equals the epoch count when the run is complete.</summary>
    public int Epoch { get; init; }
    /// <summary>The next batch of <see cref="Epoch"/>'s plan to run.</summary>
    public int BatchInEpoch { get; init; }
    public double? BestValidationLoss { get; init; }
    /// <summary>Sum and count of the losses of <see cref="Epoch"/>'s steps so far, so a resumed epoch's summary is whole.</summary>
    public double EpochLossSum { get; init; }
    public long EpochSteps { get; init; }
    public required TrainingOptions Options { get; init; }
    /// <summary>The training table, and a fingerprint of its rows so a resume on other data is refused.</summary>
    public required string TrainData { get; init; }
    public required string TrainDataFingerprint { get; init; }
    public string? ValidationData { get; init; }
    /// <summary>The model name or checkpoint the run started from.</summary>
    public required string Init { get; init; }
    public required string Vocab { get; init; }
    /// <summary>
    /// PAR runs: SHA-256 of the frozen model's weights (<see cref="ReferenceModel.Fingerprint"/>), loaded from
    /// <see cref="Init"/>; a resume whose <see cref="Init"/> now holds other weights is refused. Null for other methods.
    /// </summary>
    public string? ReferenceFingerprint { get; init; }
    /// <summary>The caption augmentation's <see cref="Augmentation.Eda.Mode"/>; null when the run has no in-modal loss.</summary>
    public string? EdaMode { get; init; }
    public string LibraryVersion { get; init; } = CurrentVersion;

    public TrainingState AfterStep(int epoch, int batchNumber, int items, StepTerms terms) => this with
    {
        Step = Step + 1, Epoch = epoch, BatchInEpoch = batchNumber + 1, EpochLossSum = EpochLossSum + terms.Loss, EpochSteps = EpochSteps + 1,
    };

    public static string CurrentVersion { get; } =
        typeof(TrainingState).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingState FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(json, Json) ?? throw new InvalidDataException($"{source}: empty training state");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: unreadable training state ({e.Message})", e);
        }
    }
}
