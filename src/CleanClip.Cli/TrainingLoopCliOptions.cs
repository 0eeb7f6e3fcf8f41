using System.CommandLine;

namespace CleanClip.Cli;

/// <summary>
/// The options of a training loop that <c>train</c>, <c>clean</c> and <c>finetune-supervised</c> share (and
/// <c>trigger optimize</c> its <c>--lr</c>), declared once; each command gives its own defaults.
/// </summary>
public static class TrainingLoopCliOptions
{
    /// <summary>How the trainers' learning rate moves (<see cref="CleanClip.Optimization.LearningRateSchedule"/>).</summary>
    public const string ScheduledRate = "Peak learning rate: reached after --warmup steps, then cosine decay to 0 at the last step.";

    public static Option<int> Epochs(int defaultValue) => new(OptionNames.Epochs)
    {
        Description = "Passes over the training data.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--lr</c>; <paramref name="description"/> says how the rate is used where it is not <see cref="ScheduledRate"/>.</summary>
    public static Option<double> LearningRate(double defaultValue, string description = ScheduledRate) => new(OptionNames.Lr)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--warmup</c>; <paramref name="note"/>, when given, is added in brackets (e.g. where the default comes from).</summary>
    public static Option<int> Warmup(int defaultValue, string? note = null) => new(OptionNames.Warmup)
    {
        Description = $"Linear warmup steps{(note is null ? "" : $" ({note})")}.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--weight-decay</c>; <paramref name="appliesTo"/> says which parameters the trainer decays.</summary>
    public static Option<double> WeightDecay(double defaultValue, string appliesTo) => new(OptionNames.WeightDecay)
    {
        Description = $"AdamW weight decay, {appliesTo}.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<int> SaveEvery(int defaultValue) => new("--save-every")
    {
        Description = "Also save a checkpoint every N steps (0: epoch ends only).",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--keep</c>; <paramref name="note"/>, when given, is added in brackets (e.g. the checkpoints kept besides).</summary>
    public static Option<int> Keep(int defaultValue, string? note = null) => new("--keep")
    {
        Description = $"Step checkpoints to keep{(note is null ? "" : $" ({note})")}.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<int> LogEvery(int defaultValue) => new("--log-every")
    {
        Description = "Write a metrics.jsonl line (and TensorBoard scalars, where the run writes them) every N steps.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<long?> StopAfter() => new("--stop-after") { Description = "Stop (with a checkpoint) after this many steps of this invocation." };

    public static Option<string?> Resume() => new("--resume")
    {
        Description = "Continue the run in this folder from its latest checkpoint (bit-identical on CPU with the same threads).",
    };
}
