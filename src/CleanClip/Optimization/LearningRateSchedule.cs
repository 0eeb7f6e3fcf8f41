
namespace CleanClip.Optimization;

/// <summary>Which step count the schedule reads.</summary>
public enum ScheduleMode
{
    /// <summary>Steps counted from 0: linear warmup, then cosine to 0 at the last step.</summary>
    FromZero,
    /// <summary>
    /// The reference: its step is <c>batches_per_epoch·epoch + index</c> with epochs counted from 1, one epoch ahead,
    /// so warmup shorter than an epoch is skipped and the last epoch runs past the cosine's end
    /// (docs/reference-behaviour.md §14, defect 6).
    /// </summary>
    [ReferenceSwitch]
    Reference,
}

/// <summary>CleanCLIP's learning rate: <c>base·(t+1)/warmup</c> while t &lt; warmup, then <c>½(1 + cos(π(t−warmup)/(total−warmup)))·base</c>.</summary>
public sealed record LearningRateSchedule(double BaseRate, int WarmupSteps, int TotalSteps, int StepsPerEpoch,
    ScheduleMode Mode = ScheduleMode.FromZero)
{
    public double At(int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), $"step must not be negative, got {step}");
        long t = Mode == ScheduleMode.Reference ? (long)step + StepsPerEpoch : step;
        if (t < WarmupSteps) return BaseRate * (t + 1) / WarmupSteps;
        long span = Math.Max(1, TotalSteps - WarmupSteps);
        return 0.5 * (1 + Math.Cos(Math.PI * (t - WarmupSteps) / span)) * BaseRate;
    }
}
