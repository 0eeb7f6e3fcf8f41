using System.Diagnostics;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;

namespace CleanClip.Training;

/// <summary>
/// The one training loop. A task (<see cref="ITrainingTask{TState}"/>: contrastive training in every method,
/// supervised finetuning) brings its batches, its step and its state; the engine owns the epochs and steps, resume
/// from the task's state, the stop reasons (end, <c>--stop-after</c>, cancellation), the checkpoint cadence, the
/// metrics log and TensorBoard, the out-of-memory guard, throughput, and the completion marker.
/// </summary>
public static class TrainingEngine
{
    /// <summary>How a run ended and where it left its files.</summary>
    public sealed record Outcome<TState>(TrainingOutcome Result, TState State, string? LastCheckpoint, string? ModelFile, string? BestCheckpoint, double? LastLoss);

    /// <param name="resumeFrom">The checkpoint the task's state was resumed from, or null for a fresh run.</param>
    /// <param name="clock">Started when the run began (its set-up included): the metrics' elapsed seconds.</param>
    public static Outcome<TState> Run<TState>(ITrainingTask<TState> task, string runDirectory, string? resumeFrom, Stopwatch clock,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) where TState : class, ILoopState<TState>
    {
        var loop = task.Loop;
        long totalSteps = (long)task.StepsPerEpoch * loop.Epochs;
        var folder = new CheckpointFolder(Path.Combine(runDirectory, "checkpoints"), loop.KeepCheckpoints);
        folder.RemoveInterruptedWrites();
        var state = task.Start(folder);
        long startStep = state.Step;
        TrainingOutcome? StopReason() =>
            cancellation.IsCancellationRequested ? TrainingOutcome.Interrupted
            : state.Step - startStep >= (loop.StopAfterSteps ?? long.MaxValue) ? TrainingOutcome.StepLimit
            : null;
        using var log = new TrainingLog(runDirectory, resumeFrom is null ? null : state.Step, loop.TensorBoard);
        string? lastCheckpoint = resumeFrom;
        double? lastLoss = null;
        var window = new StepWindow();
        Outcome<TState> End(TrainingOutcome result, string? modelFile) =>
            new(result, state, lastCheckpoint, modelFile, File.Exists(folder.BestPath) ? folder.BestPath : null, lastLoss);

        task.Train(true);
        try
        {
            for (int epoch = state.Epoch; epoch < loop.Epochs; epoch++)
            {
                using (var batches = task.Batches(epoch, state.Epoch == epoch ? state.BatchInEpoch : 0))
                {
                    foreach (var batch in batches)
                        using (batch)
                        {
                            var terms = BatchOutOfMemoryException.Guard(() => task.Step(batch, state, lastCheckpoint), loop.BatchSize, state.Step + 1, lastCheckpoint);
                            lastLoss = terms.Loss;
                            state = state.AfterStep(epoch, batch.Number, batch.Count, terms);
                            window.Add(batch.Count, terms);
                            progress?.Report(new TrainingProgress(epoch, loop.Epochs, state.Step, totalSteps, terms.Loss, terms.LearningRate, window.ItemsPerSecond));
                            if (state.Step % loop.LogEverySteps == 0)
                                log.Log(window.Flush(state.Epoch, state.Step, terms.LearningRate, clock.Elapsed.TotalSeconds, task.LogitScale));
                            if (loop.SaveEverySteps > 0 && state.Step % loop.SaveEverySteps == 0)
                                lastCheckpoint = task.Save(folder, state);
                            // At an epoch's last batch, stopping waits for the epoch's end: its summary, validation and checkpoint.
                            if (batch.Number + 1 < task.StepsPerEpoch && StopReason() is { } outcome)
                            {
                                if (lastCheckpoint != folder.PathFor(state.Step)) lastCheckpoint = task.Save(folder, state);
                                // Batches come in order: every batch up to this one (and perhaps some prefetched after it) is accounted for.
                                task.BatchesEnded(batches);
                                return End(outcome, null);
                            }
                        }
                    // The enumeration has ended, so the epoch's loading threads have stopped.
                    task.BatchesEnded(batches);
                }
                (state, var summary, bool best) = task.EndEpoch(epoch, state, clock.Elapsed.TotalSeconds);
                log.Log(summary);
                lastCheckpoint = task.Save(folder, state);
                if (best) task.SaveBest(folder, state);
                if (epoch + 1 < loop.Epochs && StopReason() is { } stop) return End(stop, null);
            }
        }
        finally
        {
            task.Train(false);
        }
        var modelFile = task.Finish(state);
        var completed = End(TrainingOutcome.Completed, modelFile);
        // Last of all, so a run folder that holds the marker holds everything else of a completed run.
        RunCompletion.Write(runDirectory, state.Step, modelFile);
        return completed;
    }
}
