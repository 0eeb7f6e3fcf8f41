using System.Text.Json;

namespace CleanClip.Training.Supervised;

/// <summary>
/// Where a supervised finetuning run stands, stored in every checkpoint: with the weights, the head and the AdamW
/// moments, enough to continue bit-identically (the data order is derived from (seed, epoch), nothing else is random).
/// </summary>
public sealed record SupervisedState : ILoopState<SupervisedState>
{
    public const string MetadataKey = "cleanclip.supervised";

    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; init; }
    /// <summary>The epoch the next step belongs to (0-based).</summary>
    public int Epoch { get; init; }
    /// <summary>The next batch of <see cref="Epoch"/>'s plan to run.</summary>
    public int BatchInEpoch { get; init; }
    /// <summary>Loss sum, step count, correct predictions and images of <see cref="Epoch"/> so far, so a resumed epoch's summary is whole.</summary>
    public double EpochLossSum { get; init; }
    public long EpochSteps { get; init; }
    public long EpochCorrect { get; init; }
    public long EpochImages { get; init; }
    public required SupervisedOptions Options { get; init; }
    /// <summary>The labeled folder, and a fingerprint of its images, labels and classes so a resume on other data is refused.</summary>
    public required string TrainData { get; init; }
    public required string TrainDataFingerprint { get; init; }
    /// <summary>The classes file given with <c>--classes</c> (null: the one beside labels.csv).</summary>
    public string? Classes { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>The checkpoint the run started from.</summary>
    public required string Init { get; init; }
    /// <summary>The vocabulary the zero-shot head was built with, if any.</summary>
    public string? Vocab { get; init; }
    public string LibraryVersion { get; init; } = TrainingState.CurrentVersion;

    public SupervisedState AfterStep(int epoch, int batchNumber, int items, StepTerms terms) => this with
    {
        Step = Step + 1, Epoch = epoch, BatchInEpoch = batchNumber + 1, EpochLossSum = EpochLossSum + terms.Loss, EpochSteps = EpochSteps + 1,
        EpochCorrect = EpochCorrect + (terms.Correct ?? 0), EpochImages = EpochImages + items,
    };

    public string ToJson() => JsonSerializer.Serialize(this, TrainingState.Json);

    public static SupervisedState FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<SupervisedState>(json, TrainingState.Json) ?? throw new InvalidDataException($"{source}: empty training state");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: unreadable supervised training state ({e.Message})", e);
        }
    }
}
