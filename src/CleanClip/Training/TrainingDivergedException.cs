namespace CleanClip.Training;

/// <summary>The loss or the gradients stopped being finite: the run stops before the bad update reaches the weights.</summary>
public sealed class TrainingDivergedException(long step, int epoch, string what, string? lastCheckpoint)
    : InvalidOperationException($"the {what} became non-finite at step {step} (epoch {epoch}); nothing of that step was applied. " +
        (lastCheckpoint is null ? "No checkpoint was saved yet. " : $"The newest checkpoint before it is {lastCheckpoint}. ") +
        "Lower the learning rate, or clip gradients with --grad-clip.")
{
    public long Step { get; } = step;
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
