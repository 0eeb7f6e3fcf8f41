using CleanClip.Data.Pipeline;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;

namespace CleanClip.Training;

/// <summary>What one optimizer step of a task reports: its loss, its learning rate, and the terms its metrics average.</summary>
public sealed record StepTerms(double Loss, double LearningRate)
{
    /// <summary>Contrastive tasks: the CLIP loss term.</summary>
    public double? Clip { get; init; }
    /// <summary>CleanCLIP and SSL: the in-modal loss term.</summary>
    public double? InModal { get; init; }
    /// <summary>PAR: the perturbation term and the two towers' distances to the frozen model.</summary>
    public (double Perturbation, double ImageDistance, double TextDistance)? Par { get; init; }
    /// <summary>Supervised finetuning: images of the batch the head classified right, before the update.</summary>
    public long? Correct { get; init; }
}

/// <summary>
/// Where a run stands, as the engine sees it: steps done, and the epoch and batch the next step belongs to. Each task's
/// state record implements it and adds what it needs to resume (options, data fingerprint, running sums).
/// </summary>
public interface ILoopState<TSelf> where TSelf : class, ILoopState<TSelf>
{
    /// <summary>Optimizer steps completed.</summary>
    long Step { get; }
    /// <summary>The epoch the next step belongs to (0-based).</summary>
    int Epoch { get; }
    /// <summary>The next batch of <see cref="Epoch"/>'s plan to run.</summary>
    int BatchInEpoch { get; }
    /// <summary>The state after one more step on batch <paramref name="batchNumber"/> of <paramref name="epoch"/> (<paramref name="items"/> items): counters and the epoch's running sums.</summary>
    TSelf AfterStep(int epoch, int batchNumber, int items, StepTerms terms);
}

/// <summary>The loop's settings, the same for every task.</summary>
public sealed record LoopSettings(int Epochs, int BatchSize, int LogEverySteps, int SaveEverySteps, int KeepCheckpoints, long? StopAfterSteps, bool TensorBoard);

/// <summary>
/// One kind of training plugged into <see cref="TrainingEngine"/>: its batches, its step, its state, its checkpoints,
/// its epoch summary and its final files. The engine owns everything around them.
/// </summary>
public interface ITrainingTask<TState> where TState : class, ILoopState<TState>
{
    LoopSettings Loop { get; }
    /// <summary>Full batches per epoch (the last partial batch is dropped).</summary>
    int StepsPerEpoch { get; }

    /// <summary>The fresh state (writing the run's config and refusing a folder that holds another run's checkpoints) or the resumed one.</summary>
    TState Start(CheckpointFolder folder);

    /// <summary>Switches the model(s) between training and evaluation mode.</summary>
    void Train(bool training);

    /// <summary>The epoch's batches from <paramref name="firstBatch"/> on, in the order the seed fixes.</summary>
    EpochBatches Batches(int epoch, int firstBatch);

    /// <summary>One optimizer step. Throws <see cref="TrainingDivergedException"/> before the weights change when the loss or gradient is not finite.</summary>
    StepTerms Step(Batch batch, TState state, string? lastCheckpoint);

    /// <summary>The learned logit scale to log with the step metrics, if the task has one.</summary>
    double? LogitScale { get; }

    /// <summary>The epoch's batches have ended (or the run stops inside it): their skipped items are complete.</summary>
    void BatchesEnded(EpochBatches batches);

    /// <summary>
    /// The epoch's summary line (validation and evaluation included), the state the next epoch starts from, and whether
    /// this epoch's model is the best so far (then the engine also saves it apart).
    /// </summary>
    (TState Next, MetricsLine Summary, bool Best) EndEpoch(int epoch, TState state, double elapsedSeconds);

    /// <summary>A checkpoint of the weights, optimizer moments and state; returns its file.</summary>
    string Save(CheckpointFolder folder, TState state);
    void SaveBest(CheckpointFolder folder, TState state);

    /// <summary>The final files of a completed run; returns the model file.</summary>
    string Finish(TState state);
}
